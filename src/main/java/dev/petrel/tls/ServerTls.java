package dev.petrel.tls;

import dev.petrel.config.HostList;
import dev.petrel.config.MainConfig;
import dev.petrel.log.MainLog;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslServerSessionContext;
import io.netty.handler.ssl.OpenSslSessionStats;
import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.internal.tcnative.SSL;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import javax.net.ssl.SSLException;

/**
 * The server's TLS: two contexts over one certificate, one that issues and accepts session tickets (keys from
 * a {@link TicketKeyRing}) for peers in {@code tls_resumption_hosts}, one that issues none at all — TLS 1.2
 * or 1.3 — for everybody else (the default; docs/behaviour.md, "Server: tickets and their keys", says why:
 * some senders abort over TLS 1.3 tickets).
 */
public final class ServerTls implements AutoCloseable {
    /** JSSE refuses to send TLS 1.3 tickets when the server session timeout exceeds this (7 days). */
    private static final int JDK_NO_TICKET_TIMEOUT = 604_801;

    private final SslContext withTickets;
    private final SslContext withoutTickets;
    private final HostList resumptionHosts;
    private final TicketKeyRing ring;
    private final String engine;
    private final ServerCredentials credentials;
    private final Duration ticketLifetime;

    /** The handlers for one connection: put {@code inspector} in front of {@code ssl}. */
    public record Handlers(SslHandler ssl, HelloInspector inspector, boolean ticketsEnabled, Duration ticketLifetime) {
        /**
         * Adds them at the head of the pipeline (nearest the socket), inspector first, then the SslHandler and
         * {@link HandshakeEnd} behind it; where BoringSSL issues tickets, {@link SessionLifetime} in front of it.
         */
        public void addFirst(io.netty.channel.ChannelPipeline pipeline) {
            // Inspector first: a client SslHandler writes its ClientHello the moment it is added.
            pipeline.addFirst("tls-hello", inspector);
            ReferenceCountedOpenSslEngine ticketing = ticketsEnabled
                    && ssl.engine() instanceof ReferenceCountedOpenSslEngine e ? e : null;
            if (ticketing != null) {
                pipeline.addAfter("tls-hello", "tls-lifetime", new SessionLifetime(ticketing, ticketLifetime));
                pipeline.addAfter("tls-lifetime", "tls", ssl);
            } else {
                pipeline.addAfter("tls-hello", "tls", ssl);
            }
            pipeline.addAfter("tls", "tls-end", new HandshakeEnd(ticketing));
        }

        /** This connection's facts, once the handshake is done. */
        public TlsSessionInfo info() {
            return TlsSessionInfo.of(ssl, inspector.seen(), ticketsEnabled);
        }
    }

    private ServerTls(SslContext withTickets, SslContext withoutTickets, HostList resumptionHosts, TicketKeyRing ring,
            String engine, ServerCredentials credentials, Duration ticketLifetime) {
        this.withTickets = withTickets;
        this.withoutTickets = withoutTickets;
        this.resumptionHosts = resumptionHosts;
        this.ring = ring;
        this.engine = engine;
        this.credentials = credentials;
        this.ticketLifetime = ticketLifetime;
    }

    /**
     * Builds both contexts, BoringSSL when netty-tcnative loads, JSSE otherwise, and logs which engine runs.
     * Throws {@link UncheckedIOException} when the certificate or key cannot be loaded or generated.
     */
    public static ServerTls create(MainConfig config, ScheduledExecutorService timer, MainLog log) {
        return create(config, timer, log, OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK);
    }

