package dev.petrel.config;

import java.util.List;
import java.util.Map;

/** Turns a driver instance as written into a {@link RouterConfig} or {@link TransportConfig}, checking each option. */
final class DriverBuilder {
    /** The router drivers there are, each with its option table. */
    static final Map<String, OptionTable> ROUTERS = Map.of(
            "accept", RouterOptions.ACCEPT,
            "dnslookup", RouterOptions.DNSLOOKUP,
            "manualroute", RouterOptions.Manualroute.TABLE);

    static final Map<String, OptionTable> TRANSPORTS = Map.of(
            "appendfile", TransportOptions.Appendfile.TABLE,
            "smtp", TransportOptions.Smtp.TABLE);

    private final String source;
    private final String primaryHostname;
    private final Map<String, HostList> hostLists;
    private final Map<String, DomainList> domainLists;

    DriverBuilder(String source, String primaryHostname, Map<String, HostList> hostLists, Map<String, DomainList> domainLists) {
        this.source = source;
        this.primaryHostname = primaryHostname;
        this.hostLists = hostLists;
        this.domainLists = domainLists;
    }

    /** For instances built in code: no named lists, {@code localhost} for {@code @}. */
    static DriverBuilder standalone() {
        return new DriverBuilder("(built in code)", "localhost", Map.of(), Map.of());
    }

    RouterConfig router(String name, int line, List<Setting> settings) throws ConfigException {
        String driver = driver("router", name, line, settings, ROUTERS);
        RouterConfig r = new RouterConfig(name, driver, options("router", name, driver, settings, ROUTERS));
        if (r.driver().equals("manualroute")
                && r.options().isSet(RouterOptions.Manualroute.ROUTE_LIST) == r.options().isSet(RouterOptions.Manualroute.ROUTE_DATA)) {
            throw new ConfigException(source, line, "router \"" + name + "\": manualroute needs route_list or route_data (but not both)");
        }
        return r;
    }

    TransportConfig transport(String name, int line, List<Setting> settings) throws ConfigException {
        String driver = driver("transport", name, line, settings, TRANSPORTS);
        return new TransportConfig(name, driver, options("transport", name, driver, settings, TRANSPORTS));
    }

    /** The {@code driver} setting, checked before anything else since it says which options there are. */
    private String driver(String kind, String name, int line, List<Setting> settings, Map<String, OptionTable> drivers)
            throws ConfigException {
        String where = kind + " \"" + name + "\"";
        Setting driverSetting = null;
        for (Setting s : settings) {
            if (s.name().equals("driver")) {
                driverSetting = s;
            }
        }
        if (driverSetting == null || driverSetting.bare() || driverSetting.value().isBlank()) {
            throw new ConfigException(source, driverSetting == null ? line : driverSetting.line(), where + ": no driver defined");
        }
        String driver = driverSetting.value();
        if (!drivers.containsKey(driver)) {
            throw new ConfigException(source, driverSetting.line(), where + ": unknown driver \"" + driver + "\" (known: "
                    + String.join(", ", drivers.keySet().stream().sorted().toList()) + ")");
        }
        return driver;
    }

    private OptionValues options(String kind, String name, String driver, List<Setting> settings,
                                 Map<String, OptionTable> drivers) throws ConfigException {
        OptionResolver resolver = new OptionResolver(drivers.get(driver), OptionScope.driver(source, kind, name, driver));
        resolver.lists(primaryHostname, hostLists, domainLists);
        for (Setting s : settings) {
            resolver.set(s);
        }
        return resolver.resolveAll();
    }
}
