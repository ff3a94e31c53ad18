package dev.petrel.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the main section as written, then turns it into a {@link MainConfig}. Values are read only once
 * the whole section is in, because some depend on settings later in the file ({@code @} in a list means
 * whatever {@code primary_hostname} finally is; bare interfaces take {@code daemon_smtp_ports}).
 */
final class MainSection {
    record NamedList(String kind, String name, String value, int line) {}

    private final String source;
    private final OptionResolver options;
    private final List<NamedList> namedLists = new ArrayList<>();

    MainSection(String source) {
        this.source = source;
        this.options = new OptionResolver(MainOptions.TABLE, OptionScope.main(source));
    }

    void set(Setting s) throws ConfigException {
        options.set(s);
    }

    void addNamedList(NamedList list) throws ConfigException {
        for (NamedList other : namedLists) {
            if (other.kind().equals(list.kind()) && other.name().equals(list.name())) {
                throw new ConfigException(source, list.line(),
                        list.kind() + " \"" + list.name() + "\" is already defined (line " + other.line() + ")");
            }
        }
        namedLists.add(list);
    }

    MainConfig build() throws ConfigException {
        String hostname = options.resolve(MainOptions.PRIMARY_HOSTNAME);
        Map<String, HostList> hostLists = new LinkedHashMap<>();
        Map<String, DomainList> domainLists = new LinkedHashMap<>();
        for (NamedList n : namedLists) {
            try {
                if (n.kind().equals("hostlist")) {
                    hostLists.put(n.name(), HostList.parse(n.value(), hostLists, hostname));
                } else {
                    domainLists.put(n.name(), DomainList.parse(n.value(), domainLists, hostname));
                }
            } catch (IllegalArgumentException e) {
                throw new ConfigException(source, n.line(), n.kind() + " " + n.name() + ": " + e.getMessage());
            }
        }
        options.lists(hostname, hostLists, domainLists);
        return new MainConfig(options.resolveAll(), hostLists, domainLists);
    }
}
