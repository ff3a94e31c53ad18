package dev.petrel.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.petrel.config.Config;
import dev.petrel.hints.HintsDb;
import dev.petrel.it.DaemonProcess;
import dev.petrel.peers.DnsServer;
import dev.petrel.peers.EximServer;
import dev.petrel.peers.Peers;
import dev.petrel.testkit.Ports;
import dev.petrel.tls.ServerCredentials;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Petrel's early pipelining against real servers on loopback: Exim 4.96 (which advertises PIPECONNECT to the
 * hosts in {@code pipelining_connect_advertise_hosts} and logs {@code L.} or {@code L*} on its {@code <=}
 * lines), in cleartext and with STARTTLS and resumption, and another Petrel. Each pair of messages goes on
 * separate connections: the first writes the EHLO record, the second uses it.
 */
class EarlyPipeliningPeersTest {
    private static final String DATA = "From: alice@test.ex\r\nSubject: early\r\n\r\nhello\r\n";
    private static final String X = "X=TLS1\\.[23]:[A-Z0-9_-]+:[0-9]+";
    /**
     * Exim counts early pipelining only when the client's octets are there before it writes its banner. Across
     * a network they are; on a loaded machine's loopback a forked Exim can greet before the JVM's event loop
     * has written them, so Exim's banner waits as a remote server's would.
     */
    private static final String BANNER_DELAY = "1s";

    @TempDir
    Path dir;
    private DeliveryHarness harness;
    private String mainLines = "";

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private void start(String routes, String... transportOptions) throws Exception {
        Config config = Config.parse("""
                primary_hostname = petrel.test
                spool_directory = %s
                log_selector = +pipelining +tls_resumption
                %s
                begin routers
                %s
                begin transports
                remote_smtp:
                  driver = smtp
                  hosts_pipe_connect = *
                  command_timeout = 10s
                  connect_timeout = 5s
                %s
                """.formatted(dir.resolve("spool"), mainLines, routes, String.join("\n", transportOptions)), "test.conf");
        harness = new DeliveryHarness(dir, config);
    }

    private static String route(int port) {
        return """
                smarthost:
                  driver = manualroute
                  transport = remote_smtp
                  route_list = * 127.0.0.1::%d
                """.formatted(port);
    }

    private String deliver(String rcpt) throws Exception {
        return harness.deliver("alice@test.ex", DATA, rcpt);
    }

    private String delivery(String id) throws IOException {
        return harness.mainLog().stream().filter(l -> l.startsWith(id + " => ")).findFirst()
                .orElse("(no delivery of " + id + " in " + harness.mainLog() + ")");
    }

    private List<String> arrivals(EximServer exim, int count) {
        assertThat(exim.awaitMainlog("for m" + count + "@relay.test", Duration.ofSeconds(10))).isTrue();
        return exim.mainlog().stream().filter(l -> l.contains("<= alice@test.ex")).toList();
    }

    private String record(int port) throws IOException {
        try (HintsDb db = HintsDb.open(dir.resolve("spool"), "misc")) {
            return db.get("127.0.0.1:" + port + ".EHLO").map(h -> h.stamp().getEpochSecond() + " " + h.valueText())
                    .orElse("(none)");
        }
    }

    private boolean recorded(int port) throws IOException {
        try (HintsDb db = HintsDb.open(dir.resolve("spool"), "misc")) {
            return db.get("127.0.0.1:" + port + ".EHLO").isPresent();
        }
    }

    @Test
    void toEximInCleartext() throws Exception {
        int port = Ports.free();
        try (EximServer exim = Peers.eximServer(dir.resolve("exim"), port).bannerDelay(BANNER_DELAY).start()) {
            start(route(port));
            String first = deliver("m1@relay.test");
            String second = deliver("m2@relay.test");

            assertThat(delivery(first)).matches(Pattern.quote(first + " => m1@relay.test R=smarthost T=remote_smtp "
                    + "H=127.0.0.1 [127.0.0.1] L K C=\"250") + ".*");
            assertThat(delivery(second)).matches(Pattern.quote(second + " => m2@relay.test R=smarthost T=remote_smtp "
                    + "H=127.0.0.1 [127.0.0.1] L* K C=\"250") + ".*");
            List<String> arrivals = arrivals(exim, 2);
            assertThat(arrivals).hasSize(2);
            assertThat(arrivals.get(0)).contains(" H=(petrel.test) [127.0.0.1] P=esmtp L. K S=");
            assertThat(arrivals.get(1)).contains(" H=(petrel.test) [127.0.0.1] P=esmtp L* K S=");
            System.out.println("Petrel: " + delivery(first) + "\nPetrel: " + delivery(second)
                    + "\nExim:   " + arrivals.get(0) + "\nExim:   " + arrivals.get(1));
        }
    }

