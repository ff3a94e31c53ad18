package dev.petrel.transport;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Connections open at once to one remote host, bounded across every delivery in the process, so that many
 * messages for one destination do not open a connection each (Exim's {@code serialize_hosts} is the case of one;
 * Postfix calls this the destination concurrency limit). The smtp transport takes a {@link Slot} before it
 * connects and closes it with the connection. Waiting parks the calling (virtual) thread only.
 *
 * <p>The key is the transport's choice, normally the host's IP address and port.
 */
public final class HostConnectionLimit {
    private final int perHost;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    /** Only hosts with a connection open are here, so the map does not grow with every host ever seen. */
    private final Map<String, Integer> open = new HashMap<>();

    public HostConnectionLimit(int perHost) {
        if (perHost < 1) {
            throw new IllegalArgumentException("the connection limit per host must be at least 1");
        }
        this.perHost = perHost;
    }

    /** A slot for {@code host} if one is free now. */
    public Optional<Slot> tryAcquire(String host) {
        lock.lock();
        try {
            return open.getOrDefault(host, 0) < perHost ? Optional.of(take(host)) : Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    /** A slot for {@code host}, waiting up to {@code patience} for one; empty when none came free in time. */
    public Optional<Slot> acquire(String host, Duration patience) throws InterruptedException {
        long nanos = patience.toNanos();
        lock.lock();
        try {
            while (open.getOrDefault(host, 0) >= perHost) {
                if (nanos <= 0) {
                    return Optional.empty();
                }
                nanos = released.awaitNanos(nanos);
            }
            return Optional.of(take(host));
        } finally {
            lock.unlock();
        }
    }

    /** Connections counted for {@code host} right now. */
    public int open(String host) {
        lock.lock();
        try {
            return open.getOrDefault(host, 0);
        } finally {
            lock.unlock();
        }
    }

    private Slot take(String host) {
        open.merge(host, 1, Integer::sum);
        return new Slot(host);
    }

    private void release(String host) {
        lock.lock();
        try {
            open.computeIfPresent(host, (h, n) -> n == 1 ? null : n - 1);
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** One connection's place; closing it (once) gives the place back. */
    public final class Slot implements AutoCloseable {
        private final String host;
        private boolean closed;

        private Slot(String host) {
            this.host = host;
        }

        @Override
        public void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            release(host);
        }
    }
}
