package dev.petrel.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.petrel.config.Config;
import dev.petrel.hints.HintsDb;
import dev.petrel.peers.EximClient;
import dev.petrel.peers.EximServer;
import dev.petrel.peers.FakeSmtpServer;
import dev.petrel.peers.Peers;
import dev.petrel.testkit.Ports;
import dev.petrel.tls.ServerCredentials;
import dev.petrel.tls.TestCa;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The smtp transport's client certificate ({@code tls_certificate}, {@code tls_privatekey}) towards Exim 4.96
 * asking for one ({@code tls_verify_hosts} / {@code tls_try_verify_hosts} with the test CA): presented over
 * STARTTLS and implicit TLS, its absence refused, broken files deferring, and resumption keyed by it.
 */
class ClientCertificatePeersTest {
    private static final String DATA = "From: alice@test.ex\r\nSubject: with a client certificate\r\n\r\nhello\r\n";
    private static final String X = "X=TLS1\\.[23]:[A-Z0-9_-]+:[0-9]+";

    @TempDir
    Path dir;
    private TestCa ca;
    private Path clientCert;
    private Path clientKey;
    private DeliveryHarness harness;

    @BeforeEach
    void makeCertificates() throws Exception {
        ca = TestCa.create(dir.resolve("ca"));
        clientCert = dir.resolve("client/cert.pem");
        clientKey = dir.resolve("client/key.pem");
        ca.issueClient("client.petrel.test", clientCert, clientKey);
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private void start(int port, String... transportOptions) throws Exception {
        Config config = DeliveryHarness.smarthost(dir, port, "log_selector = +pipelining +tls_resumption",
                transportOptions);
        harness = new DeliveryHarness(dir, config);
    }

    private String deliver(String rcpt) throws Exception {
        return harness.deliver("alice@test.ex", DATA, rcpt);
    }

    /** Exim with STARTTLS (a self-signed server certificate), asking clients for one signed by the test CA. */
    private EximServer exim(int port, boolean required) throws Exception {
        Path certs = dir.resolve("server-certs");
        ServerCredentials.selfSigned(certs, "server.petrel.test");
        return Peers.eximServer(dir.resolve("exim"), port)
                .logSelector(EximClient.DEFAULT_LOG_SELECTOR + " +tls_peerdn +tls_certificate_verified")
                .tls(certs.resolve("selfsigned-cert.pem"), certs.resolve("selfsigned-key.pem"))
                .verifyClients(ca.pem(), required);
    }

    private static List<String> arrivals(EximServer exim, int count) {
        assertThat(exim.awaitMainlog("for r" + count + "@relay.test", Duration.ofSeconds(10))).isTrue();
        return exim.mainlog().stream().filter(l -> l.contains("<= alice@test.ex")).toList();
    }

    /** The certificate's file named through {@code $host}, as Exim expands it. */
    @Test
    void presentedOverStartTlsToEximThatRequiresIt() throws Exception {
        Files.move(clientCert, dir.resolve("client/127.0.0.1-cert.pem"));
        int port = Ports.free();
        try (EximServer exim = exim(port, true).start()) {
            start(port, "  tls_certificate = " + dir.resolve("client") + "/$host-cert.pem",
                    "  tls_privatekey = " + clientKey);
            String id = deliver("r1@relay.test");
            assertThat(harness.mainLog().getFirst()).matches(Pattern.quote(id + " => r1@relay.test R=smarthost "
                    + "T=remote_smtp H=127.0.0.1 [127.0.0.1] ") + X + " CV=no .*");
            String arrival = arrivals(exim, 1).getFirst();
            assertThat(arrival).contains(" CV=yes ").containsPattern(" DN=\"[^\"]*CN=client\\.petrel\\.test[^\"]*\"");
            System.out.println("Exim:   " + arrival);
        }
    }

    /** The key after the certificate in one file (no tls_privatekey), named through {@code $host_address}. */
    @Test
    void presentedOverImplicitTlsWithTheKeyInTheCertificateFile() throws Exception {
        int port = Ports.free();
        int tlsPort = Ports.free();
        ca.issueClient("smtps.petrel.test", dir.resolve("client/127.0.0.1.pem"), null);
        try (EximServer exim = exim(port, true).tlsOnConnect(tlsPort).start()) {
            start(tlsPort, "  protocol = smtps", "  tls_certificate = " + dir.resolve("client") + "/$host_address.pem");
            String id = deliver("r1@relay.test");
            assertThat(harness.mainLog().getFirst()).matches(Pattern.quote(id + " => r1@relay.test R=smarthost "
                    + "T=remote_smtp H=127.0.0.1 [127.0.0.1] ") + X + " CV=no .*");
            assertThat(arrivals(exim, 1).getFirst()).contains(" CV=yes ")
                    .containsPattern(" DN=\"[^\"]*CN=smtps\\.petrel\\.test[^\"]*\"");
        }
    }

    /** The same Exim, no certificate from Petrel: the handshake fails, and TLS is required here, so it waits. */
    @Test
    void withoutACertificateTheRequiringServerRefusesAndTheMessageWaits() throws Exception {
        int port = Ports.free();
        try (EximServer exim = exim(port, true).start()) {
            start(port, "  hosts_require_tls = *");
            String id = deliver("r1@relay.test");
            List<String> log = harness.mainLog();
            System.out.println("Petrel: " + log);
            assertThat(log).containsExactly(
                    id + " H=127.0.0.1 [127.0.0.1]: TLS session: TLSV1_ALERT_CERTIFICATE_REQUIRED",
                    id + " == r1@relay.test R=smarthost T=remote_smtp defer (-18) H=127.0.0.1 [127.0.0.1]: "
                            + "TLS session: TLSV1_ALERT_CERTIFICATE_REQUIRED");
            assertThat(log).noneMatch(l -> l.contains(" => "));
            assertThat(harness.spool.contains(id)).isTrue();
            assertThat(exim.mainlog()).noneMatch(l -> l.contains("<= alice@test.ex"));
        }
    }

    /**
     * One configuration whose files are broken in turn between deliveries, each message deferred with the
     * reason and left queued, no connection made; then mended, without a restart, and used.
     */
    @Test
    void aMissingFileAGarbagePemAndAForeignKeyDeferWithTheReason() throws Exception {
        Path cert = dir.resolve("now/127.0.0.1.pem");
        Path key = dir.resolve("now/key.pem");
        int port = Ports.free();
        try (EximServer exim = exim(port, false).start()) {
            start(port, "  tls_certificate = " + dir.resolve("now") + "/$host_address.pem",
                    "  tls_privatekey = " + key);
            String missing = deliver("r1@relay.test");
            Files.createDirectories(cert.getParent());
            Files.writeString(cert, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
            Files.copy(clientKey, key);
            String garbage = deliver("r2@relay.test");
            ca.issueClient("other.petrel.test", dir.resolve("other/cert.pem"), dir.resolve("other/key.pem"));
            Files.copy(dir.resolve("other/cert.pem"), cert, StandardCopyOption.REPLACE_EXISTING);
            String foreign = deliver("r3@relay.test");

            List<String> log = harness.mainLog();
            System.out.println("Petrel: " + String.join("\nPetrel: ", log));
            String defer = " R=smarthost T=remote_smtp defer (-1): TLS error (client certificate setup): ";
            assertThat(log).containsExactly(
                    missing + " H=127.0.0.1 [127.0.0.1]: TLS error (client certificate setup): " + cert
                            + ": no such file",
                    missing + " == r1@relay.test" + defer + cert + ": no such file",
                    log.get(2), garbage + " == r2@relay.test" + defer + log.get(3).substring(log.get(3).indexOf(
                            "setup): ") + 8),
                    log.get(4), foreign + " == r3@relay.test" + defer + cert + " + " + key
                            + ": the key is not the certificate's");
            assertThat(log.get(3)).contains(cert.toString());
            for (String id : List.of(missing, garbage, foreign)) {
                assertThat(harness.spool.contains(id)).isTrue();
            }
            assertThat(exim.mainlog()).noneMatch(l -> l.contains("<= alice@test.ex"));

            Files.copy(clientKey, key, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(clientCert, cert, StandardCopyOption.REPLACE_EXISTING);
            String mended = deliver("r4@relay.test");
            assertThat(harness.mainLog()).contains(mended + " Completed");
            assertThat(arrivals(exim, 4)).singleElement().asString().contains(" CV=yes ")
                    .containsPattern(" DN=\"[^\"]*CN=client\\.petrel\\.test");
        }
    }

    /** A forced failure is no certificate: Exim only trying to verify takes the message, CV=no and no DN. */
    @Test
    void aForcedFailureMeansNoCertificate() throws Exception {
        int port = Ports.free();
        try (EximServer exim = exim(port, false).start()) {
            start(port, "  tls_certificate = ${listextract{3}{a:b}{$value}fail}");
            String id = deliver("r1@relay.test");
            assertThat(harness.mainLog()).contains(id + " Completed");
            assertThat(arrivals(exim, 1)).singleElement().asString().contains(" CV=no ").doesNotContain(" DN=");
        }
    }

    /** An option that does not expand defers, before any connection, naming the option and the transport. */
    @Test
    void anExpansionErrorDefers() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.plain()) {
            start(server.port(), "  tls_certificate = /etc/$no_such_variable.pem");
            String id = deliver("r1@relay.test");
            assertThat(harness.mainLog()).containsExactly(
                    id + " H=127.0.0.1 [127.0.0.1]: TLS error: failed to expand tls_certificate in remote_smtp "
                            + "transport: failed to expand \"/etc/$no_such_variable.pem\": unknown variable name "
                            + "\"no_such_variable\"",
                    id + " == r1@relay.test R=smarthost T=remote_smtp defer (-1): TLS error: failed to expand "
                            + "tls_certificate in remote_smtp transport: failed to expand \"/etc/$no_such_variable.pem\": "
                            + "unknown variable name \"no_such_variable\"");
            assertThat(harness.spool.contains(id)).isTrue();
            assertThat(server.connections()).isZero();
        }
    }

    /**
     * The second delivery resumes the first's session; a certificate replaced since is another identity, so
     * another ticket key: a full handshake, and Exim sees the new certificate.
     */
    @Test
    void resumedUnderTheSameCertificateNotUnderAnother() throws Exception {
        int port = Ports.free();
        try (EximServer exim = exim(port, true).tlsResumptionHosts("*").start()) {
            start(port, "  tls_resumption_hosts = *", "  tls_certificate = " + clientCert,
                    "  tls_privatekey = " + clientKey);
            String first = deliver("r1@relay.test");
            String second = deliver("r2@relay.test");
            ca.issueClient("renewed.petrel.test", clientCert, clientKey);
            String third = deliver("r3@relay.test");
            String fourth = deliver("r4@relay.test");

            List<String> log = harness.mainLog();
            System.out.println("Petrel: " + String.join("\nPetrel: ", log));
            assertThat(log).filteredOn(l -> l.contains(" => ")).hasSize(4);
            assertThat(line(log, first)).containsPattern(" " + X + " ");
            assertThat(line(log, second)).containsPattern(" " + X + "\\* ");
            assertThat(line(log, third)).containsPattern(" " + X + " ");
            assertThat(line(log, fourth)).containsPattern(" " + X + "\\* ");
            List<String> arrivals = arrivals(exim, 4);
            System.out.println("Exim:   " + String.join("\nExim:   ", arrivals));
            assertThat(arrivals.get(0)).contains("CN=client.petrel.test").containsPattern(" X=[^ *]+ ");
            assertThat(arrivals.get(1)).containsPattern(" X=[^ ]+\\* ");
            assertThat(arrivals.get(2)).contains("CN=renewed.petrel.test").containsPattern(" X=[^ *]+ ");
            try (HintsDb db = HintsDb.open(dir.resolve("spool"), "tls")) {
                assertThat(db.dump()).hasSize(2);
            }
        }
    }

    private static String line(List<String> log, String id) {
        return log.stream().filter(l -> l.startsWith(id + " => ")).findFirst().orElseThrow();
    }
}