    /** A recipient Exim refuses bounces; the record stays, and the next message pipelines early again. */
    @Test
    void aRecipientEximRefusesBouncesAndTheRecordStays() throws Exception {
        int port = Ports.free();
        try (EximServer exim = Peers.eximServer(dir.resolve("exim"), port).bannerDelay(BANNER_DELAY)
                .rcptAclLine("deny local_parts = nobody").start()) {
            start(route(port));
            deliver("m1@relay.test");
            String record = record(port);
            String second = harness.deliver("alice@test.ex", DATA, "m2@relay.test", "nobody@relay.test");

            assertThat(harness.mainLog()).anyMatch(l -> l.startsWith(second + " => m2@relay.test ") && l.contains(" L* K "));
            assertThat(harness.mainLog()).anyMatch(l -> l.startsWith(second + " ** nobody@relay.test ")
                    && l.contains("after pipelined RCPT TO:<nobody@relay.test>: 550 "));
            assertThat(record(port)).isEqualTo(record);
            assertThat(arrivals(exim, 2).get(1)).contains(" P=esmtp L* K S=");
        }
    }

    /** The seed's combination without TCP Fast Open: STARTTLS, early pipelining on both sides of it, resumption. */
    @Test
    void toEximWithStartTlsAndResumption() throws Exception {
        Path certs = dir.resolve("certs");
        ServerCredentials.selfSigned(certs, "mx.relay.test");
        int port = Ports.free();
        try (EximServer exim = Peers.eximServer(dir.resolve("exim"), port)
                .tls(certs.resolve("selfsigned-cert.pem"), certs.resolve("selfsigned-key.pem"))
                .tlsResumptionHosts("*").bannerDelay(BANNER_DELAY).start()) {
            start(route(port), "  tls_resumption_hosts = *");
            String first = deliver("m1@relay.test");
            String second = deliver("m2@relay.test");

            assertThat(delivery(first)).matches(Pattern.quote(first + " => m1@relay.test R=smarthost T=remote_smtp "
                    + "H=127.0.0.1 [127.0.0.1] ") + X + " CV=no L K C=\"250.*");
            assertThat(delivery(second)).matches(Pattern.quote(second + " => m2@relay.test R=smarthost T=remote_smtp "
                    + "H=127.0.0.1 [127.0.0.1] ") + X + "\\* CV=no L\\* K C=\"250.*");
            List<String> arrivals = arrivals(exim, 2);
            assertThat(arrivals.get(0)).containsPattern(" P=esmtps L\\. X=TLS1\\.[23]:[^ *]+ ");
            assertThat(arrivals.get(1)).containsPattern(" P=esmtps L\\* X=TLS1\\.[23]:[^ ]+\\* ");
            System.out.println("Petrel: " + delivery(first) + "\nPetrel: " + delivery(second)
                    + "\nExim:   " + arrivals.get(0) + "\nExim:   " + arrivals.get(1));
        }
    }

    /**
     * {@code tls_verify_hosts}: after an early {@code EHLO,STARTTLS}, the group with the message goes only to a
     * server whose certificate verified. Exim restarted with a certificate Petrel does not trust gets nothing.
     */
    @Test
    void nothingOfTheMessageGoesEarlyToAServerThatFailsVerification() throws Exception {
        Path trusted = dir.resolve("trusted");
        Path other = dir.resolve("other");
        ServerCredentials.selfSigned(trusted, "mx.relay.test");
        ServerCredentials.selfSigned(other, "mx.relay.test");
        int port = Ports.free();
        try (DnsServer dns = DnsServer.in(dir.resolve("dns")).zone("relay.test", "mx A 127.0.0.1").start();
                EximServer exim = Peers.eximServer(dir.resolve("exim"), port)
                        .tls(trusted.resolve("selfsigned-cert.pem"), trusted.resolve("selfsigned-key.pem")).start()) {
            mainLines = "dns_servers = " + dns.dnsServersOption();
            start("""
                    smarthost:
                      driver = manualroute
                      transport = remote_smtp
                      route_list = * mx.relay.test::%d
                    """.formatted(port), "  tls_verify_hosts = *",
                    "  tls_verify_certificates = " + trusted.resolve("selfsigned-cert.pem"));
            String first = deliver("m1@relay.test");
            assertThat(delivery(first)).containsPattern(" " + X + " CV=yes L K C=\"250");
            exim.stop();
            exim.tls(other.resolve("selfsigned-cert.pem"), other.resolve("selfsigned-key.pem")).start();
            String second = deliver("m2@relay.test");

            assertThat(harness.mainLog()).anyMatch(l -> l.startsWith(second + " == m2@relay.test ")
                    && l.contains(" defer (-38) ") && l.contains("TLS session: certificate verification failed"));
            assertThat(harness.spool.contains(second)).isTrue();
            assertThat(exim.mainlog().stream().filter(l -> l.contains("<= alice@test.ex"))).hasSize(1);
        }
    }

