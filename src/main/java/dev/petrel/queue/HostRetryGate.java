package dev.petrel.queue;

import dev.petrel.hints.RetryRecord;
import dev.petrel.transport.DeliveryResult;
import dev.petrel.transport.HostRetry;
import dev.petrel.transport.RemoteHost;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The host retry state one group of recipients sees (Exim's {@code retry_check_address}): the host's record
 * ({@code T:host:ip}) and this message's at that host ({@code T:host:ip:msgid}, after a 4xx to MAIL); and what
 * became of its hosts: how many failed, how many of those have timed out, and whether any was skipped, which together
 * say whether the group's deferral has become a failure.
 */
final class HostRetryGate implements HostRetry {
    private final RetryState state;
    private final String messageId;
    private final String domain;
    private final Instant received;
    private final boolean force;
    /** Hosts that failed earlier in this message's delivery are not tried again in it, as Exim's unusable tree. */
    private final Set<String> failedInThisDelivery;
    private final Map<String, RetryRecord> seen = new HashMap<>();
    private final Set<String> written = new HashSet<>();
    private int failures;
    private int timedOut;
    private boolean skipped;
    private boolean heldForThisMessage;

    HostRetryGate(RetryState state, String messageId, String domain, Instant received, boolean force,
                  Set<String> failedInThisDelivery) {
        this.state = state;
        this.messageId = messageId;
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

    /** Exim's key for a host that refused one message: the host's key and the message id. */
    String messageKey(RemoteHost host, int port) {
        return key(host, port) + ":" + messageId;
    }

    @Override
    public boolean heldForThisMessage() {
        return heldForThisMessage;
    }

    @Override
    public Status check(RemoteHost host, int port) {
        String key = key(host, port);
        if (failedInThisDelivery.contains(key)) {
            skipped = true;
            return Status.NOT_DUE;
        }
        Status status = status(key);
        if (status != Status.USABLE) {
            skipped = true;
            return status;
        }
        // The host may be tried; but not by this message, if it refused this message and the time has not come.
        if (status(messageKey(host, port)) != Status.USABLE) {
            skipped = true;
            heldForThisMessage = true;
            return Status.NOT_DUE;
        }
        return Status.USABLE;
    }

    /**
     * Whether this message's own record at the host (a 4xx to its MAIL) lets it go there now; the host's
     * record does not count, for a connection that is already open to it.
     */
    boolean messageDue(RemoteHost host, int port) {
        return status(messageKey(host, port)) == Status.USABLE;
    }

    private Status status(String key) {
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
    public void messageFailed(RemoteHost host, int port, DeliveryResult failure) {
        failedInThisDelivery.add(key(host, port));
        failures++;
        String key = messageKey(host, port);
        written.add(key);
        if (state.failed(key, domain, failure.errno(), failure.moreErrno(), failure.reason(), received)) {
            timedOut++;
        }
    }

    @Override
    public void succeeded(RemoteHost host, int port) {
        for (String key : List.of(key(host, port), messageKey(host, port))) {
            if (seen.containsKey(key)) {
                state.clear(key);
            }
        }
    }

    /**
     * The message is done with (delivered, bounced or removed): its host+message records are of no further
     * use. As in Exim, this does not catch every such record; retry_data_expire removes the rest.
     */
    void messageDone() {
        written.addAll(seen.keySet().stream().filter(k -> k.endsWith(":" + messageId)).toList());
        written.forEach(state::clear);
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
