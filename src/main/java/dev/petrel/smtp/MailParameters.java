package dev.petrel.smtp;

import dev.petrel.log.LogText;
import dev.petrel.spool.MailOptions;
import dev.petrel.spool.RecipientOptions;
import dev.petrel.spool.Xtext;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The ESMTP parameters MAIL FROM and RCPT TO take here: SIZE (RFC 1870), BODY (RFC 6152), SMTPUTF8 (RFC 6531),
 * and DSN's RET, ENVID, NOTIFY and ORCPT (RFC 3461), checked and turned into what the envelope keeps.
 */
public final class MailParameters {
    private MailParameters() {
    }

    /**
     * MAIL's parameters. RET and ENVID when DSN was not offered are ignored, as Exim ignores them.
     *
     * @throws SmtpSyntaxException with the reply for the first parameter that is unknown or malformed, or given
     *     after HELO
     */
    public static MailOptions mail(Map<String, String> parameters, boolean esmtp, boolean dsnOffered)
            throws SmtpSyntaxException {
        if (!parameters.isEmpty() && !esmtp) {
            throw new SmtpSyntaxException("555 5.5.4 Parameters need EHLO");
        }
        MailOptions.Body body = null;
        long size = -1;
        MailOptions.Ret ret = null;
        String envid = null;
        for (Map.Entry<String, String> p : parameters.entrySet()) {
            String value = p.getValue();
            switch (p.getKey()) {
                case "SIZE" -> {
                    if (!value.matches("[0-9]{1,20}")) {
                        throw new SmtpSyntaxException("501 5.5.4 SIZE value must be a number");
                    }
                    size = value.length() > 18 ? Long.MAX_VALUE : Long.parseLong(value);
                }
                case "BODY" -> {
                    body = MailOptions.Body.of(value);
                    // BINARYMIME needs it advertised (RFC 3030), and Petrel does not offer it.
                    if (body == null || body == MailOptions.Body.BINARY_MIME) {
                        throw new SmtpSyntaxException("501 5.5.4 BODY must be 7BIT or 8BITMIME");
                    }
                }
                case "SMTPUTF8" -> {
                    if (!value.isEmpty()) {
                        throw new SmtpSyntaxException("501 5.5.4 SMTPUTF8 takes no value");
                    }
                }
                case "RET" -> {
                    try {
                        ret = MailOptions.Ret.valueOf(value.toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        throw new SmtpSyntaxException("501 5.5.4 Value for RET is invalid (FULL or HDRS)");
                    }
                }
                case "ENVID" -> {
                    if (value.isEmpty() || value.length() > 100 || !Xtext.valid(value)) {
                        throw new SmtpSyntaxException("501 5.5.4 ENVID must be xtext of 1 to 100 characters");
                    }
                    envid = value;
                }
                default -> throw unsupported(p.getKey());
            }
        }
        return dsnOffered ? new MailOptions(body, parameters.containsKey("SMTPUTF8"), size, ret, envid)
                : new MailOptions(body, parameters.containsKey("SMTPUTF8"), size, null, null);
    }

    /**
     * RCPT's parameters: NOTIFY and ORCPT, only when DSN was offered (Exim refuses them otherwise, as anything it
     * does not know after the address).
     */
    public static RecipientOptions rcpt(Map<String, String> parameters, boolean dsnOffered) throws SmtpSyntaxException {
        Set<RecipientOptions.Notify> notify = Set.of();
        String orcpt = null;
        for (Map.Entry<String, String> p : parameters.entrySet()) {
            String value = p.getValue();
            String key = p.getKey();
            boolean dsnParameter = key.equals("NOTIFY") || key.equals("ORCPT");
            if (dsnParameter && !dsnOffered) {
                throw new SmtpSyntaxException("501 5.5.4 " + key + " parameter not permitted: DSN was not advertised");
            }
            switch (key) {
                case "NOTIFY" -> {
                    notify = RecipientOptions.parseNotify(value);
                    if (notify == null) {
                        throw new SmtpSyntaxException(
                                "501 5.5.4 Invalid value for NOTIFY parameter (NEVER, or SUCCESS, FAILURE and DELAY)");
                    }
                }
                case "ORCPT" -> {
                    if (value.length() > 500 || !RecipientOptions.validOrcpt(value)) {
                        throw new SmtpSyntaxException("501 5.5.4 ORCPT must be addr-type;xtext");
                    }
                    orcpt = value;
                }
                default -> throw unsupported(key);
            }
        }
        return notify.isEmpty() && orcpt == null ? RecipientOptions.NONE : new RecipientOptions(notify, orcpt);
    }

    private static SmtpSyntaxException unsupported(String key) {
        return new SmtpSyntaxException("555 5.5.4 Unsupported parameter " + LogText.printable(key, 64));
    }

    /** Whether a declared SIZE is over {@code limit}. */
    public static boolean sizeExceeds(long size, long limit) {
        return size > limit;
    }
}
