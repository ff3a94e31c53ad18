package dev.petrel.config;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Works out the value of every option of a table from the settings of one section or driver instance:
 * the setting if there is one, else the declared default. Values are read on first use, so an option
 * may read another ({@code local_interfaces} takes {@code daemon_smtp_ports}, {@code qualify_domain}
 * defaults to {@code primary_hostname}).
 */
final class OptionResolver implements OptionContext {
    private final OptionTable table;
    private final OptionScope scope;
    private final Map<String, Setting> settings = new LinkedHashMap<>();
    private final Map<Option<?>, Object> resolved = new HashMap<>();
    private final Set<Option<?>> resolving = new HashSet<>();
    private String primaryHostname;
    private Map<String, HostList> hostLists = Map.of();
    private Map<String, DomainList> domainLists = Map.of();

    OptionResolver(OptionTable table, OptionScope scope) {
        this.table = table;
        this.scope = scope;
    }

    /**
     * Records a line of the file; unknown options and misused {@code no_} fail here, at their line. Last one
     * wins, except for an option whose type joins its settings ({@code headers_add}, {@code headers_remove}).
     */
    void set(Setting written) throws ConfigException {
        Setting s = table.canonical(written, scope);
        Setting before = settings.get(s.name());
        String joiner = table.find(s.name()).orElseThrow().type().joiner();
        if (before != null && joiner != null && !s.bare() && !before.bare()) {
            s = new Setting(s.name(), before.value() + joiner + s.value(), before.line());
        }
        settings.put(s.name(), s);
    }

    /** What {@code @} and {@code +name} mean in this section's lists. */
    void lists(String hostname, Map<String, HostList> hosts, Map<String, DomainList> domains) {
        this.primaryHostname = hostname;
        this.hostLists = Map.copyOf(hosts);
        this.domainLists = Map.copyOf(domains);
    }

    /** One value, for what must be known before the rest can be read ({@code primary_hostname}). */
    <T> T resolve(Option<T> option) throws ConfigException {
        try {
            return value(option);
        } catch (Failure f) {
            throw f.cause;
        }
    }

    /** Every option of the table; the options set in the file are read first, in file order, so that the first bad line is the one reported. */
    OptionValues resolveAll() throws ConfigException {
        try {
            for (Setting s : settings.values()) {
                value(table.find(s.name()).orElseThrow());
            }
            for (Option<?> o : table.options()) {
                value(o);
            }
        } catch (Failure f) {
            throw f.cause;
        }
        return new OptionValues(table, resolved, settings.keySet());
    }

    @Override
    public String primaryHostname() {
        if (primaryHostname == null) {
            throw new IllegalStateException("lists are read before " + scope.subject("primary_hostname") + " is known");
        }
        return primaryHostname;
    }

    @Override
    public Map<String, HostList> hostLists() {
        return hostLists;
    }

    @Override
    public Map<String, DomainList> domainLists() {
        return domainLists;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T value(Option<T> option) {
        if (resolved.containsKey(option)) {
            return (T) resolved.get(option);
        }
        if (!resolving.add(option)) {
            throw new IllegalStateException(table.name() + ": option " + option.name() + " depends on itself");
        }
        T value = read(option);
        resolving.remove(option);
        resolved.put(option, value);
        return value;
    }

    private <T> T read(Option<T> option) {
        Setting s = settings.get(option.name());
        String text = s != null ? s.value() : option.defaultText();
        T value;
        try {
            value = text == null ? option.type().unset() : option.type().parse(text, this);
        } catch (IllegalArgumentException e) {
            if (s == null) {
                throw new IllegalStateException("built-in default of " + option.name() + " is invalid", e);
            }
            throw new Failure(scope.error(s.line(), scope.subject(option.name()) + ": " + e.getMessage()));
        }
        if (value == null && option.computed() != null) {
            value = option.computed().apply(this);
        }
        Option.Requirement<T> requirement = option.requirement();
        if (requirement != null && value != null && !requirement.test().test(value, this)) {
            throw new Failure(scope.error(s == null ? 0 : s.line(), scope.subject(option.name()) + " " + requirement.failure()));
        }
        return value;
    }

    /** Carries a located error out through the types' parsers, which may ask for other options' values. */
    private static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient ConfigException cause;

        Failure(ConfigException cause) {
            super(cause.getMessage(), null, false, false);
            this.cause = cause;
        }
    }
}
