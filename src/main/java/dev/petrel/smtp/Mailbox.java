package dev.petrel.smtp;

import dev.petrel.log.LogText;

import java.util.Locale;

/** An address as SMTP carries it: local part and domain, within RFC 5321's length limits. */
public record Mailbox(String localPart, String domain) {
    public static final int MAX_LOCAL_PART = 64;
    public static final int MAX_DOMAIN = 255;

    /** Parses {@code local@domain}; {@code utf8} allows non-ASCII (SMTPUTF8 was given). */
    public static Mailbox parse(String address, boolean utf8) throws SmtpSyntaxException {
        int at = address.lastIndexOf('@');
        if (at <= 0 || at == address.length() - 1) {
            throw new SmtpSyntaxException("501 5.1.3 <" + LogText.printable(address, 64)
                    + ">: not a valid address (local@domain)");
        }
        String local = address.substring(0, at);
        String domain = address.substring(at + 1);
        if (local.length() > MAX_LOCAL_PART) {
            throw new SmtpSyntaxException("501 5.1.3 local part longer than 64 octets");
        }
        if (domain.length() > MAX_DOMAIN) {
            throw new SmtpSyntaxException("501 5.1.3 domain longer than 255 octets");
        }
        checkLocalPart(local, utf8);
        checkDomain(domain, utf8);
        return new Mailbox(local, domain);
    }

    private static void checkLocalPart(String local, boolean utf8) throws SmtpSyntaxException {
        if (local.startsWith("\"") && local.endsWith("\"") && local.length() >= 2) {
            for (int i = 1; i < local.length() - 1; i++) {
                char c = local.charAt(i);
                if (Character.isISOControl(c) || (c > 127 && !utf8)) {
                    throw new SmtpSyntaxException("501 5.1.3 invalid character in quoted local part");
                }
            }
            return;
        }
        if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            throw new SmtpSyntaxException("501 5.1.3 malformed local part (dots)");
        }
        for (int i = 0; i < local.length(); i++) {
            char c = local.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-/=?^_`{|}~.".indexOf(c) >= 0 || (c > 127 && utf8 && !Character.isISOControl(c));
            if (!ok) {
                throw new SmtpSyntaxException("501 5.1.3 invalid character in local part");
            }
        }
    }

    private static void checkDomain(String domain, boolean utf8) throws SmtpSyntaxException {
        if (domain.startsWith("[") && domain.endsWith("]")) {
            String literal = domain.substring(1, domain.length() - 1);
            if (literal.isEmpty() || !literal.matches("[0-9A-Fa-f:.]+|IPv6:[0-9A-Fa-f:.]+")) {
                throw new SmtpSyntaxException("501 5.1.3 malformed address literal");
            }
            return;
        }
        for (String label : domain.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                throw new SmtpSyntaxException("501 5.1.3 malformed domain");
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                        || (c > 127 && utf8 && !Character.isISOControl(c));
                if (!ok) {
                    throw new SmtpSyntaxException("501 5.1.3 invalid character in domain");
                }
            }
        }
    }

    public String domainLowerCase() {
        return domain.toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return localPart + "@" + domain;
    }
}
