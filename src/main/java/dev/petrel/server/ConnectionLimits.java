package dev.petrel.server;

import dev.petrel.config.MainConfig;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The inbound connections that hold a slot, in all and per client address, checked as Exim's daemon checks them:
 * {@code smtp_accept_max} first, then {@code smtp_accept_max_per_host}, then {@code smtp_accept_reserve} (when fewer
 * than that many slots are left, only {@code smtp_reserve_hosts} get one). A refused connection never holds a slot;
 * an admitted one holds it until its socket is closed, whoever closed it.
 */
final class ConnectionLimits {
    enum Refusal { TOO_MANY, TOO_MANY_FROM_HOST, NOT_IN_RESERVE }

    /**
     * @param refusal why the connection is turned away, or null when it was admitted
     * @param connected the connections holding a slot: with this one when admitted, without it when refused
     */
    record Decision(Refusal refusal, int connected) {
        boolean admitted() {
            return refusal == null;
        }
    }

    private final int max;
    private final int maxPerHost;
    private final int reserve;
    private final List<EventExecutor> loops;
    private final Map<InetAddress, Integer> perHost = new HashMap<>();
    private int connected;

    /** @param workers the loops that run the sessions, which {@link #settle} waits for */
    ConnectionLimits(MainConfig config, EventLoopGroup workers) {
        this.max = config.smtpAcceptMax();
        this.maxPerHost = config.smtpAcceptMaxPerHost();
        this.reserve = config.smtpAcceptReserve();
        List<EventExecutor> all = new ArrayList<>();
        workers.forEach(all::add);
        this.loops = List.copyOf(all);
    }

    int max() {
        return max;
    }

    int reserve() {
        return reserve;
    }

    /** Whether smtp_reserve_hosts can matter at all, so that the list is matched only then. */
    boolean reserveInUse() {
        return max > 0 && reserve > 0;
    }

    /** Takes a slot for {@code address}, or says why there is none; {@link #release} gives an admitted one back. */
    synchronized Decision admit(InetAddress address, boolean reserveHost) {
        if (max > 0 && connected >= max) {
            return new Decision(Refusal.TOO_MANY, connected);
        }
        int fromHost = perHost.getOrDefault(address, 0);
        if (maxPerHost > 0 && fromHost >= maxPerHost) {
            return new Decision(Refusal.TOO_MANY_FROM_HOST, connected);
        }
        if (max > 0 && connected + 1 > max - reserve && !reserveHost) {
            return new Decision(Refusal.NOT_IN_RESERVE, connected);
        }
        perHost.put(address, fromHost + 1);
        connected++;
        return new Decision(null, connected);
    }

    synchronized void release(InetAddress address) {
        connected--;
        perHost.computeIfPresent(address, (a, n) -> n == 1 ? null : n - 1);
    }

    synchronized int connected() {
        return connected;
    }

    /**
     * Completes on {@code caller} once every session loop has run the tasks already queued on it (connections
     * accepted earlier being set up among them) and then polled its sockets once more. A close or reset that had
     * reached this host before the call has then been seen, and its slot given back.
     */
    Future<Void> settle(EventExecutor caller) {
        Promise<Void> settled = caller.newPromise();
        AtomicInteger waiting = new AtomicInteger(loops.size());
        Runnable caughtUp = () -> {
            if (waiting.decrementAndGet() == 0) {
                settled.trySuccess(null);
            }
        };
        for (EventExecutor loop : loops) {
            try {
                // A zero-delay task scheduled from inside the loop runs only after the loop's next poll.
                loop.execute(() -> loop.schedule(caughtUp, 0, TimeUnit.NANOSECONDS));
            } catch (RejectedExecutionException shuttingDown) {
                caughtUp.run(); // a loop that is stopping has nothing more to read
            }
        }
        return settled;
    }
}
