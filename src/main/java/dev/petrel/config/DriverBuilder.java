package dev.petrel.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns a driver instance as written into a {@link RouterConfig} or {@link TransportConfig}, checking each option. */
final class DriverBuilder {
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

    RouterConfig router(String name, int line, List<Setting> settings) throws ConfigException {
        Instance i = instance("router", name, line, settings, DriverOptions.ROUTERS);
        Map<String, String> options = i.options();
        if (i.driver().equals("manualroute") && options.containsKey("route_list") == options.containsKey("route_data")) {
            throw error(line, "router \"" + name + "\": manualroute needs route_list or route_data (but not both)");
        }
        String domainsText = options.remove("domains");
        DomainList domains = DomainList.all();
        if (domainsText != null) {
            try {
                domains = DomainList.parse(domainsText, domainLists, primaryHostname);
            } catch (IllegalArgumentException e) {
                throw error(i.lines().get("domains"), "router \"" + name + "\": option \"domains\": " + e.getMessage());
            }
        }
        String transport = options.remove("transport");
        List<RouteList.Route> routes = List.of();
        if (options.containsKey("route_list")) {
            try {
                routes = RouteList.parseList(options.get("route_list"), domainLists, primaryHostname);
            } catch (IllegalArgumentException e) {
                throw error(i.lines().get("route_list"), "router \"" + name + "\": option \"route_list\": " + e.getMessage());
            }
        }
        for (Map.Entry<String, List<String>> choice : RouterConfig.CHOICES.entrySet()) {
            String value = options.get(choice.getKey());
            if (value != null && !choice.getValue().contains(value)) {
                throw error(i.lines().get(choice.getKey()), "router \"" + name + "\": option \"" + choice.getKey()
                        + "\": \"" + value + "\" is not one of " + String.join(", ", choice.getValue()));
            }
        }
        return new RouterConfig(name, i.driver(), domains, transport, options, routes);
    }

    TransportConfig transport(String name, int line, List<Setting> settings) throws ConfigException {
        Instance i = instance("transport", name, line, settings, DriverOptions.TRANSPORTS);
        Map<String, HostList> lists = new LinkedHashMap<>();
        Map<String, DriverOptions.Type> types = DriverOptions.TRANSPORTS.get(i.driver());
        for (Map.Entry<String, String> e : i.options().entrySet()) {
            if (types.get(e.getKey()) == DriverOptions.Type.HOST_LIST) {
                try {
                    lists.put(e.getKey(), HostList.parse(e.getValue(), hostLists, primaryHostname));
                } catch (IllegalArgumentException ex) {
                    throw error(i.lines().get(e.getKey()),
                            "transport \"" + name + "\": option \"" + e.getKey() + "\": " + ex.getMessage());
                }
            }
        }
        return new TransportConfig(name, i.driver(), i.options(), lists);
    }

    /** Options of one instance under canonical names, with the line each was set on. */
    private record Instance(String driver, Map<String, String> options, Map<String, Integer> lines) {}

    private Instance instance(String kind, String name, int line, List<Setting> settings,
                              Map<String, Map<String, DriverOptions.Type>> drivers) throws ConfigException {
        String where = kind + " \"" + name + "\"";
        Setting driverSetting = null;
        for (Setting s : settings) {
            if (s.name().equals("driver")) {
                driverSetting = s;
            }
        }
        if (driverSetting == null || driverSetting.bare() || driverSetting.value().isBlank()) {
            throw error(driverSetting == null ? line : driverSetting.line(), where + ": no driver defined");
        }
        String driver = driverSetting.value();
        Map<String, DriverOptions.Type> types = drivers.get(driver);
        if (types == null) {
            throw error(driverSetting.line(), where + ": unknown driver \"" + driver + "\" (known: "
                    + String.join(", ", drivers.keySet().stream().sorted().toList()) + ")");
        }
        Map<String, String> options = new LinkedHashMap<>();
        Map<String, Integer> lines = new LinkedHashMap<>();
        for (Setting s : settings) {
            if (s.name().equals("driver")) {
                continue;
            }
            String option = s.name();
            String value = s.value();
            DriverOptions.Type type = types.get(option);
            if (type == null) {
                String base = option.startsWith("no_") ? option.substring(3)
                        : option.startsWith("not_") ? option.substring(4) : null;
                if (base != null && types.get(base) == DriverOptions.Type.BOOLEAN) {
                    if (!s.bare()) {
                        throw error(s.line(), where + ": \"" + option + "\" cannot be given a value; write " + base + " = false");
                    }
                    option = base;
                    type = DriverOptions.Type.BOOLEAN;
                    value = "false";
                } else {
                    throw error(s.line(), where + ": option \"" + option + "\" unknown for the " + driver + " driver");
                }
            } else if (s.bare()) {
                if (type != DriverOptions.Type.BOOLEAN) {
                    throw error(s.line(), where + ": option \"" + option + "\" needs a value (" + option + " = ...)");
                }
                value = "true";
            }
            try {
                options.put(option, check(type, value));
            } catch (IllegalArgumentException e) {
                throw error(s.line(), where + ": option \"" + option + "\": " + e.getMessage());
            }
            lines.put(option, s.line());
        }
        return new Instance(driver, options, lines);
    }

    /** Validates a value and returns its canonical text. */
    private static String check(DriverOptions.Type type, String value) {
        return switch (type) {
            case BOOLEAN -> Boolean.toString(Values.parseBoolean(value));
            case TIME -> Values.formatTime(Values.parseTime(value));
            case OCTAL -> {
                Values.parseOctal(value);
                yield value;
            }
            case PORT -> {
                if (value.indexOf('$') < 0) {
                    Values.parsePort(value);
                }
                yield value;
            }
            // Lists are parsed by the caller, which knows the named lists.
            case STRING, HOST_LIST, DOMAIN_LIST -> value;
        };
    }

    private ConfigException error(int line, String reason) {
        return new ConfigException(source, line, reason);
    }
}
