package dev.petrel.tls;

import dev.petrel.hints.Hint;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the {@code tls} hints database holds per server: when the ticket came, how long the server said it
 * lasts, what the certificate check said at the time (a resumed session reports the same {@code CV=}), the
 * OCSP status, and the serialised session when the engine can produce one (BoringSSL via tcnative cannot for
 * TLS 1.3, so the session itself lives in tcnative's in-memory cache for the life of the process), and the
 * {@code $tls_out_resumption} bits of the connection that brought the ticket.
 */
public record TicketRecord(Instant stamp, Duration lifetimeHint, Verification verification, String ocsp,
        byte[] session, int resumption) {

    public TicketRecord {
        session = session == null ? new byte[0] : session.clone();
    }

    @Override
    public byte[] session() {
        return session.clone();
    }

    public boolean expired(Instant now) {
        return !now.isBefore(stamp.plus(lifetimeHint));
    }

    /** The stored value: {@code name=value} lines, readable in {@code sqlite3} and {@code petrel dumpdb}. */
    byte[] encode() {
        StringBuilder out = new StringBuilder();
        out.append("lifetime=").append(lifetimeHint.toSeconds()).append('\n');
        out.append("cv=").append(verification.cv()).append('\n');
        out.append("verify=").append(verification.detail().replace('\n', ' ')).append('\n');
        out.append("ocsp=").append(ocsp).append('\n');
        out.append("resumption=").append(resumption).append('\n');
        out.append("session=").append(Base64.getEncoder().encodeToString(session)).append('\n');
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A stored record as {@code petrel dumpdb tls} shows it: the fields spelled out, when it expires, and the
     * session's size rather than its octets. A value that is no ticket record is returned as it is.
     */
    public static Hint readable(Hint stored) {
        if (!stored.valueText().startsWith("lifetime=")) {
            return stored;
        }
        TicketRecord r = decode(stored.stamp(), stored.value());
        String text = "lifetime=" + r.lifetimeHint.toSeconds() + "s expires="
                + DateTimeFormatter.ISO_INSTANT.format(r.stamp.plus(r.lifetimeHint)) + " CV=" + r.verification.cv()
                + " verify=\"" + r.verification.detail() + "\" ocsp=" + r.ocsp + " session="
                + (r.session.length == 0 ? "in-process-cache" : r.session.length + "-octets")
                + " resumption=" + String.format("0x%02X", r.resumption) + resumptionText(r.resumption);
        return new Hint(stored.key(), stored.stamp(), text.getBytes(StandardCharsets.UTF_8));
    }

    /** Exim's {@code _RESUME_DECODE} text for the bits, in parentheses; none for a record from before they were kept. */
    private static String resumptionText(int bits) {
        String text = Resumption.decode(bits);
        return text.isEmpty() ? "" : " (" + text + ")";
    }

    static TicketRecord decode(Instant stamp, byte[] value) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : new String(value, StandardCharsets.UTF_8).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                fields.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        long lifetime = parseLong(fields.get("lifetime"));
        return new TicketRecord(stamp, Duration.ofSeconds(Math.max(0, lifetime)),
                new Verification("yes".equals(fields.get("cv")), fields.getOrDefault("verify", "")),
                fields.getOrDefault("ocsp", "notreq"),
                decodeSession(fields.get("session")), (int) parseLong(fields.get("resumption")));
    }

    private static long parseLong(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static byte[] decodeSession(String s) {
        try {
            return s == null ? new byte[0] : Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }
}
