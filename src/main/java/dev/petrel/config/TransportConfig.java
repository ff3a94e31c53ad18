package dev.petrel.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One transport instance from {@code begin transports}.
 *
 * @param driver {@code appendfile} or {@code smtp}
 * @param options every option but {@code driver}, under its canonical name: booleans as {@code "true"}/
 *     {@code "false"}, times normalised ({@code 5m}), the rest exactly as written — {@code $local_part}
 *     and friends are expanded at delivery time, not here
 * @param hostLists the host-list options ({@code hosts_pipe_connect}, {@code tls_resumption_hosts}, ...)
 *     already parsed, so that {@code +name} references to named lists resolve
 */
public record TransportConfig(String name, String driver, Map<String, String> options, Map<String, HostList> hostLists) {
    public TransportConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(driver, "driver");
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
        hostLists = Collections.unmodifiableMap(new LinkedHashMap<>(hostLists));
    }

    /** For hand-built instances (tests): host lists are parsed from {@code options} on demand. */
    public TransportConfig(String name, String driver, Map<String, String> options) {
        this(name, driver, options, Map.of());
    }

    public String option(String name, String dflt) {
        return options.getOrDefault(name, dflt);
    }

    public boolean flag(String name, boolean dflt) {
        String v = options.get(name);
        return v == null ? dflt : Values.parseBoolean(v);
    }

    /** A time option such as {@code connect_timeout}. */
    public Duration duration(String name, Duration dflt) {
        String v = options.get(name);
        return v == null ? dflt : Values.parseTime(v);
    }

    /**
     * A host-list option; {@code dflt} when unset. For instances not built by the parser the list is
     * parsed here, without named lists and with {@code localhost} standing in for {@code @}.
     */
    public HostList hostList(String name, HostList dflt) {
        HostList parsed = hostLists.get(name);
        if (parsed != null) {
            return parsed;
        }
        String v = options.get(name);
        return v == null ? dflt : HostList.parse(v, Map.of(), "localhost");
    }
}
