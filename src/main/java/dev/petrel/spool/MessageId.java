package dev.petrel.spool;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Message ids in Exim's formats. Current (Exim 4.97+): {@code 1tXyZa-000000001x2-AbCd}, 23 characters;
 * older (Exim 4.96 and before, which Debian 12's eximstats and exigrep parse): {@code 1tXyZa-0005fv-1D},
 * 16 characters. Both are seconds since the epoch, a process-unique part and a sub-second part, in base 62.
 * Exim keeps ids unique with the pid and by waiting for the clock to tick; one JVM accepts many messages
 * per second, so the middle part carries the pid and a per-process sequence instead.
 */
public final class MessageId {
    private static final String DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final Pattern FORMAT = Pattern.compile(
            "[0-9A-Za-z]{6}-[0-9A-Za-z]{11}-[0-9A-Za-z]{4}|[0-9A-Za-z]{6}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2}");
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final long PID = ProcessHandle.current().pid();

    /** Which of Exim's id formats a spool hands out. */
    public enum Format {
        /** 23 characters, Exim 4.97 and later. */
        EXIM_4_97,
        /** 16 characters, Exim 4.96 and earlier. */
        EXIM_4_96;

        /** From the {@code message_id_format} option's value. */
        public static Format of(String optionValue) {
            return "4.96".equals(optionValue) ? EXIM_4_96 : EXIM_4_97;
        }
    }

    private MessageId() {
    }

    /** A new id in the current (23-character) format. */
    public static String next() {
        return next(Format.EXIM_4_97);
    }

    public static String next(Format format) {
        long micros = System.currentTimeMillis() * 1000L + (System.nanoTime() / 1000L) % 1000L;
        long seconds = micros / 1_000_000L;
        long subSecond = micros % 1_000_000L;
        long seq = SEQUENCE.getAndIncrement();
        if (format == Format.EXIM_4_96) {
            // 62^6 > 2^35: 20 bits of pid, 15 of sequence; 62^2 sub-second slots of about 260 microseconds.
            long middle = ((PID & 0xF_FFFFL) << 15) | (seq & 0x7FFFL);
            return base62(seconds, 6) + "-" + base62(middle, 6) + "-" + base62(subSecond * 3844 / 1_000_000L, 2);
        }
        long middle = (PID << 28) | (seq & 0xFFF_FFFFL);
        return base62(seconds, 6) + "-" + base62(middle, 11) + "-" + base62(subSecond, 4);
    }

    public static boolean isValid(String id) {
        return id != null && FORMAT.matcher(id).matches();
    }

    /** When the message was received, to the second, read off its id (its first part), as Exim can. */
    public static Instant time(String id) {
        long seconds = 0;
        for (int i = 0; i < 6; i++) {
            seconds = seconds * 62 + DIGITS.indexOf(id.charAt(i));
        }
        return Instant.ofEpochSecond(seconds);
    }

    static String base62(long value, int width) {
        char[] out = new char[width];
        long v = value;
        for (int i = width - 1; i >= 0; i--) {
            out[i] = DIGITS.charAt((int) Long.remainderUnsigned(v, 62));
            v = Long.divideUnsigned(v, 62);
        }
        return new String(out);
    }
}
