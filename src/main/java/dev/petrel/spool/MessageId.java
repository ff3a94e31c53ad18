package dev.petrel.spool;

import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Message ids in Exim's current (4.97+) format: {@code 1tXyZa-000000001x2-AbCd}, 23 characters:
 * seconds since the epoch, a process-unique part and a sub-second part, each in base 62.
 * Exim keeps ids unique with the pid and by waiting for the clock to tick; one JVM accepts many messages
 * per second, so the middle part carries the pid and a per-process sequence instead.
 */
public final class MessageId {
    private static final String DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final Pattern FORMAT = Pattern.compile("[0-9A-Za-z]{6}-[0-9A-Za-z]{11}-[0-9A-Za-z]{4}");
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final long PID = ProcessHandle.current().pid();

    private MessageId() {
    }

    public static String next() {
        long nanos = System.currentTimeMillis() * 1_000_000L + (System.nanoTime() % 1_000_000L + 1_000_000L) % 1_000_000L;
        long seconds = nanos / 1_000_000_000L;
        long subSecond = (nanos % 1_000_000_000L) / 1000L; // microseconds, < 62^4
        long middle = (PID << 28) | (SEQUENCE.getAndIncrement() & 0xFFF_FFFFL);
        return base62(seconds, 6) + "-" + base62(middle, 11) + "-" + base62(subSecond, 4);
    }

    public static boolean isValid(String id) {
        return id != null && FORMAT.matcher(id).matches();
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
