package dev.petrel.tls;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code petrel probe}: like Postfix's posttls-finger, makes N sequential SMTP connections with the same
 * client TLS code as the transport, and prints per connection the banner, the EHLO keywords, protocol,
 * cipher, certificate subject, verification result and the decoded {@code tls_out_resumption}.
 */
public final class Probe {
    public enum Mode { STARTTLS, TLS_ON_CONNECT, PLAIN }

    private static final long TIMEOUT_SECONDS = 30;
    private static final String CLOSED = "\u0000closed";

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
            for (int i = 1; i <= count; i++) {
                try {
                    connection(i, group, tls, address, serverName, port, mode, out);
                } catch (IOException | InterruptedException | RuntimeException e) {
                    failures++;
                    out.println("connection " + i + ": failed: " + e.getMessage());
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                        break;
                    }
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
            String serverName, int port, Mode mode, PrintStream out) throws IOException, InterruptedException {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        c.pipeline().addLast(new LineBasedFrameDecoder(4096),
                                new StringDecoder(StandardCharsets.ISO_8859_1),
                                new StringEncoder(StandardCharsets.ISO_8859_1),
                                new SimpleChannelInboundHandler<String>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, String line) {
                                        lines.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
                                    }

                                    @Override
                                    public void channelInactive(ChannelHandlerContext ctx) {
                                        lines.add(CLOSED);
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        lines.add(CLOSED);
                                        ctx.close();
                                    }
                                });
                    }
                })
                .connect(new InetSocketAddress(address, port)).sync().channel();
        String prefix = "connection " + n + ": ";
        try {
            InetAddress local = ((InetSocketAddress) ch.localAddress()).getAddress();
            TlsPeer peer = new TlsPeer(serverName, address, port, local, serverName);
            ClientTls.Attempt attempt = null;
            if (mode == Mode.TLS_ON_CONNECT) {
                attempt = startTls(tls, ch, peer);
            }
            out.println(prefix + "banner: " + String.join(" / ", reply(lines)));
            List<String> ehlo = ehlo(ch, lines);
            out.println(prefix + "ehlo: " + String.join(" ", keywords(ehlo)));
            if (mode == Mode.STARTTLS) {
                ch.writeAndFlush("STARTTLS\r\n");
                List<String> r = reply(lines);
                if (!r.getFirst().startsWith("220")) {
                    throw new IOException("STARTTLS refused: " + r.getFirst());
                }
                attempt = startTls(tls, ch, peer);
                ehlo = ehlo(ch, lines);
                out.println(prefix + "ehlo after tls: " + String.join(" ", keywords(ehlo)));
            }
            if (attempt != null) {
                ClientOutcome o = attempt.finish();
                TlsSessionInfo info = o.info();
                out.println(prefix + "tls: " + info.protocol() + " cipher " + info.cipher() + " (" + info.bits()
                        + " bits) X=" + info.eximCipherField(true));
                out.println(prefix + "certificate: " + (info.peerDn() == null ? "(none)" : info.peerDn()));
                out.println(prefix + "verification: " + o.verification().detail() + " (CV=" + o.verification().cv() + ")");
                out.println(prefix + String.format("resumption: %s (tls_out_resumption=0x%02X)",
                        info.resumptionText(), info.resumption()));
            }
            ch.writeAndFlush("QUIT\r\n");
            reply(lines);
        } finally {
            ch.close().sync();
        }
    }

    private static ClientTls.Attempt startTls(ClientTls tls, Channel ch, TlsPeer peer)
            throws IOException, InterruptedException {
        ClientTls.Attempt attempt = tls.begin(ch.alloc(), peer, true);
        attempt.addFirst(ch.pipeline());
        if (!attempt.ssl().handshakeFuture().await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new IOException("TLS handshake timed out");
        }
        if (!attempt.ssl().handshakeFuture().isSuccess()) {
            throw new IOException("TLS handshake failed: " + attempt.ssl().handshakeFuture().cause());
        }
        return attempt;
    }

    private static List<String> ehlo(Channel ch, BlockingQueue<String> lines) throws IOException, InterruptedException {
        ch.writeAndFlush("EHLO " + InetAddress.getLoopbackAddress().getHostName() + "\r\n");
        List<String> r = reply(lines);
        if (!r.getFirst().startsWith("250")) {
            throw new IOException("EHLO refused: " + r.getFirst());
        }
        return r;
    }

    private static List<String> keywords(List<String> ehlo) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i < ehlo.size(); i++) {
            out.add(ehlo.get(i).length() > 4 ? ehlo.get(i).substring(4) : "");
        }
        return out;
    }

    /** One SMTP reply, all its lines. */
    private static List<String> reply(BlockingQueue<String> lines) throws IOException, InterruptedException {
        List<String> out = new ArrayList<>();
        while (true) {
            String line = lines.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (line == null) {
                throw new IOException("timed out waiting for a reply");
            }
            if (line.equals(CLOSED)) {
                throw new IOException("connection closed" + (out.isEmpty() ? "" : " after " + out.getLast()));
            }
            out.add(line);
            if (line.length() < 4 || line.charAt(3) != '-') {
                return out;
            }
        }
    }
}
