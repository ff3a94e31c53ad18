package dev.petrel.tls;

import static dev.petrel.tls.TlsTestSupport.config;
import static dev.petrel.tls.TlsTestSupport.handshakeLine;
import static dev.petrel.tls.TlsTestSupport.sClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.petrel.config.MainConfig;
import dev.petrel.log.MainLog;
import io.netty.handler.ssl.OpenSslSessionStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class TicketKeyRingTest {
    @TempDir
    Path dir;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    @Test
    void lifetimeMustExceedRotation() {
        assertThatThrownBy(() -> TicketKeyRing.start(Duration.ofSeconds(2), Duration.ofSeconds(2), timer))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keepsCurrentAndPreviousKeyThenDropsByLifetime() throws Exception {
        try (TicketKeyRing ring = TicketKeyRing.start(Duration.ofMillis(300), Duration.ofMillis(600), timer)) {
            assertThat(ring.size()).isEqualTo(1);
            Thread.sleep(450);
            assertThat(ring.size()).isEqualTo(2);
            Thread.sleep(1000);
            // Creation at 0, 300, 600, ...: each key lives 600 ms, so never more than two overlap.
            assertThat(ring.size()).isBetween(1, 2);
            assertThat(ring.toString()).doesNotContainPattern("[0-9a-f]{16}");
        }
    }

    /**
     * Rotation every 2 s, keys dropped 4 s after creation. A TLS 1.2 ticket from the first key: resumed and
     * renewed after one rotation; after the second rotation its key is gone and a full handshake follows,
     * with no error on the client side.
     */
    @Test
    void ticketUnderPreviousKeyIsRenewedAndAfterTwoRotationsFullHandshake() throws Exception {
        MainConfig config = config(dir, "tls_resumption_hosts = 127.0.0.1", "tls_ticket_key_rotate = 2s",
                "tls_ticket_lifetime = 4s");
        try (ServerTls tls = ServerTls.create(config, timer, MainLog.discarding(Set.of()));
                TlsEchoServer server = new TlsEchoServer(tls)) {
            // The ring's clock starts at the end of create(), after the slow RSA key generation.
            long start = System.nanoTime();
            OpenSslSessionStats stats = tls.stats().orElseThrow();
            Path sess = dir.resolve("ticket");
            assertThat(handshakeLine(sClient(server.port(), "-tls1_2", sess, null))).startsWith("New,");
            server.nextInfo();
            assertThat(stats.ticketKeyNew()).isEqualTo(1);

            sleepUntil(start, 2_700);
            String renewed = sClient(server.port(), "-tls1_2", null, sess);
            assertThat(handshakeLine(renewed)).startsWith("Reused,");
            TlsSessionInfo info = server.nextInfo();
            assertThat(info.resumed()).isTrue();
            assertThat(stats.ticketKeyRenew()).as("renewals; ring size %d", tls.ring().size()).isEqualTo(1);
            assertThat(info.resumptionText()).isEqualTo("session resumed, also new ticket");

            sleepUntil(start, 4_700);
            String full = sClient(server.port(), "-tls1_2", null, sess);
            assertThat(handshakeLine(full)).startsWith("New,");
            assertThat(full).contains("echo: hello").doesNotContain("alert");
            TlsSessionInfo fullInfo = server.nextInfo();
            assertThat(fullInfo.resumed()).isFalse();
            assertThat(fullInfo.resumptionText()).isEqualTo("client offered session, server only provided new ticket");
        }
    }

    @Test
    void tls13TicketRenewedUnderNewKey() throws Exception {
        MainConfig config = config(dir, "tls_resumption_hosts = 127.0.0.1", "tls_ticket_key_rotate = 2s",
                "tls_ticket_lifetime = 4s");
        try (ServerTls tls = ServerTls.create(config, timer, MainLog.discarding(Set.of()));
                TlsEchoServer server = new TlsEchoServer(tls)) {
            // The ring's clock starts at the end of create(), after the slow RSA key generation.
            long start = System.nanoTime();
            Path sess = dir.resolve("t13");
            assertThat(handshakeLine(sClient(server.port(), "-tls1_3", sess, null))).startsWith("New,");
            server.nextInfo();
            sleepUntil(start, 2_700);
            assertThat(handshakeLine(sClient(server.port(), "-tls1_3", null, sess))).startsWith("Reused,");
            assertThat(server.nextInfo().resumed()).isTrue();
            assertThat(tls.stats().orElseThrow().ticketKeyRenew()).isPositive();
            sleepUntil(start, 4_700);
            String full = sClient(server.port(), "-tls1_3", null, sess);
            assertThat(handshakeLine(full)).startsWith("New,");
            assertThat(full).contains("echo: hello");
            assertThat(server.nextInfo().resumed()).isFalse();
        }
    }

    /**
     * RFC 8446 §4.6.1: keying material from one full handshake lives at most tls_ticket_lifetime, however
     * often the client resumes and gets a fresh ticket. Keys rotate every 2 s and live 5 s; the client resumes
     * every ~1.5 s, saving each new ticket. No resumption may happen 5 s or more after the full handshake the
     * chain started from, in either version, and the chain must end (a full handshake) within the run.
     */
    @ParameterizedTest
    @ValueSource(strings = {"-tls1_3", "-tls1_2"})
    void resumptionChainEndsTicketLifetimeAfterItsFullHandshake(String version) throws Exception {
        MainConfig config = config(dir, "tls_resumption_hosts = 127.0.0.1", "tls_ticket_key_rotate = 2s",
                "tls_ticket_lifetime = 5s");
        try (ServerTls tls = ServerTls.create(config, timer, MainLog.discarding(Set.of()));
                TlsEchoServer server = new TlsEchoServer(tls)) {
            Path sess = dir.resolve("chain" + version);
            long fullAt = System.nanoTime();
            assertThat(handshakeLine(sClient(server.port(), version, sess, null))).startsWith("New,");
            server.nextInfo();
            assertThat(hint(sess)).as("first ticket's hint: tls_ticket_lifetime").isEqualTo(5);
            int resumed = 0;
            int fullAgain = 0;
            long end = fullAt + 12_000_000_000L;
            while (System.nanoTime() < end) {
                Thread.sleep(1500);
                long startedAt = System.nanoTime();
                String line = handshakeLine(sClient(server.port(), version, sess, sess));
                long sinceFull = (startedAt - fullAt) / 1_000_000;
                System.out.println(version + " +" + sinceFull + " ms since full handshake: " + line
                        + ", hint " + hint(sess));
                server.nextInfo();
                if (line.startsWith("Reused,")) {
                    assertThat(sinceFull).as("resumed %d ms after the full handshake", sinceFull).isLessThan(5_000);
                    resumed++;
                } else {
                    fullAt = startedAt;
                    fullAgain++;
                }
            }
            assertThat(resumed).as("resumptions").isPositive();
            assertThat(fullAgain).as("full handshakes ending a chain").isPositive();
        }
    }

    /**
     * The ticket lifetime hint in an s_client session file. OpenSSL prints no hint line for a hint of 0, which is
     * what a ticket issued in the last second of a chain carries (BoringSSL gives it what is left of the chain);
     * the file must still hold a ticket.
     */
    private static long hint(Path sess) throws Exception {
        String text = TlsTestSupport.run("", java.util.List.of("openssl", "sess_id", "-in", sess.toString(), "-text",
                "-noout"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("lifetime hint: (\\d+)").matcher(text);
        if (m.find()) {
            return Long.parseLong(m.group(1));
        }
        assertThat(text).as("a session with a ticket").contains("TLS session ticket:");
        return 0;
    }

    private static void sleepUntil(long start, long millis) throws InterruptedException {
        long wait = millis - (System.nanoTime() - start) / 1_000_000;
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }
}
