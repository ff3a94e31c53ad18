package dev.petrel.transport.smtp;

import static dev.petrel.tls.TlsTestSupport.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.petrel.log.MainLog;
import dev.petrel.smtp.Reply;
import dev.petrel.smtp.SmtpCommand;
import dev.petrel.smtp.Verb;
import dev.petrel.tls.ClientTls;
import dev.petrel.tls.ServerTls;
import dev.petrel.tls.TicketStore;
import dev.petrel.tls.TlsPeer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** EHLO, STARTTLS, EHLO again against a real STARTTLS server on loopback. */
@Timeout(60)
class ClientSessionTest {
    @TempDir
    Path dir;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    @AfterEach
    void stop() {
        timer.shutdownNow();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void repliesInjectedBehindThe220AreNeverReadOverTls() throws Exception {
        String injected = "250-mx.test\r\n250 AUTH PLAIN\r\n";
        try (ServerTls serverTls = ServerTls.create(config(dir), timer, MainLog.discarding(Set.of()));
                StartTlsServer server = new StartTlsServer(serverTls, injected);
                ClientTls tls = ClientTls.create(ClientTls.Settings.defaults(), TicketStore.inMemory());
                ClientSession session = ClientSession.connect(group, NioSocketChannel.class,
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), "client.test",
                        Duration.ofSeconds(10), Duration.ofSeconds(10))) {
            session.greeting();
            assertThat(session.ehlo().lines()).contains("STARTTLS");
            TlsPeer peer = new TlsPeer(null, InetAddress.getLoopbackAddress(), server.port(),
                    session.connection().localAddress(), null);
            assertThat(session.startTls(tls, peer, false)).isEqualTo(Reply.of(220, "go ahead"));
            assertThat(session.connection().discardedAfterStartTls()).isEqualTo(injected.length());
            assertThat(session.ehloInForce()).as("forgotten once TLS starts").isNull();
            assertThat(session.ehlo().lines()).containsExactly("mx.test", "PIPELINING", "8BITMIME");
            assertThat(session.tlsOutcome().info().protocol()).isEqualTo("TLS1.3");
            assertThatThrownBy(() -> session.startTls(tls, peer, false)).isInstanceOf(IllegalStateException.class);
            assertThat(session.quit().code()).isEqualTo(221);
        }
    }

    @Test
    void ehloAndStartTlsSentBeforeTheGreeting() throws Exception {
        try (ServerTls serverTls = ServerTls.create(config(dir), timer, MainLog.discarding(Set.of()));
                StartTlsServer server = new StartTlsServer(serverTls);
                ClientTls tls = ClientTls.create(ClientTls.Settings.defaults(), TicketStore.inMemory());
                ClientSession session = ClientSession.connect(group, NioSocketChannel.class,
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), "client.test",
                        Duration.ofSeconds(10), Duration.ofSeconds(10))) {
            SmtpClientConnection connection = session.connection();
            ClientTls.Attempt attempt = tls.begin(connection.alloc(), new TlsPeer(null, InetAddress.getLoopbackAddress(),
                    server.port(), connection.localAddress(), null), false);
            var early = connection.startTls(attempt, SmtpCommand.of(Verb.EHLO, "client.test"));
            assertThat(session.greeting()).isEqualTo(Reply.of(220, "mx.test ESMTP test"));
            List<Reply> replies = early.get(10, TimeUnit.SECONDS);
            assertThat(replies).extracting(Reply::code).containsExactly(250, 220);
            assertThat(replies.getFirst().lines()).contains("STARTTLS");
            assertThat(attempt.ssl().handshakeFuture().isSuccess()).isTrue();
            assertThat(session.ehlo().lines()).doesNotContain("STARTTLS");
            assertThat(session.quit().code()).isEqualTo(221);
        }
    }
}
