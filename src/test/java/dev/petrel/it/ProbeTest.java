package dev.petrel.it;

import dev.petrel.peers.EximServer;
import dev.petrel.peers.Peers;
import dev.petrel.peers.ProcessResult;
import dev.petrel.testkit.PetrelCommand;
import dev.petrel.testkit.Poll;
import dev.petrel.testkit.Ports;
import dev.petrel.tls.ServerCredentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code petrel probe} (the real command, in its own JVM) against Exim 4.96's server with tls_resumption_hosts. */
@Timeout(120)
class ProbeTest {
    @TempDir
    Path dir;

    @Test
    void probeResumesOnItsSecondConnectionToExim() throws Exception {
        Path tlsDir = dir.resolve("cert");
        ServerCredentials.selfSigned(tlsDir, "exim.test");
        int port = Ports.free();
        try (EximServer exim = Peers.eximServer(dir.resolve("exim"), port)
                .tls(tlsDir.resolve("selfsigned-cert.pem"), tlsDir.resolve("selfsigned-key.pem"))
                .tlsResumptionHosts("*").logSelector("+smtp_no_mail +tls_resumption").start()) {
            ProcessResult probe = PetrelCommand.run("probe", "127.0.0.1", String.valueOf(port), "--starttls", "--count", "2");
            System.out.println(probe.stdout());
            assertThat(probe.exitCode()).as(probe.toString()).isZero();
            String out = probe.stdout();
            assertThat(out).contains("STARTTLS").containsPattern("TLS ?1\\.[23]");
            int second = out.indexOf("connection 2");
            assertThat(second).isPositive();
            assertThat(out.substring(0, second)).contains("client requested new ticket, server provided");
            assertThat(out.substring(second)).contains("session resumed");
            // Exim's side of it: a full handshake, then a resumed one (X=...* with +tls_resumption).
            List<String> sessions = Poll.find(Duration.ofSeconds(10), "Exim's log of both connections", () -> {
                List<String> lines = exim.mainlog().stream().filter(l -> l.contains(" no MAIL in SMTP connection ")).toList();
                return lines.size() == 2 ? lines : null;
            });
            assertThat(sessions.get(0)).containsPattern(" X=TLS1\\.[23]:\\S+[^*] CV=no C=EHLO,STARTTLS,EHLO,QUIT$");
            assertThat(sessions.get(1)).containsPattern(" X=TLS1\\.[23]:\\S+\\* CV=no C=EHLO,STARTTLS,EHLO,QUIT$");
        }
    }

    @Test
    void probeAgainstPetrelsImplicitTlsPort() throws Exception {
        int tlsPort = Ports.free(); // named in tls_on_connect_ports, so fixed before the daemon starts
        try (DaemonProcess daemon = new DaemonProcess(dir, "tls_resumption_hosts = *",
                "tls_on_connect_ports = " + tlsPort).alsoListeningOn(tlsPort)) {
            daemon.start();
            ProcessResult probe = PetrelCommand.run("probe", "127.0.0.1", String.valueOf(tlsPort), "--tls-on-connect",
                    "--count", "3");
            System.out.println(probe.stdout());
            assertThat(probe.exitCode()).as(probe.toString()).isZero();
            String out = probe.stdout();
            assertThat(out).contains("PIPECONNECT");
            int second = out.indexOf("connection 2");
            assertThat(out.substring(0, second)).contains("client requested new ticket, server provided");
            assertThat(out.substring(second)).contains("session resumed");
        }
    }
}
