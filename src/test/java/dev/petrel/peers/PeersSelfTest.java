package dev.petrel.peers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.petrel.testkit.Ports;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guards the installation of the real peers (test-peers/install.sh): they work against each other on loopback,
 * independently of Petrel.
 */
@Timeout(120)
class PeersSelfTest {

    @TempDir
    Path dir;

    @Test
    void eximClientUsesPipeConnectOnSecondConnectionToEximServer() {
        int port = Ports.free();
        // Exim's server counts early pipelining only when the client's octets beat its banner; on a loaded
        // machine's loopback that is a race, so the banner waits as a remote server's would.
        try (EximServer server = Peers.eximServer(dir.resolve("server"), port).bannerDelay("1s").start()) {
            EximClient client = Peers.exim(dir.resolve("client")).port(port);

            client.send("alice@client.test", "bob@server.test", "first\n").requireOk();
            client.send("alice@client.test", "bob@server.test", "second\n").requireOk();

            List<String> out = client.mainlog().stream().filter(l -> l.contains(" => ")).toList();
            assertThat(out).as("client mainlog %s", client.mainlog()).hasSize(2);
            assertThat(out.get(0)).contains("H=127.0.0.1 [127.0.0.1]").doesNotContain(" L* ");
            assertThat(out.get(1)).as("second connection used PIPECONNECT").contains(" L* ");
            assertThat(client.dumpMiscDb().requireOk().stdout()).contains("127.0.0.1:" + port + ".EHLO");

            assertThat(server.awaitMainlog("Completed", Duration.ofSeconds(10))).isTrue();
            List<String> in = server.mainlog().stream().filter(l -> l.contains(" <= ")).toList();
            assertThat(in).as("server mainlog %s", server.mainlog()).hasSize(2);
            assertThat(in.get(0)).contains(" L.").contains("for bob@server.test");
            assertThat(in.get(1)).contains(" L* ");
            assertThat(server.awaitMainlog("R=everything T=store", Duration.ofSeconds(10))).isTrue();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (server.maildirMessages().size() < 2 && System.nanoTime() < deadline) {
                Peers.sleep(50);
            }
            assertThat(server.maildirMessages()).hasSize(2);
        }
    }

    @Test
    void smtpSourceToSmtpSinkAndSwaks() {
        int port = Ports.free();
        try (SmtpSink sink = Peers.smtpSink(dir.resolve("sink"), port, "-c")) {
            ProcessResult r = Peers.smtpSource(Duration.ofSeconds(60),
                    "-s", "5", "-m", "50", "-l", "1000", "127.0.0.1:" + port).requireOk();
            assertThat(r.timedOut()).isFalse();
            ProcessResult s = Peers.swaks("--server", "127.0.0.1:" + port, "--from", "a@client.test",
                    "--to", "b@server.test", "--silent", "2").requireOk();
            assertThat(s.exitCode()).isZero();
        }
    }

    @Test
    void eximstatsParsesEximServerMainlog() {
        int port = Ports.free();
        try (EximServer server = Peers.eximServer(dir.resolve("server"), port)
                .delivery(EximServer.Delivery.DEV_NULL).start()) {
            Peers.swaks("--server", "127.0.0.1:" + port, "--from", "a@client.test", "--to", "b@server.test",
                    "--silent", "2").requireOk();
            assertThat(server.awaitMainlog("Completed", Duration.ofSeconds(10))).isTrue();
            ProcessResult stats = Peers.eximstats(server.mainlogFile()).requireOk();
            assertThat(stats.stdout()).contains("Grand total summary").containsPattern("Received\\s+\\d+\\s+1\\b");
        }
    }
}
