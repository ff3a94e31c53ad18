package dev.petrel.transport;

import dev.petrel.config.Config;
import dev.petrel.config.TransportConfig;
import dev.petrel.config.TransportOptions;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The configured transports, built once per configuration and shared by the delivery workers. A transport
 * this version cannot run is still present, as one that defers with the reason, so that the queue keeps
 * such mail and says why instead of pretending to deliver it.
 */
public final class Transports {
    public static final String SMTP_UNAVAILABLE = "smtp transport not available in this version";

    private final Map<String, Transport> byName;

    private Transports(Map<String, Transport> byName) {
        this.byName = Map.copyOf(byName);
    }

    /** @param relativeTo where relative maildir directories are rooted */
    public static Transports from(Config config, Path relativeTo) {
        Map<String, Transport> built = new HashMap<>();
        for (Map.Entry<String, TransportConfig> e : config.transports().entrySet()) {
            built.put(e.getKey(), build(e.getValue(), config.main().primaryHostname(), relativeTo));
        }
        return new Transports(built);
    }

    private static Transport build(TransportConfig t, String primaryHostname, Path relativeTo) {
        return switch (t.driver()) {
            case "appendfile" -> t.get(TransportOptions.Appendfile.MAILDIR_FORMAT)
                    ? new MaildirDelivery(t, primaryHostname, relativeTo)
                    : unavailable("appendfile transport without maildir_format (mbox) not available in this version");
            case "smtp" -> unavailable(SMTP_UNAVAILABLE);
            default -> unavailable(t.driver() + " transport driver not available in this version");
        };
    }

    /** The named transport; an undefined name gives one that defers, as a configuration error should. */
    public Transport get(String name) {
        Transport t = name == null ? null : byName.get(name);
        if (t == null) {
            return unavailable(name == null ? "no transport set" : "transport \"" + name + "\" is not defined");
        }
        return t;
    }

    public static Transport unavailable(String reason) {
        return (message, recipient) -> DeliveryResult.deferred(-1, reason);
    }
}
