package dev.petrel.hints;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One row of a hints database.
 *
 * @param key the record's key, any text (it is always bound, never pasted into SQL)
 * @param stamp when the record was written
 * @param value the record's payload; copied in and out so a record stays immutable
 */
public record Hint(String key, Instant stamp, byte[] value) {
    public Hint {
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    public String valueText() {
        return new String(value, StandardCharsets.UTF_8);
    }

    /**
     * The line {@code petrel dumpdb} prints: key, stamp, value. Control characters and non-UTF-8 values are
     * escaped, so a hostile key cannot forge extra lines or terminal escapes in an operator's terminal.
     */
    public String dumpLine() {
        return escape(key) + " " + stamp.getEpochSecond() + " " + printableValue();
    }

    private String printableValue() {
        String text = valueText();
        if (Arrays.equals(text.getBytes(StandardCharsets.UTF_8), value)) {
            return escape(text);
        }
        return "hex:" + HexFormat.of().formatHex(value);
    }

    /** Control characters as {@code \\xNN}, so that a hostile key or text cannot forge lines in a terminal. */
    public static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (c == '\\') {
                out.append("\\\\");
            } else if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hint h && h.key.equals(key) && h.stamp.equals(stamp) && Arrays.equals(h.value, value);
    }

    @Override
    public int hashCode() {
        return key.hashCode() * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "Hint[" + dumpLine() + "]";
    }
}
