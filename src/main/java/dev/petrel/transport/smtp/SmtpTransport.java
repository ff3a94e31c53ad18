package dev.petrel.transport.smtp;

import dev.petrel.config.HostList;
import dev.petrel.config.RouteList;
import dev.petrel.config.TransportConfig;
import dev.petrel.config.TransportOptions.Smtp;
import dev.petrel.config.OptionTypes;
import dev.petrel.spool.SpooledMessage;
import dev.petrel.tls.ClientTls;
import dev.petrel.transport.Address;
import dev.petrel.transport.DeliveryResult;
import dev.petrel.transport.Expansion;
import dev.petrel.transport.HostConnectionLimit;
import dev.petrel.transport.RemoteFacts;
import dev.petrel.transport.RemoteHost;
import dev.petrel.transport.Transport;
import dev.petrel.transport.WaitingMessages;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Exim's smtp transport: a group of recipients that routing sent to the same hosts goes to the first host
 * that takes the message, in one transaction. A host that cannot (no connection, a 421, a 4xx before the
 * recipients, a broken or hostile reply, a timeout) is logged and the next one tried; when none is left
 * every recipient is deferred with the last host's reason.
 */
public final class SmtpTransport implements Transport, Reuse.Targets {
    private final TransportConfig config;
    private final String primaryHostname;
    private final ClientTls clientTls;
    private final EventLoopGroup group;
    private final Consumer<String> log;
    private final boolean outgoingPort;
    private final HostConnectionLimit perHost;
    private final Reuse reuse;

    /**
     * @param log where the transport writes its per-host lines ({@code H=host [ip] Connection refused})
     * @param outgoingPort {@code +outgoing_port}: those lines name the port
     * @param perHost connections open at once to one host, shared by every smtp transport
     * @param sharing connection reuse: deliveries waiting in this process, the {@code wait-<transport>} database
     *     (null when it could not be opened) and the queue's waiting messages
     */
    public SmtpTransport(TransportConfig config, String primaryHostname, ClientTls clientTls, EventLoopGroup group,
                         Consumer<String> log, boolean outgoingPort, HostConnectionLimit perHost, Sharing sharing) {
        this.config = config;
        this.primaryHostname = primaryHostname;
        this.clientTls = clientTls;
        this.group = group;
        this.log = log;
        this.outgoingPort = outgoingPort;
        this.perHost = perHost;
        this.reuse = new Reuse(config.name(), config.get(Smtp.CONNECTION_MAX_MESSAGES), sharing.offers, sharing.hints,
                sharing.waiting, log);
    }

    /**
     * What the smtp transports of a process share for connection reuse.
     *
     * @param hints this transport's {@code wait-<transport>} database, or null
     */
    public record Sharing(ConnectionOffers offers, WaitHints hints, WaitingMessages waiting) {
    }

    @Override
    public List<DeliveryResult> deliver(SpooledMessage message, List<String> recipients, List<RemoteHost> routed) {
        return deliver(message, recipients, routed, results -> { });
    }

    @Override
    public List<DeliveryResult> deliver(SpooledMessage message, List<String> recipients, List<RemoteHost> routed,
                                        Consumer<List<DeliveryResult>> settled) {
        SmtpTransaction.Message text;
        List<RemoteHost> hosts;
        try {
            hosts = hosts(routed, Address.parse(recipients.getFirst()));
            text = read(message, recipients);
        } catch (IOException | IllegalArgumentException e) {
            return all(recipients, DeliveryResult.deferred(-1, e.getMessage()));
        }
        if (hosts.isEmpty()) {
            return all(recipients, DeliveryResult.deferred(-1, "no hosts to deliver to (the router gave none and "
                    + "the transport has no hosts option)"));
        }
        DeliveryResult last = null;
        List<DeliveryResult> results = null;
        boolean limited = false;
        for (RemoteHost host : hosts) {
            int port = host.port() >= 0 ? host.port() : port(host);
            HostPolicy policy = policy(host, port);
            Attempt attempt = attempt(message.id(), host, port, policy, text, settled);
            if (attempt.tlsFailed() && !policy.requireTls()) {
                // As Exim does: a TLS session that could not be set up is retried in cleartext when TLS is not required.
                attempt = attempt(message.id(), host, port, policy.withoutTls(), text, settled);
            }
            if (attempt.results() != null) {
                results = attempt.results();
                break;
            }
            last = attempt.failure();
            limited |= attempt.connectionLimit();
        }
        if (results == null) {
            results = all(recipients, last);
        }
        reuse.recordIfWaiting(hosts, message.id(), results, limited);
        return results;
    }

