package dev.petrel.config;

import static dev.petrel.config.OptionTypes.BOOL;
import static dev.petrel.config.OptionTypes.DOMAIN_LIST;
import static dev.petrel.config.OptionTypes.EXPANDABLE;
import static dev.petrel.config.OptionTypes.STRING;
import static dev.petrel.config.OptionTypes.choice;

/**
 * Router options, declared once each: the generic ones every router has, then each driver's own table.
 * Read them back with {@link RouterConfig#get(Option)}.
 */
public final class RouterOptions {
    public static final OptionTable GENERIC = new OptionTable("router", null);

    public static final Option<String> DRIVER = GENERIC.add("driver", STRING, null);
    /** Unset, a router takes every domain. */
    public static final Option<DomainList> DOMAINS = GENERIC.add("domains", DOMAIN_LIST, "*");
    /** A name with {@code $} in it is left for expansion, so it is not checked against the transports. */
    public static final Option<String> TRANSPORT = GENERIC.add("transport", EXPANDABLE, null);
    /** What to do when a route leads back to this host: Exim's words, except {@code reroute:domain}. */
    public static final Option<String> SELF = GENERIC.add("self", choice("defer", "fail", "freeze", "pass", "send"), "freeze");
    /** False: an address this router declines is not offered to the routers after it. */
    public static final Option<Boolean> MORE = GENERIC.add("more", BOOL, "true");
    /** Preconditions Petrel does not check yet: a router that ignored them would take the wrong addresses. */
    public static final Option<String> LOCAL_PARTS = GENERIC.add(Option.of("local_parts", STRING, null).notImplemented());
    public static final Option<Boolean> CHECK_LOCAL_USER = GENERIC.add(
            Option.of("check_local_user", BOOL, "false").notImplemented());

    public static final OptionTable ACCEPT = new OptionTable("accept", GENERIC);
    public static final OptionTable DNSLOOKUP = new OptionTable("dnslookup", GENERIC);

    /** manualroute: exactly one of {@code route_list} and {@code route_data}. */
    public static final class Manualroute {
        public static final OptionTable TABLE = new OptionTable("manualroute", GENERIC);

        public static final Option<RouteList.Routes> ROUTE_LIST = TABLE.add("route_list", OptionTypes.ROUTE_LIST, null);
        /** Expanded per address into one route without the domain pattern. */
        public static final Option<String> ROUTE_DATA = TABLE.add("route_data", EXPANDABLE, null);
        /** Whether each route's hosts are shuffled, unless the route says {@code randomize}/{@code no_randomize}. */
        public static final Option<Boolean> HOSTS_RANDOMIZE = TABLE.add("hosts_randomize", BOOL, "false");
        public static final Option<String> HOST_FIND_FAILED = TABLE.add("host_find_failed",
                choice("decline", "defer", "fail", "freeze", "ignore", "pass"), "freeze");

        private Manualroute() {}
    }

    private RouterOptions() {}
}
