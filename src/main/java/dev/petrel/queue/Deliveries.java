package dev.petrel.queue;

import dev.petrel.transport.Address;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A message's outstanding recipients after routing, with duplicates put together: recipients that reach the
 * same transport with the same address (domain caseless, and local part too, as {@code caseful_local_part}
 * is false) are one delivery. Exim removes such duplicates after routing and logs only the first; Exim 4.96
 * still treats {@code U1@x} and {@code u1@x} as two, and delivers twice into one mailbox, which Petrel does
 * not. Unrouteable recipients are each their own.
 *
 * @param unique the recipients to deliver, in envelope order
 * @param groups for each of them, itself followed by the duplicates its delivery covers
 * @param routes what the router said for each of them
 */
record Deliveries(List<String> unique, Map<String, List<String>> groups, Map<String, Optional<Route>> routes) {

    Deliveries {
        unique = List.copyOf(unique);
        groups = Map.copyOf(groups);
        routes = Map.copyOf(routes);
    }

    static Deliveries of(List<String> recipients, Router router) {
        Map<String, String> firstByKey = new HashMap<>();
        Map<String, List<String>> groups = new LinkedHashMap<>();
        Map<String, Optional<Route>> routes = new HashMap<>();
        for (String rcpt : recipients) {
            Optional<Route> route = router.route(rcpt);
            String key = route.map(r -> r.transport() + " " + Address.parse(rcpt).canonical()).orElse(null);
            String first = key == null ? null : firstByKey.putIfAbsent(key, rcpt);
            if (first != null) {
                groups.get(first).add(rcpt);
            } else {
                groups.put(rcpt, new ArrayList<>(List.of(rcpt)));
                routes.put(rcpt, route);
            }
        }
        Map<String, List<String>> frozen = new HashMap<>();
        groups.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        return new Deliveries(new ArrayList<>(groups.keySet()), frozen, routes);
    }

    /** {@code rcpt} (one of {@link #unique}) and the duplicates its delivery covers. */
    List<String> sameDelivery(String rcpt) {
        return groups.get(rcpt);
    }

    Optional<Route> route(String rcpt) {
        return routes.get(rcpt);
    }

}