    /**
     * One connection's outcome: the per-recipient results, or the host's failure ({@code connectionLimit} when
     * it was that no connection to the host was free).
     */
    private record Attempt(List<DeliveryResult> results, DeliveryResult failure, boolean tlsFailed,
                           boolean connectionLimit) {
        Attempt(List<DeliveryResult> results, DeliveryResult failure, boolean tlsFailed) {
            this(results, failure, tlsFailed, false);
        }
    }

    private Attempt attempt(String id, RemoteHost host, int port, HostPolicy policy, SmtpTransaction.Message text,
                            Consumer<List<DeliveryResult>> settled) {
        Duration longest = policy.commandTimeout().compareTo(policy.dataTimeout()) > 0
                ? policy.commandTimeout() : policy.dataTimeout();
        HostConnectionLimit.Slot slot;
        try {
            switch (reuse.shareOrConnect(id, host, port, text, perHost, config.get(Smtp.CONNECT_TIMEOUT),
                    longest.multipliedBy(6))) {
                case Reuse.Way.Shared shared -> {
                    return new Attempt(shared.results(), null, false);
                }
                case Reuse.Way.Own own -> slot = own.slot();
                case Reuse.Way.NoRoom none -> {
                    String what = "no connection free within connect_timeout: remote_max_per_host connections to "
                            + host.address().getHostAddress() + " are open";
                    log.accept(id + " " + hostField(host, port) + ": " + what);
                    // Not the host's fault: its retry state must not suffer for Petrel's own limit.
                    return new Attempt(null, DeliveryResult.deferred(-1, what), false, true);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Attempt(null, DeliveryResult.deferred(-1, "interrupted while waiting for a connection"), false);
        }
        SmtpTransaction transaction = null;
        try (slot; ClientSession session = ClientSession.connect(group, NioSocketChannel.class,
                new InetSocketAddress(host.address(), port), policy.heloName(), config.get(Smtp.CONNECT_TIMEOUT),
                longest)) {
            session.connection().replyTimeout(policy.commandTimeout());
            transaction = new SmtpTransaction(session, host, port, policy, clientTls);
            transaction.open();
            List<DeliveryResult> results = transaction.send(text);
            if (reuse.mayCarryOn(results)) {
                tell(settled, id, results);
                reuse.carryOn(transaction, id, host, port, results, this);
            }
            transaction.quit();
            return new Attempt(results, null, false);
        } catch (IOException e) {
            String what = SmtpTransaction.describe(e);
            log.accept(id + " " + hostField(host, port) + " " + what);
            // Exim names no host on the == line when none was reached: the H= line above says which.
            return new Attempt(null, DeliveryResult.deferred(SmtpTransaction.errno(e), what).withRemote(null, true), false);
        } catch (HostFailure f) {
            log.accept(id + " " + hostField(host, port) + ": " + f.getMessage());
            return new Attempt(null, DeliveryResult.deferred(f.errno(), f.getMessage())
                    .withRemote(transaction.facts(false, false, null), true), transaction.tlsFailed());
        } catch (RuntimeException e) {
            // A bug must not lose the message: the recipients stay queued and the log says what broke.
            log.accept(id + " " + hostField(host, port) + ": internal error: " + e);
            return new Attempt(null, DeliveryResult.deferred(-1, "internal error: " + e), false);
        }
    }

    /** The outcomes are known: the caller logs them before the connection carries other messages. */
    private void tell(Consumer<List<DeliveryResult>> settled, String id, List<DeliveryResult> results) {
        try {
            settled.accept(results);
        } catch (RuntimeException e) {
            log.accept(id + " internal error while settling the delivery: " + e);
        }
    }

    private String hostField(RemoteHost host, int port) {
        return RemoteFacts.hostField(host.name(), host.address().getHostAddress(), port, outgoingPort);
    }

    private static List<DeliveryResult> all(List<String> recipients, DeliveryResult result) {
        List<DeliveryResult> out = new ArrayList<>(recipients.size());
        recipients.forEach(r -> out.add(result));
        return out;
    }

    /** The router's hosts, or the transport's {@code hosts} when the router gave none or {@code hosts_override}. */
    private List<RemoteHost> hosts(List<RemoteHost> routed, Address first) throws UnknownHostException {
        String option = config.get(Smtp.HOSTS);
        if (option == null || (!routed.isEmpty() && !config.get(Smtp.HOSTS_OVERRIDE))) {
            return routed;
        }
        List<RemoteHost> out = new ArrayList<>();
        for (RouteList.HostSpec spec : RouteList.hosts(Expansion.forRecipient(first).expand(option))) {
            if (spec.literal() != null) {
                out.add(new RemoteHost(spec.name(), spec.literal(), spec.port()));
            } else {
                // Exim looks these up with the system's resolver too (gethostbyname), unlike a router's.
                for (InetAddress a : InetAddress.getAllByName(spec.name())) {
                    out.add(new RemoteHost(spec.name(), a, spec.port()));
                }
            }
        }
        return out;
    }

    private int port(RemoteHost host) {
        return OptionTypes.portNumber(expansion(host).expand(config.get(Smtp.PORT)));
    }

    private Expansion expansion(RemoteHost host) {
        return new Expansion(Map.of("primary_hostname", primaryHostname, "host", host.name(),
                "host_address", host.address().getHostAddress()));
    }

    private HostPolicy policy(RemoteHost host, int port) {
        InetAddress a = host.address();
        Expansion e = expansion(host);
        String sni = config.get(Smtp.TLS_SNI);
        return new HostPolicy(e.expand(config.get(Smtp.HELO_DATA)), config.get(Smtp.PROTOCOL).equals("smtps"),
                !matches(Smtp.HOSTS_AVOID_TLS, a), matches(Smtp.HOSTS_REQUIRE_TLS, a), matches(Smtp.TLS_VERIFY_HOSTS, a),
                matches(Smtp.TLS_RESUMPTION_HOSTS, a), sni == null ? null : e.expand(sni),
                !matches(Smtp.HOSTS_AVOID_PIPELINING, a), matches(Smtp.HOSTS_TRY_CHUNKING, a),
                config.get(Smtp.COMMAND_TIMEOUT), config.get(Smtp.DATA_TIMEOUT));
    }

    private boolean matches(dev.petrel.config.Option<HostList> option, InetAddress address) {
        return config.get(option).matches(address);
    }

    @Override
    public boolean reaches(WaitingMessages.Group group, RemoteHost connected, int port) {
        try {
            for (RemoteHost h : hosts(group.hosts(), Address.parse(group.recipients().getFirst()))) {
                if (h.address().equals(connected.address()) && h.name().equalsIgnoreCase(connected.name())
                        && (h.port() >= 0 ? h.port() : port(h)) == port) {
                    return true;
                }
            }
            return false;
        } catch (UnknownHostException | IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public SmtpTransaction.Message text(SpooledMessage message, List<String> recipients) throws IOException {
        return read(message, recipients);
    }

    /** The spooled text, and what it needs of the server: 8BITMIME for 8-bit octets, SMTPUTF8 for UTF-8 addresses. */
    private static SmtpTransaction.Message read(SpooledMessage message, List<String> recipients) throws IOException {
        byte[] data;
        try (InputStream in = message.openData()) {
            data = in.readAllBytes();
        }
        boolean eightBit = false;
        for (byte b : data) {
            if (b < 0) {
                eightBit = true;
                break;
            }
        }
        String sender = message.envelope().sender();
        boolean utf8 = !ascii(sender) || recipients.stream().anyMatch(r -> !ascii(r));
        return new SmtpTransaction.Message(sender, recipients, data, eightBit, utf8);
    }

    private static boolean ascii(String s) {
        return s.chars().allMatch(c -> c < 0x80);
    }
}
