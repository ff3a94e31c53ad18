package dev.petrel.queue.routing;

import java.util.List;

/** The {@code accept} driver: every address that reaches it goes to its transport, with no hosts. */
public record AcceptRouter(String name, String transport) implements RouterDriver {

    @Override
    public RoutingResult route(String localPart, String domain) {
        return new RoutingResult.Routed(name, transport, List.of());
    }
}
