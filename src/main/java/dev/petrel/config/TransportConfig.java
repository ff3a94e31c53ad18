package dev.petrel.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One transport instance from {@code begin transports}.
 *
 * @param driver {@code appendfile} or {@code smtp}
 * @param options every option of the driver's table ({@link TransportOptions}), defaults included; expandable
 *     ones ({@code $local_part} and friends) as written, expanded at delivery time
 */
public record TransportConfig(String name, String driver, OptionValues options) {
    public TransportConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(options, "options");
    }

    /**
     * An instance built in code rather than read from a file (tests): the options as they would be written,
     * checked the same way, with no named lists and {@code localhost} standing in for {@code @}.
     *
     * @throws IllegalArgumentException with the reason a file would have been refused for
     */
    public TransportConfig(String name, String driver, Map<String, String> written) {
        this(name, driver, standalone(name, driver, written));
    }

    /** A typed option value, or its default; null when unset without one. */
    public <T> T get(Option<T> option) {
        return options.get(option);
    }

    private static OptionValues standalone(String name, String driver, Map<String, String> written) {
        List<Setting> settings = new ArrayList<>();
        settings.add(new Setting("driver", driver, 0));
        written.forEach((option, value) -> settings.add(new Setting(option, value, 0)));
        try {
            return DriverBuilder.standalone().transport(name, 0, settings).options();
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.reason(), e);
        }
    }
}
