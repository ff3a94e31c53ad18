package dev.petrel.testkit;

import java.time.Duration;

/** Waiting for a condition instead of sleeping for a guess: checked every 20 ms, bounded by a deadline. */
public final class Poll {
    private static final long INTERVAL_MILLIS = 20;

    private Poll() {
    }

    /** A condition that may need I/O to check. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /** A value that may not be there yet: null means "not yet". */
    @FunctionalInterface
    public interface Probe<T> {
        T find() throws Exception;
    }

    /** Returns once {@code condition} holds; fails naming {@code what} when it still does not at the deadline. */
    public static void until(Duration timeout, String what, Condition condition) throws Exception {
        until(timeout, what, condition, () -> "");
    }

    /** As {@link #until(Duration, String, Condition)}, the failure also telling what {@code state} finds then. */
    public static void until(Duration timeout, String what, Condition condition, Probe<?> state) throws Exception {
        try {
            find(timeout, what, () -> condition.holds() ? Boolean.TRUE : null);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + state.find(), e);
        }
    }

    /** The first non-null value {@code probe} finds before the deadline. */
    public static <T> T find(Duration timeout, String what, Probe<T> probe) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T found = probe.find();
            if (found != null) {
                return found;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("waited " + timeout.toSeconds() + " s in vain for " + what);
            }
            Thread.sleep(INTERVAL_MILLIS);
        }
    }
}
