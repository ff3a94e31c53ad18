package dev.petrel.transport.smtp;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * Bounds on the waits of deliveries, kept without a timer for each wait. A virtual thread's timed wait arms a
 * timer in the JDK's delay scheduler and cancels it again, and each of the two wakes that scheduler's thread:
 * with three such waits for each relayed message (a reply, an offer taken, an offer done), its wake-ups were an
 * eighth of all the daemon's context switches (bench/README.md, "Relaying"). Here a wait is entered in a set and
 * parks untimed; one platform thread looks at the set every {@link #TICK} while it is not empty, and ends the
 * waits that are over time, up to a tick late. An idle daemon's watchdog sleeps until a wait begins.
 */
final class Watchdog {
    static final Duration TICK = Duration.ofMillis(10);
    private static final Watchdog INSTANCE = new Watchdog();

    private final Set<Watch> watches = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile boolean idle;

    private Watchdog() {
        thread = Thread.ofPlatform().name("delivery-watchdog").daemon(true).unstarted(this::run);
        thread.start();
    }

    /**
     * The value of {@code future}, waiting at most about {@code bound} for it.
     *
     * @throws ExecutionException   what the future failed with
     * @throws TimeoutException     when the bound ran out first
     * @throws InterruptedException when the waiting thread was interrupted
     */
    static <T> T get(CompletableFuture<T> future, Duration bound)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (future.isDone()) {
            return future.get();
        }
        // A copy takes the timeout, so that whoever else waits for the future never sees it.
        CompletableFuture<T> view = future.copy();
        Watch watch = new Watch(view, System.nanoTime() + bound.toNanos());
        INSTANCE.add(watch);
        try {
            return view.get();
        } catch (ExecutionException e) {
            if (watch.expired) {
                throw new TimeoutException("no outcome within " + bound);
            }
            throw e;
        } finally {
            INSTANCE.watches.remove(watch);
        }
    }

    private void add(Watch watch) {
        watches.add(watch);
        if (idle) {
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        while (true) {
            if (watches.isEmpty()) {
                idle = true;
                if (watches.isEmpty()) { // a wait that began before idle was set is seen here
                    LockSupport.park(this);
                }
                idle = false;
                continue;
            }
            LockSupport.parkNanos(this, TICK.toNanos());
            long now = System.nanoTime();
            for (Watch w : watches) {
                if (now - w.deadline >= 0 && watches.remove(w)) {
                    w.expired = true;
                    w.view.completeExceptionally(new TimeoutException());
                }
            }
        }
    }

    /** Identity, not value: two waits on one future with one deadline are still two. */
    private static final class Watch {
        final CompletableFuture<?> view;
        final long deadline;
        volatile boolean expired;

        Watch(CompletableFuture<?> view, long deadline) {
            this.view = view;
            this.deadline = deadline;
        }
    }
}
