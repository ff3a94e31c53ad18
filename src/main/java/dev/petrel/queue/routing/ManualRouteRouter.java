package dev.petrel.queue.routing;

import dev.petrel.config.RouteList;
import dev.petrel.queue.dns.Lookup;
import dev.petrel.queue.dns.Resolver;
import dev.petrel.transport.Expansion;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The {@code manualroute} driver: the first {@code route_list} route whose pattern matches the domain, or the
 * expanded {@code route_data}, names the hosts; host names are resolved through the same resolver as
 * dnslookup's. {@code randomize} (or the router's {@code hosts_randomize}) shuffles the hosts first. A host
 * name that does not resolve is dealt with as {@code host_find_failed} says (Exim's default {@code freeze}
 * defers here, since Petrel does not freeze messages); a lookup that cannot be answered now defers.
 */
public final class ManualRouteRouter implements RouterDriver {
    private final String name;
    private final String transport;
    private final List<RouteList.Route> routeList;
    private final String routeData;
    private final boolean hostsRandomize;
    private final String hostFindFailed;
    private final Resolver resolver;
    private final RandomGenerator random;

    /**
     * @param routeList the parsed {@code route_list}; empty when {@code routeData} is used instead
     * @param routeData {@code route_data} as written, or null
     */
    public ManualRouteRouter(String name, String transport, List<RouteList.Route> routeList, String routeData,
                             boolean hostsRandomize, String hostFindFailed, Resolver resolver, RandomGenerator random) {
        this.name = name;
        this.transport = transport;
        this.routeList = List.copyOf(routeList);
        this.routeData = routeData;
        this.hostsRandomize = hostsRandomize;
        this.hostFindFailed = hostFindFailed == null ? "freeze" : hostFindFailed;
        this.resolver = resolver;
        this.random = random;
    }

    @Override
    public RoutingResult route(String localPart, String domain) {
        Expansion expansion = new Expansion(Map.of("domain", domain, "local_part", localPart));
        RouteList.Route route;
        List<RouteList.HostSpec> specs;
        try {
            route = routeData != null ? RouteList.parseData(expansion.expand(routeData)) : matching(domain);
            if (route == null) {
                return new RoutingResult.Declined();
            }
            specs = new ArrayList<>(RouteList.hosts(expansion.expand(route.hosts())));
        } catch (IllegalArgumentException e) {
            return new RoutingResult.Deferred(name, e.getMessage() + " in " + name + " router");
        }
        if (route.randomize() != null ? route.randomize() : hostsRandomize) {
            for (int i = specs.size() - 1; i > 0; i--) {
                specs.set(i, specs.set(random.nextInt(i + 1), specs.get(i)));
            }
        }
        List<Host> hosts = new ArrayList<>();
        for (RouteList.HostSpec spec : specs) {
            if (spec.literal() != null) {
                hosts.add(new Host(spec.name(), spec.literal(), spec.port(), -1));
                continue;
            }
            Lookup<InetAddress> lookup = resolver.addresses(spec.name());
            if (lookup instanceof Lookup.Found<InetAddress> found) {
                found.records().forEach(a -> hosts.add(new Host(spec.name(), a, spec.port(), -1)));
            } else if (lookup instanceof Lookup.TryAgain<InetAddress>) {
                return new RoutingResult.Deferred(name, DnsLookupRouter.DID_NOT_COMPLETE);
            } else if (!hostFindFailed.equals("ignore")) {
                return hostNotFound(spec.name());
            }
        }
        if (hosts.isEmpty()) {
            return new RoutingResult.Deferred(name, "all hosts for " + domain + " were ignored (host_find_failed = ignore)");
        }
        return new RoutingResult.Routed(name, transport, hosts);
    }

    private RouteList.Route matching(String domain) {
        for (RouteList.Route r : routeList) {
            if (r.domains().matches(domain)) {
                return r;
            }
        }
        return null;
    }

    /** What {@code host_find_failed} (other than {@code ignore}) makes of a host name that does not resolve. */
    private RoutingResult hostNotFound(String host) {
        String reason = "lookup of host \"" + host + "\" failed in " + name + " router";
        return switch (hostFindFailed) {
            case "decline", "pass" -> new RoutingResult.Declined();
            case "fail" -> new RoutingResult.Failed(name, reason);
            default -> new RoutingResult.Deferred(name, reason);
        };
    }
}
