package dev.petrel.queue.routing;

import java.util.List;
import java.util.Objects;

/** What one router made of one address. */
public sealed interface RoutingResult {

    /**
     * The router took the address.
     *
     * @param hosts where a remote transport is to deliver, in the order to try them; empty for a local
     *     delivery ({@code accept})
     */
    record Routed(String router, String transport, List<Host> hosts) implements RoutingResult {
        public Routed {
            Objects.requireNonNull(router, "router");
            hosts = List.copyOf(hosts);
        }
    }

    /** Not this router's address: the next router is asked. */
    record Declined() implements RoutingResult {}

    /** Routing cannot finish now (a DNS server did not answer, say): the address stays queued. */
    record Deferred(String router, String reason) implements RoutingResult {}

    /** The address can never be routed: it is bounced. {@code router} is null when no router took it at all. */
    record Failed(String router, String reason) implements RoutingResult {}
}
