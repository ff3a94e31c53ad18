package dev.petrel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.petrel.testkit.Ports;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS 1.3 tickets leave with the handshake, tell the truth about their lifetime, and a failed handshake is
 * logged in Exim's words: over real SMTP sessions, with openssl s_client as the client.
 */
class TlsTicketsAndErrorsTest {
    /** A Java class name, package or source file in a log line. */
    private static final Pattern JAVA_NAMES = Pattern.compile("[A-Z][A-Za-z]*(Exception|Error)\\b|io\\.netty|javax?\\.|\\.java\\b");
    private static final Pattern HINT = Pattern.compile("TLS session ticket lifetime hint: (\\d+)");

    @TempDir
    Path dir;

    /**
     * s_client fed nothing after STARTTLS: it writes, so the server writes nothing; the ticket must still come,
     * and the next connection resumes with it.
     */
    @Test
    void tls13TicketArrivesAfterStartTlsWithoutAnyFurtherWrite() throws Exception {
        try (TestServer server = TestServer.start(dir, "tls_resumption_hosts = 127.0.0.1")) {
            Path sess = dir.resolve("starttls.sess");
            sClient(server.port(), "-starttls", "smtp", "-tls1_3", "-sess_out", sess.toString());
            assertThat(sess).as("s_client saved a session").exists();
            String text = sessionText(sess);
            assertThat(text).contains("TLS session ticket:");
            assertThat(hint(text)).as("TLS 1.3 lifetime hint: tls_ticket_lifetime (2h)").isEqualTo(7200);
            String again = sClient(server.port(), "-starttls", "smtp", "-tls1_3", "-sess_in", sess.toString());
            assertThat(again).contains("Reused, TLSv1.3");
        }
    }

    @Test
    void tls13TicketArrivesOnImplicitTlsBeforeTheClientSpeaks() throws Exception {
        int tlsPort = Ports.free(); // named in tls_on_connect_ports, so fixed before the server starts
        try (TestServer server = TestServer.start(dir, "tls_resumption_hosts = 127.0.0.1",
                "tls_ticket_lifetime = 10m", "tls_ticket_key_rotate = 5m",
                "local_interfaces = 127.0.0.1." + tlsPort, "tls_on_connect_ports = " + tlsPort)) {
            Path sess = dir.resolve("implicit.sess");
            sClient(tlsPort, "-tls1_3", "-sess_out", sess.toString());
            String text = sessionText(sess);
            assertThat(hint(text)).isEqualTo(600);
            assertThat(sClient(tlsPort, "-tls1_3", "-sess_in", sess.toString())).contains("Reused, TLSv1.3");
        }
    }

    @Test
    void notTlsAfterStartTlsIsLoggedInPlainWords() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            startTlsThenSend(server.port(), "hello there, not TLS\r\n".getBytes(StandardCharsets.US_ASCII), true);
            assertThat(server.awaitLog("TLS error on connection from [127.0.0.1] (STARTTLS): "))
                    .endsWith("TLS error on connection from [127.0.0.1] (STARTTLS): not a TLS record");
            assertNoJavaNames(server);
        }
    }

    @Test
    void brokenClientHelloIsLoggedWithBoringSslsReason() throws Exception {
        // A TLS record holding a ClientHello of one byte: the framing is right, the hello cannot be parsed.
        byte[] hello = {0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x03};
        try (TestServer server = TestServer.start(dir)) {
            startTlsThenSend(server.port(), hello, true);
            assertThat(server.awaitLog("TLS error on connection from [127.0.0.1] (STARTTLS): "))
                    .endsWith("(STARTTLS): CLIENTHELLO_PARSE_FAILED");
            assertNoJavaNames(server);
        }
    }

    @Test
    void clientLeavingMidHandshakeIsLoggedInPlainWords() throws Exception {
        // The header of a record whose 64 bytes never come.
        byte[] half = {0x16, 0x03, 0x01, 0x00, 0x40, 0x01};
        int tlsPort = Ports.free(); // named in tls_on_connect_ports, so fixed before the server starts
        try (TestServer server = TestServer.start(dir, "local_interfaces = 127.0.0.1." + tlsPort,
                "tls_on_connect_ports = " + tlsPort)) {
            try (Socket s = new Socket("127.0.0.1", tlsPort)) {
                s.getOutputStream().write(half);
                s.getOutputStream().flush();
                Thread.sleep(100);
            }
            assertThat(server.awaitLog("TLS error on connection from [127.0.0.1] (tls_on_connect): "))
                    .endsWith("(tls_on_connect): connection closed by peer during handshake");
            assertNoJavaNames(server);
        }
    }

    private static void startTlsThenSend(int port, byte[] bytes, boolean waitForClose) throws Exception {
        try (RawClient c = new RawClient(port)) {
            c.banner();
            c.send("EHLO c\r\n");
            c.reply();
            c.send("STARTTLS\r\n");
            assertThat(c.replyLine()).isEqualTo("220 2.0.0 Ready to start TLS");
            c.send(bytes);
            if (waitForClose) {
                c.closedByServer(10_000); // the server's alert, if any, then its close
            }
        }
    }

    private static void assertNoJavaNames(TestServer server) throws Exception {
        for (String line : server.mainlog()) {
            assertThat(JAVA_NAMES.matcher(line).find()).as(line).isFalse();
        }
    }

    private static long hint(String sessionText) {
        Matcher m = HINT.matcher(sessionText);
        assertThat(m.find()).as("a lifetime hint in:\n" + sessionText).isTrue();
        return Long.parseLong(m.group(1));
    }

    private String sessionText(Path sess) throws Exception {
        return run(List.of("openssl", "sess_id", "-in", sess.toString(), "-text", "-noout"), 0);
    }

    /** s_client on 127.0.0.1 with its input held open, silent, for a second, then closed. */
    private static String sClient(int port, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-servername", "petrel.test"));
        command.addAll(List.of(options));
        return run(command, 1000);
    }

    private static String run(List<String> command, long quietMillis) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Thread reader = Thread.ofPlatform().start(() -> {
            try (InputStream in = p.getInputStream()) {
                in.transferTo(output);
            } catch (IOException ignored) {
                // process ended
            }
        });
        Thread.sleep(quietMillis);
        try (OutputStream in = p.getOutputStream()) {
            in.flush();
        } catch (IOException ended) {
            // already gone
        }
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        reader.join(5000);
        return output.toString(StandardCharsets.UTF_8);
    }
}
