package dev.petrel.queue;

import dev.petrel.config.Config;
import dev.petrel.config.ListenAddress;
import dev.petrel.config.RouterConfig;
import dev.petrel.config.RouterOptions;
import dev.petrel.config.RouterOptions.Manualroute;
import dev.petrel.queue.dns.DnsResolver;
import dev.petrel.queue.dns.Resolver;
import dev.petrel.queue.routing.AcceptRouter;
import dev.petrel.queue.routing.DnsLookupRouter;
import dev.petrel.queue.routing.ManualRouteRouter;
import dev.petrel.queue.routing.RouterDriver;
import dev.petrel.queue.routing.RoutingResult;
import dev.petrel.queue.routing.ThisHost;
import dev.petrel.transport.Address;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * The router chain: routers are tried in configuration order; one whose {@code domains} does not match is
 * skipped, one that declines passes the address on (unless it says {@code no_more}), and the first other
 * answer stands. An address no router takes is unrouteable, a permanent failure.
 */
public final class Router {
    static final String UNROUTEABLE = "Unrouteable address";

    private record Step(RouterConfig config, RouterDriver driver) {}

    private final List<Step> steps;
    private final String qualifyDomain;

    private Router(List<Step> steps, String qualifyDomain) {
        this.steps = List.copyOf(steps);
        this.qualifyDomain = qualifyDomain == null ? "" : qualifyDomain.toLowerCase(Locale.ROOT);
    }

    /** The configured chain, resolving through {@code dns_servers} (or the system's resolver when unset). */
    public static Router from(Config config) {
        List<ListenAddress> servers = config.main().dnsServers();
        Resolver resolver = DnsResolver.using(servers.stream().map(ListenAddress::socketAddress).toList(),
                DnsResolver.DEFAULT_TIMEOUT);
        return from(config, resolver);
    }

    public static Router from(Config config, Resolver resolver) {
        ThisHost thisHost = ThisHost.of(config.main());
        RandomGenerator random = RandomGenerator.getDefault();
        List<Step> steps = new ArrayList<>();
        for (RouterConfig r : config.routers()) {
            RouterDriver driver = switch (r.driver()) {
                case "accept" -> new AcceptRouter(r.name(), r.transport());
                case "manualroute" -> new ManualRouteRouter(r.name(), r.transport(), r.routeList(),
                        r.get(Manualroute.ROUTE_DATA), r.get(Manualroute.HOSTS_RANDOMIZE),
                        r.get(Manualroute.HOST_FIND_FAILED), resolver, random);
                case "dnslookup" -> new DnsLookupRouter(r.name(), r.transport(), r.get(RouterOptions.SELF), resolver,
                        thisHost, random);
                default -> (localPart, domain) -> new RoutingResult.Deferred(r.name(),
                        r.driver() + " router driver not available in this version");
            };
            steps.add(new Step(r, driver));
        }
        return new Router(steps, config.main().qualifyDomain());
    }

    /** Routes one recipient: never {@link RoutingResult.Declined}, which the chain turns into a failure. */
    public RoutingResult route(String recipient) {
        Address address = Address.parse(recipient);
        String domain = address.domain().toLowerCase(Locale.ROOT);
        if (domain.isEmpty()) {
            domain = qualifyDomain;
        }
        for (Step step : steps) {
            if (!step.config().domains().matches(domain)) {
                continue;
            }
            RoutingResult result = step.driver().route(address.localPart(), domain);
            if (!(result instanceof RoutingResult.Declined)) {
                return result;
            }
            if (!step.config().get(RouterOptions.MORE)) {
                break;
            }
        }
        return new RoutingResult.Failed(null, UNROUTEABLE);
    }
}
