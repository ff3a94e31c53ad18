package dev.petrel.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Exim's scalar value syntaxes. Each parser throws {@link IllegalArgumentException} with a message fit
 * for the operator; callers add the file and line.
 */
final class Values {
    private static final Pattern TIME_PART = Pattern.compile("(\\d+)([smhdw])");
    private static final long KILO = 1024;

    private Values() {}

    static boolean parseBoolean(String s) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes" -> true;
            case "false", "no" -> false;
            default -> throw new IllegalArgumentException("\"" + s + "\" is not a boolean (true, false, yes, no)");
        };
    }

    /** Exim time: {@code 30s}, {@code 5m}, {@code 1h30m}, {@code 7d}, {@code 1w}; a bare number is seconds. */
    static Duration parseTime(String s) {
        String t = s.strip();
        if (t.matches("\\d+")) {
            return Duration.ofSeconds(number(t, s));
        }
        Matcher m = TIME_PART.matcher(t);
        long seconds = 0;
        int at = 0;
        while (at < t.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException("\"" + s + "\" is not a valid time (examples: 30s, 5m, 1h30m, 7d)");
            }
            long unit = switch (m.group(2)) {
                case "s" -> 1;
                case "m" -> 60;
                case "h" -> 3600;
                case "d" -> 86400;
                default -> 7 * 86400;
            };
            seconds = add(seconds, multiply(number(m.group(1), s), unit, s), s);
            at = m.end();
        }
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty time value");
        }
        return Duration.ofSeconds(seconds);
    }

    /** The way Exim prints a time: largest units first, zero parts left out. */
    static String formatTime(Duration d) {
        long s = d.toSeconds();
        if (s == 0) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        long[] sizes = {7 * 86400, 86400, 3600, 60, 1};
        String[] names = {"w", "d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (s >= sizes[i]) {
                out.append(s / sizes[i]).append(names[i]);
                s %= sizes[i];
            }
        }
        return out.toString();
    }

    /**
     * Exim integer: decimal, {@code 0x} hex, or octal when it starts with 0 (as Exim does), with an
     * optional K, M or G multiplier (1024-based).
     */
    static long parseInteger(String s) {
        String t = s.strip();
        long multiplier = 1;
        if (!t.isEmpty()) {
            char last = Character.toUpperCase(t.charAt(t.length() - 1));
            multiplier = switch (last) {
                case 'K' -> KILO;
                case 'M' -> KILO * KILO;
                case 'G' -> KILO * KILO * KILO;
                default -> 1;
            };
            if (multiplier != 1) {
                t = t.substring(0, t.length() - 1);
            }
        }
        long value;
        try {
            if (t.startsWith("0x") || t.startsWith("0X")) {
                value = Long.parseLong(requireDigits(t.substring(2), "[0-9A-Fa-f]+", s), 16);
            } else if (t.length() > 1 && t.startsWith("0")) {
                value = Long.parseLong(requireDigits(t.substring(1), "[0-7]+", s), 8);
            } else {
                value = Long.parseLong(requireDigits(t, "[0-9]+", s));
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + s + "\" is too large");
        }
        return multiply(value, multiplier, s);
    }

    static int parseInt(String s, int min) {
        long v = parseInteger(s);
        if (v < min || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("\"" + s + "\" is out of range (" + min + " to " + Integer.MAX_VALUE + ")");
        }
        return (int) v;
    }

    /** How Exim prints a size: with the largest exact K/M/G suffix. */
    static String formatSize(long n) {
        if (n == 0) {
            return "0";
        }
        String[] suffixes = {"G", "M", "K"};
        long[] units = {KILO * KILO * KILO, KILO * KILO, KILO};
        for (int i = 0; i < units.length; i++) {
            if (n % units[i] == 0) {
                return (n / units[i]) + suffixes[i];
            }
        }
        return Long.toString(n);
    }

    /** An option that is always octal, like appendfile's {@code mode}. */
    static int parseOctal(String s) {
        String t = s.strip();
        if (!t.matches("[0-7]{1,6}")) {
            throw new IllegalArgumentException("\"" + s + "\" is not an octal number");
        }
        return Integer.parseInt(t, 8);
    }

    static int parsePort(String s) {
        String t = s.strip().toLowerCase(Locale.ROOT);
        int port = switch (t) {
            case "smtp" -> 25;
            case "submission" -> 587;
            case "smtps", "ssmtp", "submissions" -> 465;
            default -> {
                if (!t.matches("\\d{1,5}")) {
                    throw new IllegalArgumentException("\"" + s + "\" is not a port number");
                }
                yield Integer.parseInt(t);
            }
        };
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range (1 to 65535)");
        }
        return port;
    }

    /**
     * An option value as written: stripped, and if it starts with a double quote, unquoted with Exim's
     * backslash escapes ({@code \\ \n \r \t \ooo \xhh}, any other escaped character stands for itself).
     */
    static String unquote(String raw) {
        String t = raw.strip();
        if (!t.startsWith("\"")) {
            return t;
        }
        StringBuilder out = new StringBuilder();
        int i = 1;
        while (i < t.length()) {
            char c = t.charAt(i++);
            if (c == '"') {
                if (i != t.length()) {
                    throw new IllegalArgumentException("unexpected text after closing quote: " + t.substring(i));
                }
                return out.toString();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (i >= t.length()) {
                break;
            }
            char e = t.charAt(i++);
            switch (e) {
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'x' -> {
                    int end = i;
                    while (end < t.length() && end < i + 2 && Character.digit(t.charAt(end), 16) >= 0) {
                        end++;
                    }
                    if (end == i) {
                        out.append('x');
                    } else {
                        out.append((char) Integer.parseInt(t.substring(i, end), 16));
                        i = end;
                    }
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int end = i;
                        while (end < t.length() && end < i + 2 && t.charAt(end) >= '0' && t.charAt(end) <= '7') {
                            end++;
                        }
                        out.append((char) Integer.parseInt(t.substring(i - 1, end), 8));
                        i = end;
                    } else {
                        out.append(e);
                    }
                }
            }
        }
        throw new IllegalArgumentException("missing closing quote");
    }

    private static String requireDigits(String t, String regex, String original) {
        if (!t.matches(regex)) {
            throw new IllegalArgumentException("\"" + original + "\" is not a number");
        }
        return t;
    }

    private static long number(String digits, String original) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + original + "\" is too large");
        }
    }

    private static long multiply(long a, long b, String original) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("\"" + original + "\" is too large");
        }
    }

    private static long add(long a, long b, String original) {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("\"" + original + "\" is too large");
        }
    }
}
