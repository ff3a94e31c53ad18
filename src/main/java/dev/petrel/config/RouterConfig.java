package dev.petrel.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One router instance from {@code begin routers}, in file order.
 *
 * @param driver {@code accept}, {@code manualroute} or {@code dnslookup}
 * @param domains the {@code domains} precondition; {@link DomainList#all()} when unset, as in Exim
 * @param transport the transport name, or null; names containing {@code $} are left for expansion
 * @param options the other options under their canonical names: booleans as {@code "true"}/{@code "false"}
 *     (so {@code no_more} is {@code more = false}), everything else as written, e.g. {@code route_list},
 *     {@code route_data}, {@code self}, {@code local_parts}, {@code check_local_user}
 * @param routeList manualroute's {@code route_list}, parsed; empty when unset
 */
public record RouterConfig(String name, String driver, DomainList domains, String transport, Map<String, String> options,
                           List<RouteList.Route> routeList) {
    /**
     * Options that take one of a few words, and the words Petrel implements: Exim's, except {@code self}'s
     * {@code reroute:domain}. {@code freeze} is the default of both.
     */
    public static final Map<String, List<String>> CHOICES = Map.of(
            "host_find_failed", List.of("decline", "defer", "fail", "freeze", "ignore", "pass"),
            "self", List.of("defer", "fail", "freeze", "pass", "send"));

    public RouterConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(driver, "driver");
        domains = domains == null ? DomainList.all() : domains;
        options = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(options));
        routeList = List.copyOf(routeList);
    }

    public RouterConfig(String name, String driver, DomainList domains, String transport, Map<String, String> options) {
        this(name, driver, domains, transport, options, List.of());
    }

    public String option(String name, String dflt) {
        return options.getOrDefault(name, dflt);
    }

    public boolean flag(String name, boolean dflt) {
        String v = options.get(name);
        return v == null ? dflt : Values.parseBoolean(v);
    }
}
