package dev.petrel.it;

import dev.petrel.peers.EximClient;
import dev.petrel.peers.Peers;
import dev.petrel.testkit.Poll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** TLS session resumption against real peers: openssl s_client and Exim 4.96 (GnuTLS) as clients. */
@Timeout(180)
class TlsPeersTest {
    @TempDir
    Path dir;

    /**
     * Runs {@code openssl s_client -starttls smtp}, then one message through it, each line sent once the reply
     * to the one before has come (the server enforces SMTP synchronisation), and returns everything s_client
     * printed.
     */
    static String sClient(int port, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-starttls", "smtp", "-connect",
                "127.0.0.1:" + port, "-crlf", "-ign_eof", "-servername", "petrel.test"));
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Thread reader = Thread.ofPlatform().start(() -> {
            byte[] buf = new byte[8192];
            try (InputStream in = p.getInputStream()) {
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                    synchronized (output) {
                        output.write(buf, 0, n);
                    }
                }
            } catch (IOException ignored) {
                // process ended
            }
        });
        try (OutputStream in = p.getOutputStream()) {
            String[][] steps = {{"EHLO sclient.test", "250"}, {"MAIL FROM:<s@client.test>", "250"},
                {"RCPT TO:<tls@test.ex>", "250"}, {"DATA", "354"}, {"Subject: via s_client\n\nhello over TLS\n.", "250"},
                {"QUIT", "221"}};
            for (String[] step : steps) {
                int from = size(output);
                in.write((step[0] + "\n").getBytes(StandardCharsets.US_ASCII));
                in.flush();
                Pattern reply = Pattern.compile("(?m)^" + step[1] + " ");
                Poll.until(Duration.ofSeconds(10), "s_client to print the reply to " + step[0],
                        () -> !p.isAlive() || reply.matcher(text(output, from)).find());
                if (!p.isAlive()) {
                    break; // the server closed the connection: the output says why
                }
            }
        } catch (IOException ended) {
            // s_client is gone (the server closed the connection): its output says why
        }
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        reader.join(5000);
        return text(output, 0);
    }

    private static int size(ByteArrayOutputStream output) {
        synchronized (output) {
            return output.size();
        }
    }

    private static String text(ByteArrayOutputStream output, int from) {
        synchronized (output) {
            byte[] all = output.toByteArray();
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"-tls1_2", "-tls1_3"})
    void opensslResumesAndPetrelLogsIt(String protocol) throws Exception {
        try (DaemonProcess daemon = new DaemonProcess(dir, "tls_resumption_hosts = 127.0.0.1",
                "log_selector = +pipelining +received_recipients +tls_resumption +tls_resumption_state")) {
            daemon.start();
            Path session = dir.resolve("session.pem");
            String first = sClient(daemon.port(), protocol, "-sess_out", session.toString());
            assertThat(first).contains("250 OK id=").containsPattern("(?m)^New, TLSv1\\.[23]");
            assertThat(Files.size(session)).isPositive();
            String second = sClient(daemon.port(), protocol, "-sess_in", session.toString());
            assertThat(second).contains("250 OK id=").containsPattern("(?m)^Reused, TLSv1\\.[23]");
            System.out.println(protocol + ": " + second.lines().filter(l -> l.startsWith("Reused")).findFirst().orElse(""));

            List<String> received = daemon.mainlog().stream().filter(l -> l.contains(" <= s@client.test ")).toList();
            assertThat(received).hasSize(2);
            String version = protocol.equals("-tls1_2") ? "TLS1.2" : "TLS1.3";
            assertThat(received.get(0)).contains(" P=esmtps ").contains(" X=" + version + ":")
                    .doesNotContainPattern(" X=\\S+\\* ").contains(" TR=\"client requested new ticket, server provided\"");
            assertThat(received.get(1)).containsPattern(" X=" + version.replace(".", "\\.") + ":\\S+:\\d+\\* ")
                    .containsPattern(" TR=\"session resumed(, also new ticket)?\"");
            received.forEach(System.out::println);
        }
    }

    @Test
    void hostOutsideTlsResumptionHostsGetsNoTicket() throws Exception {
        try (DaemonProcess daemon = new DaemonProcess(dir,
                "log_selector = +received_recipients +tls_resumption +tls_resumption_state")) {
            daemon.start();
            Path session12 = dir.resolve("s12.pem");
            String tls12 = sClient(daemon.port(), "-tls1_2", "-sess_out", session12.toString());
            assertThat(tls12).contains("250 OK id=").doesNotContain("TLS session ticket lifetime hint");
            String tls13 = sClient(daemon.port(), "-tls1_3", "-msg");
            assertThat(tls13).as(tls13).contains("250 OK id=").doesNotContain("NewSessionTicket");
            // s_client saves a session only when the server gave it something to resume with.
            assertThat(session12).as("a session s_client could resume with").doesNotExist();
            assertThat(daemon.mainlog().stream().filter(l -> l.contains(" <= s@client.test ")))
                    .hasSize(2).noneMatch(l -> l.contains("server provided") || l.contains("resumed"));
        }
    }

    /**
     * Exim 4.96 (GnuTLS) with tls_resumption_hosts: the second and third messages resume (X=...* on both
     * sides), and with hosts_pipe_connect the third also sends EHLO and STARTTLS before the banner (L*).
     */
    @Test
    void eximClientResumesAndPipelinesEarlyOverStartTls() throws Exception {
        Files.createDirectories(dir.resolve("petrel"));
        try (DaemonProcess daemon = new DaemonProcess(dir.resolve("petrel"), "tls_resumption_hosts = *",
                "log_selector = +pipelining +received_recipients +tls_resumption +tls_resumption_state")) {
            daemon.start();
            EximClient exim = Peers.exim(dir.resolve("exim")).port(daemon.port()).hostsRequireTls("*")
                    .tlsResumptionHosts("*").logSelector("+pipelining +tls_resumption +received_recipients");
            for (int i = 1; i <= 3; i++) {
                exim.send("tls@client.test", "exim-tls@test.ex", "message " + i + "\n").requireOk();
            }
            List<String> out = exim.mainlog().stream().filter(l -> l.contains(" => ")).toList();
            List<String> in = daemon.mainlog().stream().filter(l -> l.contains(" <= tls@client.test ")).toList();
            System.out.println("Exim client:\n  " + String.join("\n  ", out) + "\nPetrel:\n  " + String.join("\n  ", in));
            assertThat(out).as("exim: %s\npetrel: %s", exim.mainlog(), daemon.mainlog()).hasSize(3);
            assertThat(in).hasSize(3);
            assertThat(out.get(0)).containsPattern(" X=TLS1\\.[23]:\\S+[^*] ");
            assertThat(in.get(0)).contains(" P=esmtps ").containsPattern(" X=\\S+[^*] ");
            for (int i = 1; i < 3; i++) {
                assertThat(out.get(i)).as("exim delivery %d resumed", i + 1).containsPattern(" X=\\S+\\* ");
                assertThat(in.get(i)).as("petrel reception %d resumed", i + 1).containsPattern(" X=\\S+\\* ")
                        .contains("TR=\"session resumed");
            }
            assertThat(out.get(2)).contains(" L* ");
            assertThat(in.get(2)).contains(" L* ");
        }
    }
}