    static ServerTls create(MainConfig config, ScheduledExecutorService timer, MainLog log, SslProvider provider) {
        ServerCredentials credentials = credentials(config, log);
        String engine = provider == SslProvider.JDK
                ? "JDK" + (OpenSsl.isAvailable() ? " (chosen)" : " (native library unavailable: " + reason() + ")")
                : OpenSsl.versionString() + " (netty-tcnative " + SSL.class.getPackage().getImplementationVersion() + ")";
        log.main("TLS engine: " + engine);
        int lifetimeSeconds = (int) Math.min(Integer.MAX_VALUE, config.tlsTicketLifetime().toSeconds());
        SslContext with = null;
        SslContext without = null;
        TicketKeyRing ring = null;
        try {
            with = build(credentials, provider);
            without = build(credentials, provider);
            if (provider == SslProvider.JDK) {
                // JSSE keeps its own ticket keys; only the lifetime and the "none at all" switch are ours.
                with.sessionContext().setSessionTimeout(lifetimeSeconds);
                without.sessionContext().setSessionCacheSize(1);
                without.sessionContext().setSessionTimeout(JDK_NO_TICKET_TIMEOUT);
            } else {
                ring = TicketKeyRing.start(config.tlsTicketKeyRotate(), config.tlsTicketLifetime(), timer);
                OpenSslServerSessionContext issuing = (OpenSslServerSessionContext) with.sessionContext();
                // Stateless tickets only: a server-side session-ID cache would resume past the key ring's lifetime.
                issuing.setSessionCacheEnabled(false);
                issuing.setSessionTimeout(lifetimeSeconds);
                ring.attach(issuing);
                // No session-ID cache either; tickets are turned off per connection, see newHandlers.
                ((OpenSslServerSessionContext) without.sessionContext()).setSessionCacheEnabled(false);
            }
            return new ServerTls(with, without, config.tlsResumptionHosts(), ring, engine, credentials,
                    config.tlsTicketLifetime());
        } catch (SSLException | RuntimeException e) {
            if (ring != null) {
                ring.close();
            }
            ReferenceCountUtil.release(with);
            ReferenceCountUtil.release(without);
            throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    private static SslContext build(ServerCredentials credentials, SslProvider provider) throws SSLException {
        return SslContextBuilder.forServer(credentials.key(), credentials.chainArray())
                .sslProvider(provider)
                .protocols("TLSv1.3", "TLSv1.2")
                .build();
    }

    private static ServerCredentials credentials(MainConfig config, MainLog log) {
        try {
            if (config.tlsCertificate() != null) {
                return ServerCredentials.load(Path.of(config.tlsCertificate()),
                        config.tlsPrivatekey() == null ? null : Path.of(config.tlsPrivatekey()));
            }
            return ServerCredentials.selfSigned(config.spoolDirectory().resolve("tls"), config.primaryHostname(),
                    note -> log.main("TLS: " + note));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String reason() {
        Throwable t = OpenSsl.unavailabilityCause();
        if (t == null) {
            return "unknown";
        }
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : "no reason given";
    }

    /** Whether this peer gets tickets ({@code tls_resumption_hosts}). */
    public boolean ticketsFor(InetAddress peer) {
        return resumptionHosts.matches(peer);
    }

    /** A server-side SslHandler from the context this peer is entitled to. */
    public SslHandler newHandler(ByteBufAllocator alloc, InetAddress peer) {
        return handler(alloc, ticketsFor(peer));
    }

    /**
     * Netty clears SSL_OP_NO_TICKET on every new server SSL when TLS 1.3 is enabled (its JDK-compatible default
     * for TLS 1.3 tickets), which also re-enables TLS 1.2 tickets under BoringSSL's built-in keys. So for a
     * peer without tickets the option is set again on the connection itself: BoringSSL then sends no
     * NewSessionTicket in TLS 1.2 (no session_ticket in the ServerHello) nor in TLS 1.3. tcnative's
     * {@code SSLContext.setNumTickets} is a no-op returning false in this BoringSSL build.
     */
    private SslHandler handler(ByteBufAllocator alloc, boolean tickets) {
        SslHandler handler = (tickets ? withTickets : withoutTickets).newHandler(alloc);
        if (!tickets && handler.engine() instanceof ReferenceCountedOpenSslEngine e) {
            synchronized (e) {
                SSL.setOptions(e.sslPointer(), SSL.SSL_OP_NO_TICKET);
            }
        }
        return handler;
    }

    /** The SslHandler plus a {@link HelloInspector}, for computing {@code $tls_in_resumption}. */
    public Handlers newHandlers(ByteBufAllocator alloc, InetAddress peer) {
        boolean tickets = ticketsFor(peer);
        return new Handlers(handler(alloc, tickets), HelloInspector.forServer(), tickets, ticketLifetime);
    }

    /** Ticket counters of the ticket-issuing context; empty under JSSE. */
    public Optional<OpenSslSessionStats> stats() {
        return stats(withTickets);
    }

    /** The same for the context that issues no tickets (its counters should stay at zero). */
    public Optional<OpenSslSessionStats> statsWithoutTickets() {
        return stats(withoutTickets);
    }

    private static Optional<OpenSslSessionStats> stats(SslContext ctx) {
        return ctx instanceof ReferenceCountedOpenSslContext o ? Optional.of(o.stats()) : Optional.empty();
    }

    /** E.g. {@code BoringSSL (netty-tcnative 2.0.84.Final)} or {@code JDK (native library unavailable: ...)}. */
    public String engine() {
        return engine;
    }

    public boolean nativeEngine() {
        return ring != null;
    }

    public ServerCredentials credentials() {
        return credentials;
    }

    /** The ring, for tests that rotate by hand; null under JSSE. */
    TicketKeyRing ring() {
        return ring;
    }

    @Override
    public void close() {
        if (ring != null) {
            ring.close();
        }
        ReferenceCountUtil.release(withTickets);
        ReferenceCountUtil.release(withoutTickets);
    }
}
