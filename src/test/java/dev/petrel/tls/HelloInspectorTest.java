package dev.petrel.tls;

import static dev.petrel.tls.TlsTestSupport.config;
import static dev.petrel.tls.TlsTestSupport.sClient;
import static org.assertj.core.api.Assertions.assertThat;

import dev.petrel.log.MainLog;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class HelloInspectorTest {
    @TempDir
    Path dir;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private byte[] hello12;
    private byte[] hello13Psk;

    /** ClientHello messages as openssl s_client really sends them, recorded from its -msg output. */
    @BeforeEach
    void record() throws Exception {
        try (ServerTls tls = ServerTls.create(config(dir, "tls_resumption_hosts = *"), timer,
                MainLog.discarding(Set.of())); TlsEchoServer server = new TlsEchoServer(tls)) {
            hello12 = clientHello(sClient(server.port(), "-tls1_2", null, null, "-msg"));
            Path sess = dir.resolve("sess");
            sClient(server.port(), "-tls1_3", sess, null);
            hello13Psk = clientHello(sClient(server.port(), "-tls1_3", null, sess, "-msg"));
        }
    }

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    private static byte[] clientHello(String msgOutput) {
        List<String> lines = msgOutput.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(">>> ") && lines.get(i).endsWith("ClientHello")) {
                StringBuilder hex = new StringBuilder();
                for (int j = i + 1; j < lines.size() && lines.get(j).startsWith("    "); j++) {
                    hex.append(lines.get(j).replace(" ", ""));
                }
                return HexFormat.of().parseHex(hex);
            }
        }
        throw new AssertionError("no ClientHello in\n" + msgOutput);
    }

    /** The handshake message in TLS records of at most {@code fragment} bytes of payload each. */
    private static byte[] records(byte[] message, int fragment) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < message.length; at += fragment) {
            int n = Math.min(fragment, message.length - at);
            out.write(new byte[] {22, 3, 1, (byte) (n >> 8), (byte) n}, 0, 5);
            out.write(message, at, n);
        }
        return out.toByteArray();
    }

    private static HelloInspector.Seen inspect(byte[] wire, int... cuts) {
        HelloInspector inspector = HelloInspector.forServer();
        EmbeddedChannel ch = new EmbeddedChannel(inspector);
        List<byte[]> passed = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            ch.writeInbound(Unpooled.wrappedBuffer(wire, from, cut - from));
            from = cut;
        }
        ch.writeInbound(Unpooled.wrappedBuffer(wire, from, wire.length - from));
        ByteArrayOutputStream through = new ByteArrayOutputStream();
        for (ByteBuf b = ch.readInbound(); b != null; b = ch.readInbound()) {
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            through.write(bytes, 0, bytes.length);
            b.release();
        }
        assertThat(through.toByteArray()).as("passes every byte unchanged").isEqualTo(wire);
        ch.finishAndReleaseAll();
        return inspector.seen();
    }

    @Test
    void tls12HelloRequestsATicketAtEverySplit() {
        for (byte[] wire : List.of(records(hello12, 16384), records(hello12, 50))) {
            for (int cut = 1; cut < wire.length; cut++) {
                HelloInspector.Seen seen = inspect(wire, cut);
                assertThat(seen.malformed()).isFalse();
                assertThat(seen.hello()).as("cut at %d", cut).isNotNull();
                assertThat(seen.hello().sessionTicket()).isTrue();
                assertThat(seen.hello().sessionTicketNonEmpty()).isFalse();
                assertThat(seen.clientRequestedTicket()).isTrue();
                assertThat(seen.clientOfferedSession()).isFalse();
            }
        }
    }

    @Test
    void tls13HelloOffersASessionAtEverySplit() {
        for (byte[] wire : List.of(records(hello13Psk, 16384), records(hello13Psk, 37))) {
            for (int cut = 1; cut < wire.length; cut++) {
                HelloInspector.Seen seen = inspect(wire, cut);
                assertThat(seen.hello()).as("cut at %d", cut).isNotNull();
                assertThat(seen.hello().preSharedKey()).isTrue();
                assertThat(seen.hello().pskModes()).isTrue();
                assertThat(seen.hello().pskDheKe()).isTrue();
                assertThat(seen.clientOfferedSession()).isTrue();
            }
        }
    }

    @Test
    void byteByByte() {
        byte[] wire = records(hello13Psk, 100);
        int[] cuts = new int[wire.length - 1];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = i + 1;
        }
        assertThat(inspect(wire, cuts).clientOfferedSession()).isTrue();
    }

    @Test
    void removesItselfOnceBothDirectionsAreDone() {
        HelloInspector inspector = HelloInspector.forServer();
        EmbeddedChannel ch = new EmbeddedChannel(inspector);
        ch.writeInbound(Unpooled.wrappedBuffer(records(hello12, 16384)));
        assertThat(ch.pipeline().get(HelloInspector.class)).as("the server's flight is still to be read").isNotNull();
        // An encrypted record leaving: nothing more of the server's flight is in clear.
        byte[] encrypted = {23, 3, 3, 0, 2, 42, 42};
        ch.writeOutbound(Unpooled.wrappedBuffer(encrypted));
        assertThat(ch.pipeline().get(HelloInspector.class)).as("both directions done").isNull();
        ByteBuf out = ch.readOutbound();
        assertThat(ByteBufUtil.getBytes(out)).as("the record leaves unchanged").isEqualTo(encrypted);
        out.release();
        assertThat(inspector.seen().clientRequestedTicket()).isTrue();
        assertThat(inspector.seen().malformed()).isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void garbageIsPassedOnAndNotThrown() {
        for (String text : List.of("EHLO client.example\r\n", "\u0016\u0003\u0001\u0000", "GET / HTTP/1.0\r\n\r\n")) {
            HelloInspector inspector = HelloInspector.forServer();
            EmbeddedChannel ch = new EmbeddedChannel(inspector);
            byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            ch.writeInbound(Unpooled.wrappedBuffer(bytes));
            ByteBuf through = ch.readInbound();
            assertThat(through.readableBytes()).isEqualTo(bytes.length);
            through.release();
            // Not TLS: the inspector stops at once. The start of a handshake record header: it waits for more.
            boolean startOfTls = bytes[0] == 22;
            assertThat(inspector.seen().malformed()).as("%s malformed", text).isEqualTo(!startOfTls);
            assertThat(ch.pipeline().get(HelloInspector.class) != null).as("%s still inspected", text).isEqualTo(startOfTls);
            ch.finishAndReleaseAll();
        }
        // A handshake record whose first message is not a ClientHello.
        byte[] notHello = records(new byte[] {2, 0, 0, 1, 0}, 100);
        HelloInspector inspector = HelloInspector.forServer();
        EmbeddedChannel ch = new EmbeddedChannel(inspector);
        ch.writeInbound(Unpooled.wrappedBuffer(notHello));
        assertThat(inspector.seen().malformed()).isTrue();
        ch.finishAndReleaseAll();
    }
}
