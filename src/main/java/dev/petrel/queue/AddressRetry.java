package dev.petrel.queue;

import dev.petrel.hints.RetryRecord;
import dev.petrel.transport.Address;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Retry state of one message's addresses and domains, Exim's {@code R:} records: {@code R:domain} after a
 * routing deferral, {@code R:local@domain:<sender>} after a 4xx to RCPT (Exim's default
 * {@code address_retry_include_sender}). Records this delivery saw are removed once their address gets on.
 */
final class AddressRetry {
    private final RetryState state;
    private final String sender;
    private final Instant received;
    private final boolean force;
    private final Set<String> seen = new HashSet<>();

    AddressRetry(RetryState state, String sender, Instant received, boolean force) {
        this.state = state;
        this.sender = sender;
        this.received = received;
        this.force = force;
    }

    static String domainKey(String rcpt) {
        return "R:" + Address.parse(rcpt).domain();
    }

    private String addressKeys(String rcpt, boolean withSender) {
        String address = "R:" + Address.parse(rcpt).canonical();
        return withSender ? address + ":<" + sender + ">" : address;
    }

    /**
     * Whether {@code rcpt} may be routed now: no record for its domain or address says "not yet" (Exim's
     * "retry time not reached"), or the delivery is forced, or the message has outlived the rules.
     */
    boolean due(String rcpt) {
        String domain = Address.parse(rcpt).domain();
        boolean due = true;
        for (String key : List.of(domainKey(rcpt), addressKeys(rcpt, false), addressKeys(rcpt, true))) {
            Optional<RetryRecord> r = state.read(key);
            if (r.isEmpty()) {
                continue;
            }
            seen.add(key);
            if (!force && state.now().isBefore(r.get().nextTry())
                    && !state.ultimateTimeout(key, domain, r.get(), received)) {
                due = false;
            }
        }
        return due;
    }

    /** Routing deferred: the domain's record is updated; true when it has timed out. */
    boolean routingDeferred(String rcpt, int errno, String reason) {
        return state.failed(domainKey(rcpt), null, errno, 0, reason, received);
    }

    /** Routing worked: the domain's record, if this delivery saw one, goes. */
    void routed(String rcpt) {
        forget(domainKey(rcpt));
    }

    /** A 4xx to RCPT: the address's record (with the sender) is updated; true when it has timed out. */
    boolean recipientDeferred(String rcpt, int errno, int more, String reason) {
        return state.failed(addressKeys(rcpt, true), Address.parse(rcpt).domain(), errno, more, reason, received);
    }

    void delivered(String rcpt) {
        forget(addressKeys(rcpt, false));
        forget(addressKeys(rcpt, true));
    }

    private void forget(String key) {
        if (seen.remove(key)) {
            state.clear(key);
        }
    }
}
