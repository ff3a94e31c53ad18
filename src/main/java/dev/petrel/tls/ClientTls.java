package dev.petrel.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.internal.tcnative.SSL;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.UncheckedIOException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The client side of TLS for the smtp transport and the probe: offers a stored session where there is a
 * usable record, stores new tickets, checks the certificate without failing on it, and computes
 * {@code $tls_out_resumption}.
 *
 * <p>Sessions live in tcnative's in-memory client cache (no Java TLS stack here can serialise a TLS 1.3
 * client session), keyed by (host, port) as given to {@code newHandler}. The port given is derived from the
 * {@link TicketStore} key, so two peers that differ in anything the key covers (server IP, local IP, SNI...)
 * never share a session; the DB record decides whether the cached session is offered at all.
 */
public final class ClientTls implements AutoCloseable {
    /**
     * The settings that select a server's TLS setup, part of the ticket key.
     *
     * @param protocols e.g. TLSv1.3, TLSv1.2
     * @param ciphers cipher suites, empty for the engine's defaults
     * @param alpn ALPN protocols, empty for none
     * @param defaultTicketLifetime used when the lifetime hint is not visible (TLS 1.3 tickets are encrypted)
     */
    public record Settings(List<String> protocols, List<String> ciphers, List<String> alpn,
            Duration defaultTicketLifetime) {
        public Settings {
            protocols = List.copyOf(protocols);
            ciphers = List.copyOf(ciphers);
            alpn = List.copyOf(alpn);
        }

        public static Settings defaults() {
            return new Settings(List.of("TLSv1.3", "TLSv1.2"), List.of(), List.of(), Duration.ofHours(2));
        }
    }

    /**
     * Key shares that keep a resumed ClientHello small enough to ride in a TCP Fast Open SYN (about 500
     * octets against the 1,420 a SYN can carry): BoringSSL sends a share for the hybrid X25519MLKEM768 (1,216
     * octets) whenever it is offered at all, which makes a ClientHello of 1,650. See docs/behaviour.md.
     */
    private static final String[] SYN_GROUPS = {"X25519", "P-256", "P-384"};

    private final Settings settings;
    private final SslContext context;
    /** For a handshake begun before a Fast Open connect, whose ClientHello is to ride in the SYN. */
    private final SslContext synContext;
    private final TicketStore store;
    private final X509TrustManager trust;
    private final ClientKeyManager keys;

    private ClientTls(Settings settings, SslContext context, SslContext synContext, TicketStore store,
            X509TrustManager trust, ClientKeyManager keys) {
        this.keys = keys;
        this.settings = settings;
        this.context = context;
        this.synContext = synContext;
        this.store = store;
        this.trust = trust;
    }

    public static ClientTls create(Settings settings, TicketStore store) {
        return create(settings, store, defaultTrust());
    }

    /**
     * @param trust what verifies server certificates (the smtp transport's {@code tls_verify_certificates});
     *     see {@link #trustFrom(Path)}
     */
    public static ClientTls create(Settings settings, TicketStore store, X509TrustManager trust) {
        try {
            ClientKeyManager keys = new ClientKeyManager();
            SslContext context = builder(settings, keys).build();
            SslContext synContext = OpenSsl.isAvailable()
                    ? builder(settings, keys).option(OpenSslContextOption.GROUPS, SYN_GROUPS).build() : context;
            return new ClientTls(settings, context, synContext, store, trust, keys);
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up client TLS: " + e.getMessage(), e);
        }
    }

    private static SslContextBuilder builder(Settings settings, ClientKeyManager keys) {
        SslContextBuilder b = SslContextBuilder.forClient()
                .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                .protocols(settings.protocols())
                // Each connection's own client certificate (TlsPeer.credentials), sent only when asked for.
                .keyManager(keys)
                // Verification is done after the handshake and recorded, never enforced here.
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .endpointIdentificationAlgorithm(null);
        if (!settings.ciphers().isEmpty()) {
            b.ciphers(settings.ciphers());
        }
        return b;
    }

