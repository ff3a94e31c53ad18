package dev.petrel.queue;

import dev.petrel.config.Config;
import dev.petrel.config.RouterConfig;
import dev.petrel.transport.Address;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The router chain: routers are tried in configuration order and the first whose {@code domains} matches
 * takes the recipient. Only the domain condition exists so far, which is all the default configuration and
 * a smarthost setup need.
 */
public final class Router {
    private final List<RouterConfig> routers;
    private final String qualifyDomain;

    public Router(List<RouterConfig> routers, String qualifyDomain) {
        this.routers = List.copyOf(routers);
        this.qualifyDomain = qualifyDomain == null ? "" : qualifyDomain;
    }

    public static Router from(Config config) {
        String qualify = config.main().qualifyDomain();
        return new Router(config.routers(), qualify != null ? qualify : config.main().primaryHostname());
    }

    /** Empty when no router takes the address: it is then unrouteable, a permanent failure. */
    public Optional<Route> route(String recipient) {
        String domain = Address.parse(recipient).domain();
        if (domain.isEmpty()) {
            domain = qualifyDomain.toLowerCase(Locale.ROOT);
        }
        for (RouterConfig r : routers) {
            if (r.domains() == null || r.domains().matches(domain)) {
                return Optional.of(new Route(r.name(), r.driver(), r.transport()));
            }
        }
        return Optional.empty();
    }
}
