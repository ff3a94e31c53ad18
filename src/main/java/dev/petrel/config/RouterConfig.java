package dev.petrel.config;

import java.util.List;
import java.util.Objects;

/**
 * One router instance from {@code begin routers}, in file order.
 *
 * @param driver {@code accept}, {@code manualroute} or {@code dnslookup}
 * @param options every option of the driver's table ({@link RouterOptions}), defaults included
 */
public record RouterConfig(String name, String driver, OptionValues options) {
    public RouterConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(options, "options");
    }

    /** A typed option value, or its default; null when unset without one. */
    public <T> T get(Option<T> option) {
        return options.get(option);
    }

    /** The {@code domains} precondition; every domain when unset, as in Exim. */
    public DomainList domains() {
        return get(RouterOptions.DOMAINS);
    }

    /** The transport name, or null; names containing {@code $} are left for expansion. */
    public String transport() {
        return get(RouterOptions.TRANSPORT);
    }

    /** A manualroute router's {@code route_list}, in order; empty when unset. */
    public List<RouteList.Route> routeList() {
        RouteList.Routes routes = get(RouterOptions.Manualroute.ROUTE_LIST);
        return routes == null ? List.of() : routes.routes();
    }
}
