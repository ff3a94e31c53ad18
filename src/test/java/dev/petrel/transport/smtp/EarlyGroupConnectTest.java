package dev.petrel.transport.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.petrel.smtp.CommandGroup;
import dev.petrel.smtp.Reply;
import dev.petrel.smtp.SmtpCommand;
import dev.petrel.smtp.Verb;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The connect that takes a group along (early pipelining's, which TCP Fast Open puts in the SYN): the group is
 * on the wire without waiting for the greeting, its replies come after the greeting's, on NIO and on epoll,
 * with and without Fast Open (on this host's loopback the server has no Fast Open, so the kernel falls back to
 * an ordinary handshake and sends the group right after it). The SYN itself is shown in ClientFastOpenTest.
 */
@Timeout(30)
class EarlyGroupConnectTest {

    /** Reads until the client's RCPT before it says anything: only a client that did not wait gets a banner. */
    private static final class SilentServer implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();

        SilentServer() throws IOException {
            Thread.ofVirtual().start(() -> {
                try (Socket s = socket.accept()) {
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                    for (String line; (line = in.readLine()) != null; ) {
                        received.add(line);
                        if (line.startsWith("RCPT")) {
                            break;
                        }
                    }
                    OutputStream out = s.getOutputStream();
                    out.write("220 mx.test\r\n250-mx.test\r\n250 PIPELINING\r\n250 OK\r\n250 OK\r\n".getBytes(StandardCharsets.US_ASCII));
                    received.add(in.readLine());
                    out.write("221 bye\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // the test sees the client's side
                }
            });
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll", "epoll with fast open"})
    void theGroupGoesOutBeforeTheGreetingAndItsRepliesFollowIt(String transport) throws Exception {
        boolean epoll = transport.startsWith("epoll");
        if (epoll && !Epoll.isAvailable()) {
            return; // NIO's case above covers the fallback
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Class<? extends Channel> type = ClientLoop.channelType(group);
        try (SilentServer server = new SilentServer();
             ClientSession session = ClientSession.connect(group, type, server.address(), "client.test",
                     Duration.ofSeconds(5), Duration.ofSeconds(5), transport.endsWith("fast open"),
                     CommandGroup.of(SmtpCommand.of(Verb.EHLO, "client.test"), SmtpCommand.of(Verb.MAIL, "FROM:<a@b.test>"),
                             SmtpCommand.of(Verb.RCPT, "TO:<c@d.test>")))) {
            assertThat(type.getSimpleName()).startsWith(epoll ? "Epoll" : "Nio");
            assertThat(session.greeting()).isEqualTo(Reply.of(220, "mx.test"));
            List<Reply> replies = session.early();
            assertThat(replies).extracting(Reply::code).containsExactly(250, 250, 250);
            assertThat(replies.getFirst().lines()).containsExactly("mx.test", "PIPELINING");
            assertThat(session.quit().code()).isEqualTo(221);
            // No Fast Open server here: nothing to log, whatever the client tried.
            assertThat(session.connection().fastOpen()).isNull();
            assertThat(server.received).containsExactly("EHLO client.test", "MAIL FROM:<a@b.test>", "RCPT TO:<c@d.test>",
                    "QUIT");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aRefusedConnectFailsTheGroupToo(boolean fastOpen) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
                Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        InetSocketAddress closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
        }
        try {
            var connecting = SmtpClientConnection.connect(group, ClientLoop.channelType(group), closed, null,
                    Duration.ofSeconds(5), Duration.ofSeconds(5), fastOpen, CommandGroup.of(SmtpCommand.of(Verb.EHLO, "c")),
                    null);
            assertThatThrownBy(() -> connecting.get(10, TimeUnit.SECONDS)).hasMessageContaining("refused");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
