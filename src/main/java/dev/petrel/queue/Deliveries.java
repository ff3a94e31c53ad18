package dev.petrel.queue;

import dev.petrel.queue.routing.RoutingResult;
import dev.petrel.transport.Address;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A message's outstanding recipients after routing, with duplicates put together: recipients that reach the
 * same transport with the same address (domain caseless, and local part too, as {@code caseful_local_part}
 * is false) are one delivery. Exim removes such duplicates after routing and logs only the first; Exim 4.96
 * still treats {@code U1@x} and {@code u1@x} as two, and delivers twice into one mailbox, which Petrel does
 * not. Recipients not routed (failed, deferred) are each their own.
 *
 * @param unique the recipients to deliver, in envelope order
 * @param groups for each of them, itself followed by the duplicates its delivery covers
 * @param routings what the router chain said for each of them
 */
record Deliveries(List<String> unique, Map<String, List<String>> groups, Map<String, RoutingResult> routings) {

    Deliveries {
        unique = List.copyOf(unique);
        groups = Map.copyOf(groups);
        routings = Map.copyOf(routings);
    }

    static Deliveries of(List<String> recipients, Router router) {
        Map<String, String> firstByKey = new HashMap<>();
        Map<String, List<String>> groups = new LinkedHashMap<>();
        Map<String, RoutingResult> routings = new HashMap<>();
        for (String rcpt : recipients) {
            RoutingResult routing = router.route(rcpt);
            String key = routing instanceof RoutingResult.Routed r
                    ? r.transport() + " " + Address.parse(rcpt).canonical() : null;
            String first = key == null ? null : firstByKey.putIfAbsent(key, rcpt);
            if (first != null) {
                groups.get(first).add(rcpt);
            } else {
                groups.put(rcpt, new ArrayList<>(List.of(rcpt)));
                routings.put(rcpt, routing);
            }
        }
        Map<String, List<String>> frozen = new HashMap<>();
        groups.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        return new Deliveries(new ArrayList<>(groups.keySet()), frozen, routings);
    }

    /** {@code rcpt} (one of {@link #unique}) and the duplicates its delivery covers. */
    List<String> sameDelivery(String rcpt) {
        return groups.get(rcpt);
    }

    RoutingResult routing(String rcpt) {
        return routings.get(rcpt);
    }
}
