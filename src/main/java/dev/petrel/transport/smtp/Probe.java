package dev.petrel.transport.smtp;

import dev.petrel.smtp.Reply;
import dev.petrel.tls.ClientOutcome;
import dev.petrel.tls.ClientTls;
import dev.petrel.tls.TicketStore;
import dev.petrel.tls.TlsPeer;
import dev.petrel.tls.TlsSessionInfo;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code petrel probe}: like Postfix's posttls-finger, makes N sequential SMTP connections with the same
 * client TLS code as the transport, and prints per connection the banner, the EHLO keywords, protocol,
 * cipher, certificate subject, verification result and the decoded {@code tls_out_resumption}.
 */
public final class Probe {
    public enum Mode { STARTTLS, TLS_ON_CONNECT, PLAIN }

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Probe() {}

    /** @return the number of connections that failed */
    public static int run(String host, int port, Mode mode, int count, PrintStream out) {
        return run(host, port, mode, count, out, ClientTls.Settings.defaults());
    }

    /** As {@link #run(String, int, Mode, int, PrintStream)} with chosen protocols and ciphers. */
    public static int run(String host, int port, Mode mode, int count, PrintStream out, ClientTls.Settings settings) {
        ClientTls tls = ClientTls.create(settings, TicketStore.inMemory());
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        int failures = 0;
        try {
            InetAddress address = InetAddress.getByName(host);
            String serverName = isLiteral(host) ? null : host;
            for (int i = 1; i <= count && !Thread.currentThread().isInterrupted(); i++) {
                try {
                    connection(i, group, tls, address, serverName, port, mode, out);
                } catch (IOException | RuntimeException e) {
                    failures++;
                    out.println("connection " + i + ": failed: " + e.getMessage());
                }
            }
        } catch (IOException e) {
            out.println("cannot resolve " + host + ": " + e.getMessage());
            failures = count;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            tls.close();
        }
        return failures;
    }

    private static boolean isLiteral(String host) {
        return host.matches("[0-9.]+") || host.contains(":");
    }

    private static void connection(int n, EventLoopGroup group, ClientTls tls, InetAddress address,
            String serverName, int port, Mode mode, PrintStream out) throws IOException {
        String ehloName = InetAddress.getLoopbackAddress().getHostName();
        InetSocketAddress remote = new InetSocketAddress(address, port);
        TlsPeer before = new TlsPeer(serverName, address, port, SourceAddress.toward(remote, null), serverName);
        Supplier<ClientTls.Attempt> implicit = mode != Mode.TLS_ON_CONNECT ? null
                : () -> ClientSession.beginImplicitTls(tls, before, true, NioSocketChannel.class, false);
        try (ClientSession session = ClientSession.connect(group, NioSocketChannel.class, remote, null,
                local -> ehloName, TIMEOUT, TIMEOUT, false, null, implicit)) {
            String prefix = "connection " + n + ": ";
            TlsPeer peer = new TlsPeer(serverName, address, port, session.connection().localAddress(), serverName);
            if (implicit != null) {
                session.tlsOnConnect();
            }
            out.println(prefix + "banner: " + String.join(" / ", session.greeting().wireLines()));
            out.println(prefix + "ehlo: " + String.join(" ", extensions(session)));
            if (mode == Mode.STARTTLS) {
                Reply r = session.startTls(tls, peer, true);
                if (r.code() != 220) {
                    throw new IOException("STARTTLS refused: " + r.wireLines().getFirst());
                }
                out.println(prefix + "ehlo after tls: " + String.join(" ", extensions(session)));
            }
            ClientOutcome o = session.tlsOutcome();
            if (o != null) {
                TlsSessionInfo info = o.info();
                out.println(prefix + "tls: " + info.protocol() + " cipher " + info.cipher() + " (" + info.bits()
                        + " bits) X=" + info.eximCipherField(true));
                out.println(prefix + "certificate: " + (info.peerDn() == null ? "(none)" : info.peerDn()));
                out.println(prefix + "verification: " + o.verification().detail() + " (CV=" + o.verification().cv() + ")");
                out.println(prefix + String.format("resumption: %s (tls_out_resumption=0x%02X)",
                        info.resumptionText(), info.resumption()));
            }
            session.quit();
        }
    }

    /** Sends EHLO and returns the extension lines of its 250. */
    private static List<String> extensions(ClientSession session) throws IOException {
        Reply r = session.ehlo();
        if (r.code() != 250) {
            throw new IOException("EHLO refused: " + r.wireLines().getFirst());
        }
        return r.lines().subList(1, r.lines().size());
    }
}
