package dev.petrel.it;

import dev.petrel.peers.EximServer;
import dev.petrel.peers.Peers;
import dev.petrel.peers.ProcessResult;
import dev.petrel.testkit.Poll;
import dev.petrel.tls.ServerCredentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code petrel probe} (the real command, in its own JVM) against Exim 4.96's server with tls_resumption_hosts. */
@Timeout(120)
class ProbeTest {
    @TempDir
    Path dir;

    private static ProcessResult petrel(Path workDir, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "dev.petrel.cli.Main"));
        command.addAll(List.of(args));
        return Peers.run(command, Map.of(), new byte[0], Duration.ofSeconds(60));
    }

    @Test
    void probeResumesOnItsSecondConnectionToExim() throws Exception {
        Path tlsDir = dir.resolve("cert");
        ServerCredentials.selfSigned(tlsDir, "exim.test");
        int port = Peers.freePort();
        try (EximServer exim = Peers.eximServer(dir.resolve("exim"), port)
                .tls(tlsDir.resolve("selfsigned-cert.pem"), tlsDir.resolve("selfsigned-key.pem"))
                .tlsResumptionHosts("*").logSelector("+smtp_no_mail +tls_resumption").start()) {
            ProcessResult probe = petrel(dir, "probe", "127.0.0.1", String.valueOf(port), "--starttls", "--count", "2");
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
        int tlsPort = DaemonProcess.freePort();
        try (DaemonProcess daemon = new DaemonProcess(dir, "tls_resumption_hosts = *",
                "tls_on_connect_ports = " + tlsPort)) {
            // listen on both the cleartext and the implicit-TLS port
            java.nio.file.Files.writeString(daemon.config, java.nio.file.Files.readString(daemon.config)
                    .replace("local_interfaces = 127.0.0.1." + daemon.port,
                            "local_interfaces = 127.0.0.1." + daemon.port + " : 127.0.0.1." + tlsPort));
            daemon.start();
            ProcessResult probe = petrel(dir, "probe", "127.0.0.1", String.valueOf(tlsPort), "--tls-on-connect",
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
