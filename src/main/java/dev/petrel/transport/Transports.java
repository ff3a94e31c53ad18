package dev.petrel.transport;

import dev.petrel.config.Config;
import dev.petrel.config.MainOptions;
import dev.petrel.config.TransportConfig;
import dev.petrel.config.TransportOptions;
import dev.petrel.hints.HintsDb;
import dev.petrel.tls.ClientTls;
import dev.petrel.tls.TicketStore;
import dev.petrel.transport.smtp.ClientLoop;
import dev.petrel.transport.smtp.ConnectionOffers;
import dev.petrel.transport.smtp.SmtpTransport;
import dev.petrel.transport.smtp.WaitHints;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The configured transports, built once per configuration and shared by the delivery workers. A transport
 * this version cannot run is still present, as one that defers with the reason, so that the queue keeps
 * such mail and says why instead of pretending to deliver it.
 */
public final class Transports implements AutoCloseable {
    private final Map<String, Transport> byName;
    private final List<AutoCloseable> resources;

    private Transports(Map<String, Transport> byName, List<AutoCloseable> resources) {
        this.byName = Map.copyOf(byName);
        this.resources = List.copyOf(resources);
    }

    /**
     * @param relativeTo where relative maildir directories are rooted
     * @param log the main log, for the smtp transport's per-host lines
     * @param waiting the queue's messages, for a connection that could carry more than one (connection reuse)
     * @param spoolDirectory the spool the messages come from, beside which the hints databases live
     * @throws IllegalStateException when the {@code tls} or {@code misc} hints DB an smtp transport needs cannot be opened
     */
    public static Transports from(Config config, Path relativeTo, Consumer<String> log, WaitingMessages waiting,
                                  Path spoolDirectory) {
        Map<String, Transport> built = new HashMap<>();
        List<AutoCloseable> resources = new java.util.ArrayList<>();
        TicketStore tickets = null;
        HintsDb misc = null;
        // One limit for every smtp transport: the host is what is protected, whichever transport reaches it.
        HostConnectionLimit perHost = new HostConnectionLimit(config.main().get(MainOptions.REMOTE_MAX_PER_HOST));
        ConnectionOffers offers = new ConnectionOffers();
        for (Map.Entry<String, TransportConfig> e : config.transports().entrySet()) {
            TransportConfig t = e.getValue();
            Transport transport;
            if (t.driver().equals("smtp")) {
                if (tickets == null) {
                    tickets = tickets(spoolDirectory, resources);
                    misc = open(spoolDirectory, "misc", resources);
                }
                ClientTls clientTls = clientTls(t, tickets);
                resources.add(clientTls);
                SmtpTransport.Sharing sharing = new SmtpTransport.Sharing(offers, waitHints(spoolDirectory, t, resources, log),
                        waiting);
                transport = new SmtpTransport(t, config.main().primaryHostname(), clientTls, ClientLoop.group(), log,
                        config.main().logs("outgoing_port"), perHost, misc, config.main().retryDataExpire(), sharing);
            } else {
                transport = build(t, config.main().primaryHostname(), relativeTo, log);
            }
            built.put(e.getKey(), transport);
        }
        return new Transports(built, resources);
    }

    /** Client TLS sessions are remembered in the {@code tls} hints DB, as Exim's {@code tls_resumption_hosts} needs. */
    private static TicketStore tickets(Path spoolDirectory, List<AutoCloseable> resources) {
        return new TicketStore(open(spoolDirectory, "tls", resources), Clock.systemUTC());
    }

    /** The {@code misc} database holds the EHLO records of early pipelining ({@code hosts_pipe_connect}). */
    private static HintsDb open(Path spoolDirectory, String name, List<AutoCloseable> resources) {
        try {
            HintsDb db = HintsDb.open(spoolDirectory, name);
            resources.add(db);
            return db;
        } catch (IOException e) {
            throw new IllegalStateException("cannot open the " + name + " hints database: " + e.getMessage(), e);
        }
    }

    /**
     * The transport's {@code wait-<transport>} database, unless {@code connection_max_messages = 1} makes it
     * useless (as in Exim); null when it cannot be opened, which costs reuse across attempts, never a delivery.
     */
    private static WaitHints waitHints(Path spoolDirectory, TransportConfig t, List<AutoCloseable> resources,
                                       Consumer<String> log) {
        if (t.get(TransportOptions.Smtp.CONNECTION_MAX_MESSAGES) == 1) {
            return null;
        }
        try {
            WaitHints hints = WaitHints.open(spoolDirectory, t.name());
            resources.add(hints);
            return hints;
        } catch (IOException | IllegalArgumentException e) {
            log.accept("cannot open hints database " + WaitHints.name(t.name()) + ": " + e.getMessage());
            return null;
        }
    }

    /** One TLS context per smtp transport: each has its own {@code tls_verify_certificates}. */
    private static ClientTls clientTls(TransportConfig t, TicketStore tickets) {
        String trust = t.get(TransportOptions.Smtp.TLS_VERIFY_CERTIFICATES);
        try {
            return ClientTls.create(ClientTls.Settings.defaults(), tickets, trust.equals("system")
                    ? ClientTls.defaultTrust() : ClientTls.trustFrom(Path.of(trust)));
        } catch (IOException e) {
            throw new IllegalStateException("transport " + t.name() + ": tls_verify_certificates: " + e.getMessage(), e);
        }
    }

    private static Transport build(TransportConfig t, String primaryHostname, Path relativeTo, Consumer<String> log) {
        return switch (t.driver()) {
            case "appendfile" -> t.get(TransportOptions.Appendfile.MAILDIR_FORMAT)
                    ? new MaildirDelivery(t, primaryHostname, relativeTo, log)
                    : unavailable("appendfile transport without maildir_format (mbox) not available in this version");
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
        return (Transport.PerRecipient) (message, recipient) -> DeliveryResult.deferred(-1, reason);
    }

    /** Releases the client TLS context and the hints DB; deliveries still running may fail and be deferred. */
    @Override
    public void close() {
        for (AutoCloseable r : resources.reversed()) {
            try {
                r.close();
            } catch (Exception e) {
                // Closing at shutdown: nothing left to tell.
            }
        }
    }
}
