package dev.petrel.transport.smtp;

import dev.petrel.config.HostList;
import dev.petrel.config.RouteList;
import dev.petrel.config.TransportConfig;
import dev.petrel.config.TransportOptions;
import dev.petrel.config.TransportOptions.Smtp;
import dev.petrel.config.OptionTypes;
import dev.petrel.config.RetryError;
import dev.petrel.hints.HintsDb;
import dev.petrel.smtp.ClientOutput;
import dev.petrel.spool.SpooledMessage;
import dev.petrel.tls.ClientTls;
import dev.petrel.tls.TlsPeer;
import dev.petrel.transport.Address;
import dev.petrel.transport.DeliveryResult;
import dev.petrel.transport.Expansion;
import dev.petrel.transport.HeadersAdd;
import dev.petrel.transport.HeadersRemove;
import dev.petrel.transport.HostConnectionLimit;
import dev.petrel.transport.HostRetry;
import dev.petrel.transport.RemoteFacts;
import dev.petrel.transport.RemoteHost;
import dev.petrel.transport.Transport;
import dev.petrel.transport.WaitingMessages;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

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
    private final EhloRecords ehloRecords;
    private final Reuse reuse;
    private final OutgoingHeaders headers;

    /**
     * @param log where the transport writes its per-host lines ({@code H=host [ip] Connection refused})
     * @param outgoingPort {@code +outgoing_port}: those lines name the port
     * @param perHost connections open at once to one host, shared by every smtp transport
     * @param misc the {@code misc} hints database, for the EHLO records of early pipelining
     * @param recordLifetime {@code retry_data_expire}: an older EHLO record is not used
     * @param sharing connection reuse: deliveries waiting in this process, the {@code wait-<transport>} database
     *     (null when it could not be opened) and the queue's waiting messages
     */
    public SmtpTransport(TransportConfig config, String primaryHostname, ClientTls clientTls, EventLoopGroup group,
                         Consumer<String> log, boolean outgoingPort, HostConnectionLimit perHost, HintsDb misc,
                         Duration recordLifetime, Sharing sharing) {
        this.config = config;
        this.primaryHostname = primaryHostname;
        this.clientTls = clientTls;
        this.group = group;
        this.log = log;
        this.outgoingPort = outgoingPort;
        this.perHost = perHost;
        this.ehloRecords = new EhloRecords(misc, Clock.systemUTC(), recordLifetime);
        this.headers = new OutgoingHeaders(new HeadersRemove(config.get(TransportOptions.HEADERS_REMOVE), config.name()),
                new HeadersAdd(config.get(TransportOptions.HEADERS_ADD), config.name(), log), primaryHostname);
        this.reuse = new Reuse(config.name(), config.get(Smtp.CONNECTION_MAX_MESSAGES), sharing.offers(),
                sharing.hints(), sharing.waiting(), log);
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
        return deliver(message, recipients, routed, HostRetry.NONE, results -> { });
    }

    /**
     * Hosts whose retry time has not come are skipped, as Exim skips them; when that leaves none, the
     * recipients are deferred with {@code retry time not reached for any host}, or, once every host is past
     * its final cutoff, failed (or, under {@code no_delay_after_cutoff}, the hosts not tried since the message
     * arrived are tried once more).
     */
    @Override
    public List<DeliveryResult> deliver(SpooledMessage message, List<String> recipients, List<RemoteHost> routed,
                                        HostRetry retry, Consumer<List<DeliveryResult>> settled) {
        Message text;
        List<RemoteHost> hosts;
        Address first = Address.parse(recipients.getFirst());
        String domain = first.domain();
        try {
            hosts = hosts(routed, first);
            text = read(message, recipients);
        } catch (IOException | IllegalArgumentException e) {
            return all(recipients, DeliveryResult.deferred(-1, e.getMessage()));
        }
        if (hosts.isEmpty()) {
            return all(recipients, DeliveryResult.deferred(-1, "no hosts to deliver to (the router gave none and "
                    + "the transport has no hosts option)"));
        }
        boolean[] limited = {false, false};
        List<DeliveryResult> results = overHosts(message.id(), recipients, domain, hosts, text, retry, settled, limited);
        if (!limited[1] && !retry.heldForThisMessage()) {
            // As Exim's transport: a deferral that belongs to this message (a 4xx to MAIL) is not a wait for the host.
            reuse.recordIfWaiting(hosts, message.id(), results, limited[0]);
        }
        return results;
    }

    /**
     * Tries {@code hosts} in order; {@code limited} says whether a host's connections were all in use, and
     * whether a host refused this message in particular.
     */
    private List<DeliveryResult> overHosts(String id, List<String> recipients, String domain, List<RemoteHost> hosts,
                                           Message text, HostRetry retry,
                                           Consumer<List<DeliveryResult>> settled, boolean[] limited) {
        DeliveryResult last = null;
        boolean allExpired = true;
        List<RemoteHost> notDue = new ArrayList<>();
        for (RemoteHost host : hosts) {
            int port = port(host);
            HostRetry.Status status = retry.check(host, port);
            if (status != HostRetry.Status.USABLE) {
                allExpired &= status == HostRetry.Status.NOT_DUE_EXPIRED;
                notDue.add(host);
                continue;
            }
            Attempt attempt = tryHost(id, host, port, text, retry, settled);
            if (attempt.results() != null) {
                return attempt.results();
            }
            last = attempt.failure();
            limited[0] |= attempt.connectionLimit();
            limited[1] |= attempt.messageError();
        }
        if (last != null) {
            return all(recipients, last);
        }
        String forDomain = " for '" + domain + "'";
        if (!allExpired) {
            return all(recipients, DeliveryResult.deferred(RetryError.HOST_RETRY,
                    "retry time not reached for any host" + forDomain));
        }
        if (config.get(Smtp.DELAY_AFTER_CUTOFF)) {
            return all(recipients, DeliveryResult.failed("all hosts" + forDomain
                    + " have been failing for a long time (and retry time not reached)"));
        }
        for (RemoteHost host : notDue) {
            int port = port(host);
            if (retry.triedBeforeArrival(host, port)) {
                Attempt attempt = tryHost(id, host, port, text, retry, settled);
                if (attempt.results() != null) {
                    return attempt.results();
                }
                last = attempt.failure();
                limited[0] |= attempt.connectionLimit();
            }
        }
        return all(recipients, last != null ? last : DeliveryResult.failed("all hosts" + forDomain
                + " have been failing for a long time and were last tried after this message arrived"));
    }

    /** One host, in cleartext again if TLS could not be set up and is not required; its outcome told to {@code retry}. */
    private Attempt tryHost(String id, RemoteHost host, int port, Message text, HostRetry retry,
                            Consumer<List<DeliveryResult>> settled) {
        HostPolicy policy;
        try {
            policy = policy(host, port);
        } catch (IllegalArgumentException e) {
            // The configuration's fault, not the host's: no retry record for it.
            log.accept(id + " " + hostField(host, port) + ": " + e.getMessage());
            return new Attempt(null, DeliveryResult.deferred(-1, e.getMessage()), false);
        }
        Attempt attempt = attempt(id, host, port, policy, text, settled);
        if (attempt.reconnect()) {
            attempt = attempt(id, host, port, policy.withoutEarlyPipelining(), text, settled);
        }
        if (attempt.tlsFailed() && !policy.requireTls()) {
            // As Exim does: a TLS session that could not be set up is retried in cleartext when TLS is not required.
            attempt = attempt(id, host, port, policy.withoutTls(), text, settled);
        }
        if (attempt.results() != null) {
            retry.succeeded(host, port);
        } else if (attempt.messageError()) {
            retry.messageFailed(host, port, attempt.failure());
        } else if (attempt.failure().hostProblem()) {
            retry.failed(host, port, attempt.failure());
        }
        return attempt;
    }

    /**
     * One connection's outcome: the per-recipient results, or the host's failure, which may concern only
     * this message ({@code messageError}); {@code reconnect} when an early-pipelined connection is to be made
     * again at once without early pipelining; {@code connectionLimit} when the failure was that no connection to
     * the host was free.
     */
    private record Attempt(List<DeliveryResult> results, DeliveryResult failure, boolean tlsFailed, boolean reconnect,
                           boolean messageError, boolean connectionLimit) {
        Attempt(List<DeliveryResult> results, DeliveryResult failure, boolean tlsFailed) {
            this(results, failure, tlsFailed, false, false, false);
        }
    }

    private Attempt attempt(String id, RemoteHost host, int port, HostPolicy policy, Message text,
                            Consumer<List<DeliveryResult>> settled) {
        Duration longest = policy.commandTimeout().compareTo(policy.dataTimeout()) > 0
                ? policy.commandTimeout() : policy.dataTimeout();
        SmtpTransaction transaction = null;
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
                    return new Attempt(null, DeliveryResult.deferred(-1, what), false, false, false, true);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Attempt(null, DeliveryResult.deferred(-1, "interrupted while waiting for a connection"), false);
        }
        EarlyPipelining early = policy.pipeConnect()
                ? EarlyPipelining.plan(ehloRecords, host.address(), port, policy, text) : null;
        Message sent = text;
        if (early != null && early.path().orElse(null) == EarlyPipelining.Path.CLEARTEXT) {
            // This group carries the message and leaves with the connect: written now, without TLS.
            try {
                sent = headers.apply(text, host, policy.bind(), () -> null, null, false);
            } catch (IllegalArgumentException e) {
                slot.close();
                log.accept(id + " " + hostField(host, port) + ": " + e.getMessage());
                return new Attempt(null, DeliveryResult.deferred(-1, e.getMessage()), false, false, true, false);
            }
        }
        ClientOutput first = early == null ? null : early.connectGroup(policy, sent);
        long started = System.nanoTime();
        InetSocketAddress remote = new InetSocketAddress(host.address(), port);
        Class<? extends Channel> type = ClientLoop.channelType(group);
        try (slot; ClientSession session = ClientSession.connect(group, type, remote, policy.bind(),
                heloName(host, policy), config.get(Smtp.CONNECT_TIMEOUT), longest, policy.fastOpen(), first,
                policy.smtps() ? () -> implicitTls(host, remote, policy, type) : null)) {
            session.connection().replyTimeout(policy.commandTimeout());
            transaction = new SmtpTransaction(session, host, port, policy, clientTls, early, started, headers);
            List<DeliveryResult> results = transaction.run(sent);
            if (reuse.mayCarryOn(results)) {
                tell(settled, id, results);
                reuse.carryOn(transaction, id, host, port, results, this);
            }
            transaction.quit();
            return new Attempt(results, null, false);
        } catch (IOException e) {
            String what = SmtpErrors.describe(e);
            log.accept(id + " " + hostField(host, port) + " " + what);
            // Exim names no host on the == line when none was reached: the H= line above says which.
            int errno = SmtpErrors.errno(e);
            int more = letter(host) | (errno == RetryError.ETIMEDOUT ? RetryError.CONNECT_TIMEOUT : 0);
            return new Attempt(null, DeliveryResult.deferred(errno, what).withRemote(null, true).withMoreErrno(more),
                    false);
        } catch (HostFailure f) {
            if (transaction.reconnectWithoutEarlyPipelining() && policy.pipeConnect()) {
                return new Attempt(null, null, false, true, false, false);
            }
            log.accept(id + " " + hostField(host, port) + ": " + f.getMessage());
            int more = f.moreErrno() != 0 || f.errno() < 0 ? f.moreErrno() : letter(host);
            return new Attempt(null, DeliveryResult.deferred(f.errno(), f.getMessage())
                    .withRemote(transaction.facts(false, false, null), true).withMoreErrno(more), transaction.tlsFailed(),
                    false, f.messageError(), false);
        } catch (RuntimeException e) {
            // A bug must not lose the message: the recipients stay queued and the log says what broke.
            log.accept(id + " " + hostField(host, port) + ": internal error: " + e);
            return new Attempt(null, DeliveryResult.deferred(-1, "internal error: " + e), false);
        }
    }

    /** Implicit TLS begun before the connect, so that its ClientHello can ride in the SYN. */
    private ClientTls.Attempt implicitTls(RemoteHost host, InetSocketAddress remote, HostPolicy policy,
            Class<? extends Channel> type) {
        TlsPeer peer = policy.tlsPeer(host, remote.getPort(), SourceAddress.toward(remote, policy.bind()));
        return ClientSession.beginImplicitTls(clientTls, peer, policy.resumption(), type, policy.fastOpen());
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

    /** Exim's more_errno letter for a connection failure: the host came from an MX or an A record. */
    private static int letter(RemoteHost host) {
        return host.fromMx() ? 'M' : 'A';
    }

    private int port(RemoteHost host) {
        if (host.port() >= 0) {
            return host.port();
        }
        return OptionTypes.portNumber(expansion(host).expand(config.get(Smtp.PORT)));
    }

    private Expansion expansion(RemoteHost host) {
        return Expansion.forHost(primaryHostname, host, null);
    }

    /** {@code helo_data} with {@code $sending_ip_address} too, once the connection has a local address. */
    private Function<InetAddress, String> heloName(RemoteHost host, HostPolicy policy) {
        if (policy.heloName() != null) {
            return local -> policy.heloName();
        }
        return local -> Expansion.forHost(primaryHostname, host, local).expand(config.get(Smtp.HELO_DATA));
    }

    /** @throws IllegalArgumentException for an option that does not expand, or an {@code interface} that is no IP address */
    private HostPolicy policy(RemoteHost host, int port) {
        InetAddress a = host.address();
        String option = config.get(Smtp.INTERFACE);
        InetAddress bind = OutgoingInterface.choose(option == null ? null : expansion(host).expand(option), a,
                config.name());
        Expansion e = Expansion.forHost(primaryHostname, host, bind);
        String sni = config.get(Smtp.TLS_SNI);
        String heloData = config.get(Smtp.HELO_DATA);
        // The EHLO of an early group is written before the connection has a local address to name, unless bound.
        boolean heloNeedsLocal = bind == null && Expansion.mentions(heloData, "sending_ip_address");
        // So may the message itself (cleartext); kept simple: no early pipelining at all for either.
        boolean headersNeedLocal = bind == null && headers.mentions("sending_ip_address");
        boolean pipeConnect = matches(Smtp.HOSTS_PIPE_CONNECT, a) && !heloNeedsLocal && !headersNeedLocal;
        boolean smtps = config.get(Smtp.PROTOCOL).equals("smtps");
        boolean tryTls = !matches(Smtp.HOSTS_AVOID_TLS, a);
        boolean requireTls = matches(Smtp.HOSTS_REQUIRE_TLS, a);
        return new HostPolicy(heloNeedsLocal ? null : e.expand(heloData), smtps, tryTls, requireTls,
                matches(Smtp.TLS_VERIFY_HOSTS, a),
                matches(Smtp.TLS_RESUMPTION_HOSTS, a), sni == null ? null : e.expand(sni),
                !matches(Smtp.HOSTS_AVOID_PIPELINING, a), matches(Smtp.HOSTS_TRY_CHUNKING, a), pipeConnect,
                config.get(Smtp.COMMAND_TIMEOUT), config.get(Smtp.DATA_TIMEOUT), matches(Smtp.HOSTS_TRY_FASTOPEN, a),
                bind, smtps || tryTls || requireTls ? ClientCertificate.forHost(config, e) : null);
    }

    private boolean matches(dev.petrel.config.Option<HostList> option, InetAddress address) {
        return config.get(option).matches(address);
    }

    @Override
    public boolean reaches(WaitingMessages.Group group, RemoteHost connected, int port) {
        try {
            for (RemoteHost h : hosts(group.hosts(), Address.parse(group.recipients().getFirst()))) {
                if (h.address().equals(connected.address()) && h.name().equalsIgnoreCase(connected.name())
                        && port(h) == port) {
                    return true;
                }
            }
            return false;
        } catch (UnknownHostException | IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public Message text(SpooledMessage message, List<String> recipients) throws IOException {
        return read(message, recipients);
    }

    /** The spooled text, and what it needs of the server: 8BITMIME for 8-bit octets, SMTPUTF8 for UTF-8 addresses. */
    private static Message read(SpooledMessage message, List<String> recipients) throws IOException {
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
        return new Message(message.id(), sender, recipients, data, eightBit, utf8, message.envelope().mail(),
                message.envelope().optionsOf(recipients));
    }

    private static boolean ascii(String s) {
        return s.chars().allMatch(c -> c < 0x80);
    }
}
