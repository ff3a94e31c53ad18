package dev.petrel.spool;

/**
 * What MAIL FROM said about the message beyond its sender, kept so that it can be passed on and honoured:
 * BODY (RFC 6152, RFC 3030), SMTPUTF8 (RFC 6531), the SIZE declared (RFC 1870), and DSN's RET and ENVID
 * (RFC 3461).
 *
 * @param body the BODY given, null when none was
 * @param smtputf8 SMTPUTF8 was given
 * @param declaredSize the SIZE given, -1 when none was
 * @param ret what a DSN returns (RET), null when not asked
 * @param envid the envelope id (ENVID) as received, in xtext; null when none
 */
public record MailOptions(Body body, boolean smtputf8, long declaredSize, Ret ret, String envid) {

    public static final MailOptions NONE = new MailOptions(null, false, -1, null, null);

    public enum Body { SEVEN_BIT("7BIT"), EIGHT_BIT_MIME("8BITMIME"), BINARY_MIME("BINARYMIME");

        private final String keyword;

        Body(String keyword) {
            this.keyword = keyword;
        }

        public String keyword() {
            return keyword;
        }

        /** The BODY value (any case), or null when it is none of these. */
        public static Body of(String keyword) {
            for (Body b : values()) {
                if (b.keyword.equalsIgnoreCase(keyword)) {
                    return b;
                }
            }
            return null;
        }
    }

    /** RET: the whole message or only its headers go back in a failure DSN. */
    public enum Ret { FULL, HDRS }

    public MailOptions {
        if (envid != null && !Xtext.valid(envid)) {
            throw new IllegalArgumentException("ENVID is not xtext");
        }
    }

    /** A failure DSN returns the whole message, not only its headers: only when RET=FULL asked for it. */
    public boolean returnFull() {
        return ret == Ret.FULL;
    }
}
