package dev.petrel.spool;

import java.nio.charset.StandardCharsets;

/**
 * RFC 3461's xtext, the encoding of ENVID and ORCPT: printable ASCII except {@code +} and {@code =} as itself,
 * anything else as {@code +XX} (two upper-case hex digits). Values are kept encoded, as they arrived, so that
 * they can be passed on unchanged; a DSN shows them decoded.
 */
public final class Xtext {
    private Xtext() {
    }

    /** Whether {@code s} is well-formed xtext (RFC 3461 section 4). */
    public static boolean valid(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+') {
                if (i + 2 >= s.length() || !upperHex(s.charAt(i + 1)) || !upperHex(s.charAt(i + 2))) {
                    return false;
                }
                i += 2;
            } else if (c < '!' || c > '~' || c == '=') {
                return false;
            }
        }
        return true;
    }

    /** The decoded text of valid xtext; a {@code +XX} outside printable ASCII is kept as {@code \xXX}. */
    public static String decode(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+' && i + 2 < s.length()) {
                int v = Integer.parseInt(s.substring(i + 1, i + 3), 16);
                out.append(v >= 0x20 && v < 0x7f ? String.valueOf((char) v) : String.format("\\x%02X", v));
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The xtext encoding of {@code s} (UTF-8 octets outside printable ASCII each as {@code +XX}). */
    public static String encode(String s) {
        StringBuilder out = new StringBuilder(s.length() + 8);
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int v = b & 0xff;
            if (v > ' ' && v < 0x7f && v != '+' && v != '=') {
                out.append((char) v);
            } else {
                out.append('+').append(String.format("%02X", v));
            }
        }
        return out.toString();
    }

    private static boolean upperHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
    }
}
