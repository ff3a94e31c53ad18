package dev.petrel.log;

/**
 * Text from the network as it may appear in a log line or be quoted back in a reply: one line, no control
 * character, quotes escaped. Every place that quotes what a peer sent goes through here.
 */
public final class LogText {
    private LogText() {
    }

    /**
     * At most {@code max} characters, ASCII only: CR and LF shown as {@code \r} {@code \n} (Exim's style), other
     * controls and non-ASCII as hex escapes ({@code \xNN}, or backslash-u and four digits past 255),
     * {@code "} and backslash backslash-quoted.
     */
    public static String printable(String text, int max) {
        return escape(text, max, true);
    }

    /**
     * A value in double quotes, as Exim writes T="..." and DN="...": quotes and backslashes escaped, control
     * characters too; other non-ASCII is kept.
     */
    public static String quoted(String value) {
        return "\"" + escape(value, Integer.MAX_VALUE, false) + "\"";
    }

    private static String escape(String text, int max, boolean asciiOnly) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 16);
        for (int i = 0; i < text.length() && i < max; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    boolean escaped = asciiOnly ? c < 32 || c >= 127
                            : Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
                    if (!escaped) {
                        out.append(c);
                    } else if (c < 256) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(String.format("\\u%04x", (int) c));
                    }
                }
            }
        }
        return out.toString();
    }
}
