package dev.petrel.smtp;

import dev.petrel.log.LogText;

import java.util.Locale;
import java.util.Map;

/** The ESMTP parameters MAIL FROM takes here: SIZE (RFC 1870), BODY (RFC 6152) and SMTPUTF8 (RFC 6531). */
public final class MailParameters {
    private MailParameters() {
    }

    /** Throws with the reply for the first parameter that is unknown or malformed, or given after HELO. */
    public static void check(Map<String, String> parameters, boolean esmtp) throws SmtpSyntaxException {
        if (!parameters.isEmpty() && !esmtp) {
            throw new SmtpSyntaxException("555 5.5.4 Parameters need EHLO");
        }
        for (Map.Entry<String, String> p : parameters.entrySet()) {
            switch (p.getKey()) {
                case "SIZE" -> {
                    if (!p.getValue().matches("[0-9]{1,20}")) {
                        throw new SmtpSyntaxException("501 5.5.4 SIZE value must be a number");
                    }
                }
                case "BODY" -> {
                    String body = p.getValue().toUpperCase(Locale.ROOT);
                    if (!body.equals("7BIT") && !body.equals("8BITMIME")) {
                        throw new SmtpSyntaxException("501 5.5.4 BODY must be 7BIT or 8BITMIME");
                    }
                }
                case "SMTPUTF8" -> {
                    if (!p.getValue().isEmpty()) {
                        throw new SmtpSyntaxException("501 5.5.4 SMTPUTF8 takes no value");
                    }
                }
                default -> throw new SmtpSyntaxException("555 5.5.4 Unsupported parameter "
                        + LogText.printable(p.getKey(), 64));
            }
        }
    }

    /** Whether a declared SIZE (digits, checked by {@link #check}) is over {@code limit}. */
    public static boolean sizeExceeds(String size, long limit) {
        return size.length() > 18 || Long.parseLong(size) > limit;
    }
}