    /**
     * Exim restarted without PIPECONNECT for us: the early group meets its synchronisation error, the record
     * goes, and the message is delivered at once on a new connection that waits for the banner.
     */
    @Test
    void toEximThatStopsAdvertisingPipeconnect() throws Exception {
        int port = Ports.free();
        try (EximServer exim = Peers.eximServer(dir.resolve("exim"), port).start()) {
            start(route(port));
            String first = deliver("m1@relay.test");
            assertThat(recorded(port)).isTrue();
            exim.stop();
            exim.pipeConnectAdvertise(false).start();
            String second = deliver("m2@relay.test");
            String third = deliver("m3@relay.test");

            assertThat(delivery(first)).contains(" L K C=\"250");
            assertThat(delivery(second)).contains(" L K C=\"250");
            assertThat(delivery(third)).contains(" L K C=\"250");
            assertThat(recorded(port)).isFalse();
            assertThat(harness.mainLog()).noneMatch(l -> l.contains(" == ") || l.contains(" ** "));
            assertThat(exim.mainlog()).anyMatch(l -> l.contains("SMTP protocol synchronization error (input sent "
                    + "without waiting for greeting)"));
            List<String> arrivals = arrivals(exim, 3);
            assertThat(arrivals).hasSize(3);
            assertThat(arrivals.get(1)).contains(" P=esmtp L K S=");
        }
    }

    /** Petrel to Petrel: the receiving daemon's {@code <=} lines say {@code L.} then {@code L*}; implicit TLS too. */
    @Test
    void toPetrelInCleartextAndWithImplicitTls() throws Exception {
        int tlsPort = Ports.free();
        Files.createDirectories(dir.resolve("receiver"));
        try (DaemonProcess petrel = new DaemonProcess(dir.resolve("receiver"), "tls_on_connect_ports = " + tlsPort)
                .alsoListeningOn(tlsPort)) {
            petrel.start();
            start("""
                    cleartext:
                      driver = manualroute
                      domains = test.ex
                      transport = remote_smtp
                      route_list = * 127.0.0.1::%d
                    smtps:
                      driver = manualroute
                      transport = remote_smtps
                      route_list = * 127.0.0.1::%d
                    """.formatted(petrel.port(), tlsPort), "  hosts_avoid_tls = *", """
                    remote_smtps:
                      driver = smtp
                      protocol = smtps
                      hosts_pipe_connect = *
                    """);
            String first = deliver("bob@test.ex");
            String second = deliver("carol@test.ex");
            String third = deliver("dave@localhost");
            String fourth = deliver("erin@localhost");

            assertThat(delivery(first)).contains(" H=127.0.0.1 [127.0.0.1] L K C=\"250");
            assertThat(delivery(second)).contains(" H=127.0.0.1 [127.0.0.1] L* K C=\"250");
            assertThat(delivery(third)).containsPattern(" " + X + " CV=no L K C=\"250");
            assertThat(delivery(fourth)).containsPattern(" " + X + " CV=no L\\* K C=\"250");
            petrel.awaitLog(l -> l.contains("<= alice@test.ex") && l.contains("for erin@localhost"), Duration.ofSeconds(20));
            List<String> arrivals = Files.readAllLines(petrel.mainlogFile()).stream().filter(l -> l.contains("<= alice@test.ex")).toList();
            assertThat(arrivals).hasSize(4);
            assertThat(arrivals.get(0)).contains(" P=esmtp L. K ");
            assertThat(arrivals.get(1)).contains(" P=esmtp L* K ");
            assertThat(arrivals.get(2)).containsPattern(" P=esmtps L\\. " + X);
            assertThat(arrivals.get(3)).containsPattern(" P=esmtps L\\* " + X);
            System.out.println(String.join("\n", harness.mainLog()) + "\n" + String.join("\n", arrivals));
        }
    }
}
