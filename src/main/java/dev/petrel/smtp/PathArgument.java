package dev.petrel.smtp;

import dev.petrel.log.LogText;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The argument of MAIL FROM or RCPT TO: a path in angle brackets and ESMTP parameters. {@code mailbox} is
 * null for the null reverse path {@code <>}; {@code postmaster} is true for a bare {@code <postmaster>}.
 */
public record PathArgument(Mailbox mailbox, boolean postmaster, Map<String, String> parameters) {

    /**
     * @param argument what follows the verb, e.g. {@code FROM:<a@b> SIZE=10}
     * @param keyword  {@code FROM} or {@code TO}
     */
    public static PathArgument parse(String argument, String keyword, boolean nullPathAllowed)
            throws SmtpSyntaxException {
        String prefix = keyword + ":";
        if (argument.length() < prefix.length() || !argument.regionMatches(true, 0, prefix, 0, prefix.length())) {
            throw new SmtpSyntaxException("501 5.5.2 " + keyword + ": expected, as in " + keyword + ":<address>");
        }
        String rest = argument.substring(prefix.length()).stripLeading();
        if (!rest.startsWith("<")) {
            throw new SmtpSyntaxException("501 5.5.2 <address> must be in angle brackets");
        }
        int close = closingBracket(rest);
        if (close < 0) {
            throw new SmtpSyntaxException("501 5.5.2 missing '>' after address");
        }
        String path = rest.substring(1, close);
        Map<String, String> params = parameters(rest.substring(close + 1));
        boolean utf8 = params.containsKey("SMTPUTF8");
        if (path.startsWith("@")) {
            int colon = path.indexOf(':');
            if (colon < 0) {
                throw new SmtpSyntaxException("501 5.1.3 malformed source route");
            }
            path = path.substring(colon + 1); // RFC 5321 C: source routes are ignored
        }
        if (path.isEmpty()) {
            if (!nullPathAllowed) {
                throw new SmtpSyntaxException("501 5.1.3 empty address not allowed here");
            }
            return new PathArgument(null, false, params);
        }
        if (!nullPathAllowed && path.equalsIgnoreCase("postmaster")) {
            return new PathArgument(null, true, params);
        }
        if (!utf8 && !isAscii(path)) {
            throw new SmtpSyntaxException("553 5.6.7 non-ASCII address requires SMTPUTF8");
        }
        return new PathArgument(Mailbox.parse(path, utf8), false, params);
    }

    private static int closingBracket(String s) {
        boolean quoted = false;
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '>' && !quoted) {
                return i;
            }
        }
        return -1;
    }

    private static Map<String, String> parameters(String text) throws SmtpSyntaxException {
        Map<String, String> params = new LinkedHashMap<>();
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            return params;
        }
        if (!text.startsWith(" ")) {
            throw new SmtpSyntaxException("501 5.5.4 parameters must follow the address after a space");
        }
        for (String word : trimmed.split(" +")) {
            int eq = word.indexOf('=');
            String key = (eq < 0 ? word : word.substring(0, eq)).toUpperCase(Locale.ROOT);
            String value = eq < 0 ? "" : word.substring(eq + 1);
            if (key.isEmpty() || !key.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-')) {
                throw new SmtpSyntaxException("501 5.5.4 malformed parameter \"" + LogText.printable(word, 64) + "\"");
            }
            if (params.put(key, value) != null) {
                throw new SmtpSyntaxException("501 5.5.4 parameter " + LogText.printable(key, 64) + " given twice");
            }
        }
        return params;
    }

    private static boolean isAscii(String s) {
        return s.chars().allMatch(c -> c < 128);
    }

    /** The path as written in envelopes and logs: {@code a@b}, "" for {@code <>}, "postmaster". */
    public String address() {
        if (postmaster) {
            return "postmaster";
        }
        return mailbox == null ? "" : mailbox.toString();
    }
}
