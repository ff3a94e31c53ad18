package dev.petrel.queue;

import dev.petrel.hints.RetryRecord;
import dev.petrel.transport.DeliveryResult;
import dev.petrel.transport.HostRetry;
import dev.petrel.transport.RemoteHost;

import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The host retry state one group of recipients sees (Exim's {@code retry_check_address}), and what became of
 * its hosts: how many failed, how many of those have timed out, and whether any was skipped, which together
 * say whether the group's deferral has become a failure.
 */
final class HostRetryGate implements HostRetry {
    private final RetryState state;
    private final String domain;
    private final Instant received;
    private final boolean force;
    /** Hosts that failed earlier in this message's delivery are not tried again in it, as Exim's unusable tree. */
    private final Set<String> failedInThisDelivery;
    private final Map<String, RetryRecord> seen = new HashMap<>();
    private int failures;
    private int timedOut;
    private boolean skipped;

    HostRetryGate(RetryState state, String domain, Instant received, boolean force, Set<String> failedInThisDelivery) {
        this.state = state;
        this.domain = domain;
        this.received = received;
        this.force = force;
        this.failedInThisDelivery = failedInThisDelivery;
    }

    /** Exim's key: {@code T:name:ip}, with {@code :port} for a port other than 25; the name lowercased. */
    static String key(RemoteHost host, int port) {
        return "T:" + host.name().toLowerCase(Locale.ROOT) + ":" + host.address().getHostAddress()
                + (port == 25 ? "" : ":" + port);
    }

    @Override
    public Status check(RemoteHost host, int port) {
        String key = key(host, port);
        if (failedInThisDelivery.contains(key)) {
            skipped = true;
            return Status.NOT_DUE;
        }
        Optional<RetryRecord> record = state.read(key);
        if (record.isEmpty()) {
            return Status.USABLE;
        }
        RetryRecord r = record.get();
        seen.put(key, r);
        if (force || !state.now().isBefore(r.nextTry())) {
            return Status.USABLE;
        }
        if (!r.expired() && state.ultimateTimeout(key, domain, r, received)) {
            return Status.USABLE; // queued longer than the rules allow: one more try, then the address times out
        }
        skipped = true;
        return r.expired() ? Status.NOT_DUE_EXPIRED : Status.NOT_DUE;
    }

    @Override
    public void failed(RemoteHost host, int port, DeliveryResult failure) {
        String key = key(host, port);
        failedInThisDelivery.add(key);
        failures++;
        if (state.failed(key, domain, failure.errno(), failure.moreErrno(), failure.reason(), received)) {
            timedOut++;
        }
    }

    @Override
    public void succeeded(RemoteHost host, int port) {
        String key = key(host, port);
        if (seen.containsKey(key)) {
            state.clear(key);
        }
    }

    @Override
    public boolean triedBeforeArrival(RemoteHost host, int port) {
        RetryRecord r = seen.get(key(host, port));
        return r == null || !r.lastTry().isAfter(received);
    }

    /**
     * Whether a deferral for host reasons is final: every host tried has timed out and none was skipped
     * because its time had not come (Exim's {@code af_retry_skipped}).
     */
    boolean timedOut() {
        return failures > 0 && failures == timedOut && !skipped;
    }
}
