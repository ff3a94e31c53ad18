package dev.petrel.log;

/** Text from the network as it may appear in a log line: bounded, one line, ASCII, quotes escaped. */
public final class LogText {
    private LogText() {
    }

    /** CR and LF shown as {@code \r} {@code \n} (Exim's style), other controls and non-ASCII as escapes. */
    public static String printable(String text, int max) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 16);
        for (int i = 0; i < text.length() && i < max; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 32 || (c >= 127 && c < 256)) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else if (c > 255) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /** A value in double quotes, as Exim writes T="..." and DN="...". */
    public static String quoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
