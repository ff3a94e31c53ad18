package dev.petrel.transport.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.petrel.smtp.BdatChunk;
import dev.petrel.smtp.CommandGroup;
import dev.petrel.smtp.Reply;
import dev.petrel.smtp.SmtpCommand;
import dev.petrel.smtp.Verb;
import dev.petrel.tls.ClientTls;
import dev.petrel.tls.TicketStore;
import dev.petrel.tls.TlsPeer;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCounted;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client connection against scripted servers on loopback, honest and hostile. */
@Timeout(30)
class SmtpClientConnectionTest {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private ScriptedServer server;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * One connection: writes {@code greeting}, then for each command read (a BDAT with its octets), the next
     * scripted answer.
     */
    private static final class ScriptedServer implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();

        ScriptedServer(String greeting, String... answers) throws IOException {
            this(false, greeting, answers);
        }

        /** @param hangUp close the connection once the script is done instead of waiting for the client */
        ScriptedServer(boolean hangUp, String greeting, String... answers) throws IOException {
            Thread.ofVirtual().start(() -> {
                try (Socket s = socket.accept()) {
                    OutputStream out = s.getOutputStream();
                    out.write(greeting.getBytes(StandardCharsets.ISO_8859_1));
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                    for (String answer : answers) {
                        String line = in.readLine();
                        if (line == null) {
                            return;
                        }
                        received.add(line);
                        if (line.startsWith("BDAT ")) {
                            // ISO-8859-1: a char an octet
                            for (long n = Long.parseLong(line.split(" ")[1]); n > 0 && in.read() >= 0; n--) {
                                // skip the chunk
                            }
                        }
                        out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
                    }
                    while (!hangUp && in.readLine() != null) {
                        // hold the connection open until the client closes it
                    }
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

    private ClientSession connect(Duration replyTimeout) throws IOException {
        return ClientSession.connect(group, NioSocketChannel.class, server.address(), "client.test",
                Duration.ofSeconds(5), replyTimeout);
    }

    @Test
    void repliesArePairedWithWhatAskedForThem() throws Exception {
        server = new ScriptedServer("220-mx.test\r\n220 ESMTP\r\n", "250-mx.test\r\n250-PIPELINING\r\n250 CHUNKING\r\n",
                "250 2.1.0 OK\r\n", "550 5.1.1 unknown\r\n", "250 2.1.5 OK\r\n", "250 queued\r\n", "221 bye\r\n");
        try (ClientSession session = connect(Duration.ofSeconds(5))) {
            assertThat(session.greeting()).isEqualTo(new Reply(220, List.of("mx.test", "ESMTP")));
            assertThat(session.ehlo().lines()).containsExactly("mx.test", "PIPELINING", "CHUNKING");
            assertThat(session.ehloInForce()).isNotNull();
            List<Reply> replies = session.send(CommandGroup.of(
                    SmtpCommand.of(Verb.MAIL, "FROM:<a@b.test>"), SmtpCommand.of(Verb.RCPT, "TO:<x@b.test>"),
                    SmtpCommand.of(Verb.RCPT, "TO:<y@b.test>"),
                    new BdatChunk(Unpooled.copiedBuffer("Subject: t\r\n\r\nhi\r\n", StandardCharsets.US_ASCII), true)));
            assertThat(replies).extracting(Reply::code).containsExactly(250, 550, 250, 250);
            assertThat(session.quit()).isEqualTo(Reply.of(221, "bye"));
        }
        assertThat(server.received).containsExactly("EHLO client.test", "MAIL FROM:<a@b.test>", "RCPT TO:<x@b.test>",
                "RCPT TO:<y@b.test>", "BDAT 18 LAST", "QUIT");
    }

    @Test
    void aGroupSentBeforeTheGreetingWaitsBehindIt() throws Exception {
        server = new ScriptedServer("220 mx.test\r\n", "250 mx.test\r\n", "250 OK\r\n");
        try (ClientSession session = connect(Duration.ofSeconds(5))) {
            var early = session.connection().send(CommandGroup.of(SmtpCommand.of(Verb.EHLO, "client.test"),
                    SmtpCommand.of(Verb.MAIL, "FROM:<>")));
            assertThat(session.greeting().code()).isEqualTo(220);
            assertThat(early.get(5, TimeUnit.SECONDS)).extracting(Reply::code).containsExactly(250, 250);
        }
    }

    @Test
    void aMalformedReplyEndsTheConnectionWithItsReason() throws Exception {
        server = new ScriptedServer("220 mx.test\r\n", "250-mx.test\r\n251 mixed\r\n");
        try (ClientSession session = connect(Duration.ofSeconds(5))) {
            session.greeting();
            assertThatThrownBy(session::ehlo).isInstanceOf(IOException.class)
                    .hasMessage("malformed reply: reply code 251 inside a 250 reply: \"251 mixed\\r\\n\"");
            assertThatThrownBy(session::quit).hasMessageStartingWith("malformed reply");
        }
    }

    @Test
    void aLongLineEndsTheConnection() throws Exception {
        server = new ScriptedServer("220 mx.test\r\n", "250 " + "x".repeat(600) + "\r\n");
        try (ClientSession session = connect(Duration.ofSeconds(5))) {
            session.greeting();
            assertThatThrownBy(session::ehlo).hasMessageStartingWith("malformed reply: reply line longer than 512 octets");
        }
    }

    @Test
    void moreRepliesThanCommandsIsAnError() throws Exception {
        server = new ScriptedServer("220 mx.test\r\n", "250 mx.test\r\n250 extra\r\n", "250 OK\r\n");
        try (ClientSession session = connect(Duration.ofSeconds(5))) {
            session.greeting();
            session.ehlo();
            assertThatThrownBy(() -> session.send(SmtpCommand.of(Verb.NOOP)))
                    .hasMessage("unexpected reply (no command outstanding): 250 extra");
        }
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws Exception {
        server = new ScriptedServer("220 mx.test\r\n");
        try (ClientSession session = connect(Duration.ofMillis(300))) {
            session.greeting();
            long start = System.nanoTime();
            assertThatThrownBy(session::ehlo).hasMessage("timed out waiting for a reply");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void aCloseInsideAReplyIsReported() throws Exception {
        server = new ScriptedServer(true, "220-mx.test\r\n220-still");
        try (ClientSession session = connect(Duration.ofSeconds(5))) {
            assertThatThrownBy(session::greeting)
                    .hasMessage("malformed reply: connection closed inside a reply: \"220-still\"");
        }
    }

    @Test
    void aCloseBetweenRepliesNamesTheLastReply() throws Exception {
        // QUIT is read but not answered: the close is a FIN, never a reset for unread input.
        server = new ScriptedServer(true, "220 mx.test\r\n", "421 4.3.2 shutting down\r\n", "");
        try (ClientSession session = connect(Duration.ofSeconds(5))) {
            session.greeting();
            assertThat(session.ehlo().code()).isEqualTo(421);
            assertThatThrownBy(session::quit).hasMessage("connection closed after 421 4.3.2 shutting down");
        }
    }

    @Test
    void aRefusingGreetingIsAReplyNotAnError() throws Exception {
        server = new ScriptedServer("554 5.7.1 go away\r\n", "221 bye\r\n");
        try (ClientSession session = connect(Duration.ofSeconds(5))) {
            assertThat(session.greeting()).isEqualTo(Reply.of(554, "5.7.1 go away"));
            assertThat(session.quit().code()).isEqualTo(221);
        }
    }

    @Test
    void aRefusedStartTlsLeavesTheSessionInCleartextAndFreesTheEngine() throws Exception {
        server = new ScriptedServer("220 mx.test\r\n", "454 4.7.0 TLS not available\r\n", "250 OK\r\n");
        try (ClientSession session = connect(Duration.ofSeconds(5));
                ClientTls tls = ClientTls.create(ClientTls.Settings.defaults(), TicketStore.inMemory())) {
            session.greeting();
            ClientTls.Attempt attempt = tls.begin(session.connection().alloc(),
                    new TlsPeer(null, server.address().getAddress(), server.address().getPort(), null, null), false);
            assertThat(session.connection().startTls(attempt).get(5, TimeUnit.SECONDS).getLast().code()).isEqualTo(454);
            assertThat(((ReferenceCounted) attempt.ssl().engine()).refCnt()).isZero();
            assertThat(session.send(SmtpCommand.of(Verb.NOOP))).extracting(Reply::code).containsExactly(250);
            assertThat(session.tlsOutcome()).isNull();
        }
    }

    @Test
    void aRefusedConnectFails() throws Exception {
        // A port bound but never listening refuses connections, and stays ours meanwhile: a closed listener's
        // port could be taken by another test's server before the connect (it was, once, under load).
        try (Socket reserved = new Socket()) {
            reserved.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), reserved.getLocalPort());
            assertThatThrownBy(() -> ClientSession.connect(group, NioSocketChannel.class, address, "client.test",
                    Duration.ofSeconds(5), Duration.ofSeconds(5))).isInstanceOf(IOException.class)
                    .hasMessageContaining("refused").hasMessageContaining(":" + address.getPort());
        }
    }
}
