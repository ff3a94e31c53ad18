package dev.petrel.tls;

/**
 * The outcome of checking a server's certificate, recorded rather than enforced (the transport decides).
 *
 * @param verified chain trusted and name matched: Exim's {@code CV=yes}
 * @param detail why not, or {@code "verified"}
 */
public record Verification(boolean verified, String detail) {
    public static final Verification NOT_CHECKED = new Verification(false, "not checked");

    public String cv() {
        return verified ? "yes" : "no";
    }
}