    /** Trusts the certificates in a PEM file, as {@code tls_verify_certificates = /path} does. */
    public static X509TrustManager trustFrom(Path pemFile) throws IOException {
        try (InputStream in = Files.newInputStream(pemFile)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca" + n++, c);
            }
            if (n == 0) {
                throw new IOException(pemFile + ": no certificates in it");
            }
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            f.init(store);
            for (var tm : f.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    return x;
                }
            }
            throw new IllegalStateException("no X509TrustManager");
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(pemFile + ": " + e.getMessage(), e);
        }
    }

    /** The JDK's trust store: {@code tls_verify_certificates = system}. */
    public static X509TrustManager defaultTrust() {
        try {
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            f.init((KeyStore) null);
            for (var tm : f.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    return x;
                }
            }
            throw new IllegalStateException("no X509TrustManager");
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Prepares one connection's TLS.
     *
     * @param resumption whether the transport's {@code tls_resumption_hosts} matches this host
     */
    public Attempt begin(ByteBufAllocator alloc, TlsPeer peer, boolean resumption) {
        return begin(alloc, peer, resumption, false);
    }

    /**
     * As above; {@code inSyn} for a handshake begun before a TCP Fast Open connect: its ClientHello offers only
     * the key shares that let it fit in the SYN ({@link #SYN_GROUPS}).
     */
    public Attempt begin(ByteBufAllocator alloc, TlsPeer peer, boolean resumption, boolean inSyn) {
        SslContext context = inSyn ? synContext : this.context;
        String key = TicketStore.key(peer, settings);
        String cacheHost = peer.sni() != null ? peer.sni() : peer.serverIp().getHostAddress();
        int cachePort = cachePort(key);
        Optional<TicketRecord> record = Optional.empty();
        SslHandler handler;
        if (resumption) {
            try {
                record = store.usable(key);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // Only the newest cached session for this key may be offered, and none without a live record.
            pruneCache(context, cacheHost, cachePort, record.isPresent());
            handler = context.newHandler(alloc, cacheHost, cachePort);
            ticketsOn(handler.engine());
        } else {
            handler = context.newHandler(alloc);
            noTickets(handler.engine());
        }
        SSLEngine engine = handler.engine();
        keys.use(engine, peer.credentials());
        if (peer.sni() != null) {
            SSLParameters p = engine.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName(peer.sni())));
            engine.setSSLParameters(p);
        }
        return new Attempt(context, handler, HelloInspector.forClient(), peer, key, resumption, record.orElse(null),
                cacheHost, cachePort);
    }

    private static int cachePort(String key) {
        return (Integer.parseUnsignedInt(key.substring(0, 7), 16) & 0x7fffffff) | 1;
    }

    /**
     * Netty leaves SSL_OP_NO_TICKET set on a client SSL unless TLS 1.3 is enabled, so a TLS 1.2-only client
     * would neither ask for nor offer tickets; clear it where resumption is wanted.
     */
    private static void ticketsOn(SSLEngine engine) {
        if (engine instanceof ReferenceCountedOpenSslEngine e) {
            synchronized (e) {
                SSL.clearOptions(e.sslPointer(), SSL.SSL_OP_NO_TICKET);
            }
        }
    }

    private static void noTickets(SSLEngine engine) {
        if (engine instanceof ReferenceCountedOpenSslEngine e) {
            synchronized (e) {
                SSL.setOptions(e.sslPointer(), SSL.SSL_OP_NO_TICKET);
            }
        }
    }

    private static List<SSLSession> cached(SslContext context, String host, int port) {
        SSLSessionContext sc = context.sessionContext();
        List<SSLSession> out = new ArrayList<>();
        for (byte[] id : Collections.list(sc.getIds())) {
            SSLSession s = sc.getSession(id);
            if (s != null && s.isValid() && port == s.getPeerPort() && host.equalsIgnoreCase(s.getPeerHost())) {
                out.add(s);
            }
        }
        out.sort(Comparator.comparingLong(SSLSession::getCreationTime));
        return out;
    }

    private static Optional<SSLSession> newestCached(SslContext context, String host, int port) {
        List<SSLSession> all = cached(context, host, port);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.getLast());
    }

    private static void pruneCache(SslContext context, String host, int port, boolean keepNewest) {
        List<SSLSession> all = cached(context, host, port);
        for (int i = 0; i < all.size() - (keepNewest ? 1 : 0); i++) {
            all.get(i).invalidate();
        }
    }

    /** One connection's TLS, from before the handshake until the first reply after it. */
    public final class Attempt {
        /** Whose session cache holds this attempt's sessions. */
        private final SslContext context;
        private final SslHandler ssl;
        private final HelloInspector inspector;
        private final TlsPeer peer;
        private final String key;
        private final boolean resumption;
        private final TicketRecord record;
        private final String cacheHost;
        private final int cachePort;
        private volatile byte[] sessionAtHandshake;

        private Attempt(SslContext context, SslHandler ssl, HelloInspector inspector, TlsPeer peer, String key,
                boolean resumption, TicketRecord record, String cacheHost, int cachePort) {
            this.context = context;
            this.ssl = ssl;
            this.inspector = inspector;
            this.peer = peer;
            this.key = key;
            this.resumption = resumption;
            this.record = record;
            this.cacheHost = cacheHost;
            this.cachePort = cachePort;
            // Runs on the event loop as the handshake completes, before any TLS 1.3 ticket can be read.
            ssl.handshakeFuture().addListener(f -> sessionAtHandshake = newestId());
        }

        private byte[] newestId() {
            return resumption ? newestCached(context, cacheHost, cachePort).map(SSLSession::getId).orElse(new byte[0])
                    : new byte[0];
        }

        public SslHandler ssl() {
            return ssl;
        }

        public HelloInspector inspector() {
            return inspector;
        }

        /** The ticket store key (lowercase hex SHA-256). */
        public String key() {
            return key;
        }

        /** Adds the inspector and the SslHandler at the head of the pipeline. */
        public void addFirst(ChannelPipeline pipeline) {
            // Inspector first: a client SslHandler writes its ClientHello the moment it is added.
            pipeline.addFirst("tls-hello", inspector);
            pipeline.addAfter("tls-hello", "tls", ssl);
        }

        /**
         * The certificate verification outcome, as soon as the handshake is done: for a client that must not
         * send before it knows (early pipelining's group with {@code tls_verify_hosts}).
         */
        public Verification verification() {
            SSLEngine engine = ssl.engine();
            boolean resumed = TlsSessionInfo.reused(engine, inspector.seen().flight());
            return resumed && record != null ? record.verification() : verify(engine);
        }

        /**
         * Call after the first reply read over TLS (TLS 1.3 tickets follow the handshake). Computes the
         * session facts and {@code $tls_out_resumption}, and updates the ticket store.
         *
         * <p>Bits: 0x01 when resumption is enabled for this host; 0x02 and 0x04 from our own ClientHello as
         * sent; 0x10 {@code SSL_session_reused} (the wire under JSSE); 0x08 a TLS 1.2 NewSessionTicket seen in
         * clear, or for TLS 1.3 a new session entering tcnative's cache after the handshake (which only a
         * NewSessionTicket causes).
         */
        public ClientOutcome finish() {
            Facts f = facts();
            if (resumption) {
                store(f.info().protocol(), f.ticket(), f.info().resumed(), f.flight(), f.verification(),
                        f.info().resumption());
            }
            return new ClientOutcome(f.info(), f.verification(), key);
        }

        /**
         * The session's facts as they stand, stored nowhere: for what is written before the first reply over
         * TLS (an early-pipelined message's {@code headers_add}), when a TLS 1.3 ticket (0x08) may yet come.
         */
        public TlsSessionInfo current() {
            return facts().info();
        }

        private record Facts(TlsSessionInfo info, Verification verification, boolean ticket, ServerFlightFacts flight) {
        }

        private Facts facts() {
            SSLEngine engine = ssl.engine();
            HelloInspector.Seen seen = inspector.seen();
            String protocol = CipherNames.protocol(engine.getSession().getProtocol());
            String cipher = CipherNames.cipher(engine);
            boolean resumed = TlsSessionInfo.reused(engine, seen.flight());
            boolean ticket = protocol.equals("TLS1.3")
                    ? resumption && !java.util.Arrays.equals(newestId(), sessionAtHandshake) && newestId().length > 0
                    : seen.flight().sentTicket();
            int bits = 0;
            if (resumption) {
                bits |= Resumption.SUPPORTED;
                if (seen.clientRequestedTicket()) {
                    bits |= Resumption.CLIENT_REQUESTED;
                }
                if (seen.clientOfferedSession()) {
                    bits |= Resumption.CLIENT_OFFERED;
                }
                if (ticket) {
                    bits |= Resumption.SERVER_TICKET;
                }
                if (resumed) {
                    bits |= Resumption.RESUMED;
                }
            }
            Verification verification = resumed && record != null ? record.verification() : verify(engine);
            TlsSessionInfo info = new TlsSessionInfo(protocol, cipher, CipherNames.bits(cipher), resumed, bits,
                    TlsSessionInfo.peerDn(engine), verification.verified());
            return new Facts(info, verification, ticket, seen.flight());
        }

        private void store(String protocol, boolean ticket, boolean resumed, ServerFlightFacts flight,
                Verification verification, int bits) {
            try {
                if (ticket) {
                    Duration lifetime = protocol.equals("TLS1.2") && flight.ticketLifetimeHint() > 0
                            ? Duration.ofSeconds(flight.ticketLifetimeHint())
                            : settings.defaultTicketLifetime();
                    store.remember(key, new TicketRecord(Instant.now(store.clock()), lifetime, verification,
                            "notreq", null, bits));
                } else if (!resumed) {
                    store.forget(key);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private Verification verify(SSLEngine engine) {
            X509Certificate[] chain;
            try {
                Certificate[] certs = engine.getSession().getPeerCertificates();
                chain = java.util.Arrays.stream(certs).map(c -> (X509Certificate) c).toArray(X509Certificate[]::new);
            } catch (SSLPeerUnverifiedException e) {
                return new Verification(false, "no certificate");
            }
            try {
                trust.checkServerTrusted(chain, "UNKNOWN");
            } catch (CertificateException e) {
                return new Verification(false, "untrusted: " + e.getMessage());
            }
            String name = peer.serverName() != null ? peer.serverName() : peer.serverIp().getHostAddress();
            if (!HostnameMatch.matches(chain[0], name, peer.serverName() == null)) {
                return new Verification(false, "name mismatch for " + name);
            }
            return new Verification(true, "verified");
        }
    }

    @Override
    public void close() {
        ReferenceCountUtil.release(context);
        if (synContext != context) {
            ReferenceCountUtil.release(synContext);
        }
    }
}
