package dev.petrel.queue;

import dev.petrel.transport.RemoteFacts;

/**
 * A recipient as a delivery status notification reports it: failed (the bounce), still deferred (a delay
 * warning) or delivered, and why.
 *
 * @param reason what went wrong, as the log says it; null for a delivery
 * @param remote the host that answered, with its reply, null when no host decided it (routing, a local
 *     delivery, no connection)
 */
public record Failure(String recipient, String reason, RemoteFacts remote) {

    public Failure(String recipient, String reason) {
        this(recipient, reason, null);
    }
}
