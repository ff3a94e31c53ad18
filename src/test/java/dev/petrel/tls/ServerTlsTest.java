package dev.petrel.tls;

import static dev.petrel.tls.TlsTestSupport.config;
import static dev.petrel.tls.TlsTestSupport.handshakeLine;
import static dev.petrel.tls.TlsTestSupport.sClient;
import static org.assertj.core.api.Assertions.assertThat;

import dev.petrel.config.MainConfig;
import dev.petrel.log.MainLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ServerTlsTest {
    @TempDir
    Path dir;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    private ServerTls tls(String... extra) throws Exception {
        MainConfig config = config(dir, extra);
        return ServerTls.create(config, timer, MainLog.open(config.logFilePath(), Set.of()));
    }

    @Test
    void logsTheEngineAndGeneratesAReusableSelfSignedCertificate() throws Exception {
        String first;
        try (ServerTls tls = tls()) {
            assertThat(tls.engine()).startsWith("BoringSSL (netty-tcnative 2.0.84.Final)");
            first = Files.readString(dir.resolve("spool/tls/selfsigned-cert.pem"));
            assertThat(tls.credentials().chain().getFirst().getSubjectX500Principal().getName())
                    .isEqualTo("CN=petrel.test");
        }
        Path key = dir.resolve("spool/tls/selfsigned-key.pem");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        try (ServerTls again = tls()) {
            assertThat(Files.readString(dir.resolve("spool/tls/selfsigned-cert.pem"))).isEqualTo(first);
        }
        assertThat(Files.readString(dir.resolve("log/mainlog")))
                .contains("TLS engine: BoringSSL (netty-tcnative 2.0.84.Final)");
    }

    /**
     * After a power cut a file written without sync comes back empty; one written while the other was not can
     * leave a key that is not the certificate's. Either way the daemon makes a new pair, says so, and serves.
     */
    @Test
    void unusableSelfSignedFilesAreMadeAfreshWithALogLine() throws Exception {
        Path cert = dir.resolve("spool/tls/selfsigned-cert.pem");
        Path key = dir.resolve("spool/tls/selfsigned-key.pem");
        tls().close();
        String original = Files.readString(cert);
        Files.write(cert, new byte[0]);
        try (ServerTls tls = tls(); TlsEchoServer server = new TlsEchoServer(tls)) {
            assertThat(Files.readString(cert)).startsWith("-----BEGIN CERTIFICATE-----").isNotEqualTo(original);
            assertThat(sClient(server.port(), "-tls1_3", null, null)).contains("echo: hello");
        }
        assertThat(Files.readString(dir.resolve("log/mainlog"))).contains("TLS: self-signed certificate " + cert
                + " unusable (no certificate in " + cert + "): generating a new one");

        String certNow = Files.readString(cert);
        ServerCredentials.selfSigned(dir.resolve("other"), "petrel.test");
        Files.copy(dir.resolve("other/selfsigned-key.pem"), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (ServerTls tls = tls(); TlsEchoServer server = new TlsEchoServer(tls)) {
            assertThat(Files.readString(cert)).isNotEqualTo(certNow);
            assertThat(sClient(server.port(), "-tls1_2", null, null)).contains("echo: hello");
        }
        assertThat(Files.readString(dir.resolve("log/mainlog")))
                .contains("unusable (the key is not the certificate's): generating a new one");
        assertThat(dir.resolve("spool/tls/selfsigned-cert.pem.tmp")).doesNotExist();
    }

    @Test
    void loadsConfiguredPemFiles() throws Exception {
        ServerCredentials generated = ServerCredentials.selfSigned(dir.resolve("elsewhere"), "mx.example");
        try (ServerTls tls = tls("tls_certificate = " + dir.resolve("elsewhere/selfsigned-cert.pem"),
                "tls_privatekey = " + dir.resolve("elsewhere/selfsigned-key.pem"))) {
            assertThat(tls.credentials().chain()).isEqualTo(generated.chain());
            assertThat(Files.exists(dir.resolve("spool/tls"))).isFalse();
        }
    }

    @Test
    void opensslResumesTls12() throws Exception {
        try (ServerTls tls = tls("tls_resumption_hosts = 127.0.0.1"); TlsEchoServer server = new TlsEchoServer(tls)) {
            Path sess = dir.resolve("s12");
            String first = sClient(server.port(), "-tls1_2", sess, null);
            assertThat(handshakeLine(first)).startsWith("New, TLSv1.2");
            assertThat(first).contains("TLS session ticket lifetime hint: 7200");
            assertThat(first).contains("echo: hello");
            TlsSessionInfo one = server.nextInfo();
            assertThat(one.resumed()).isFalse();
            assertThat(one.resumptionText()).isEqualTo("client requested new ticket, server provided");

            String second = sClient(server.port(), "-tls1_2", null, sess);
            System.out.println("TLS1.2 second connection: " + handshakeLine(second));
            assertThat(handshakeLine(second)).startsWith("Reused, TLSv1.2");
            TlsSessionInfo two = server.nextInfo();
            assertThat(two.resumed()).isTrue();
            assertThat(two.eximCipherField(true)).matches("TLS1\\.2:ECDHE-RSA-AES(128|256)-GCM-SHA(256|384):(128|256)\\*");
            assertThat(two.resumption()).isEqualTo(0x17);
            assertThat(two.resumptionText()).isEqualTo("session resumed");
            assertThat(tls.stats().orElseThrow().ticketKeyResume()).isEqualTo(1);
        }
    }

    @Test
    void opensslResumesTls13() throws Exception {
        try (ServerTls tls = tls("tls_resumption_hosts = 127.0.0.1"); TlsEchoServer server = new TlsEchoServer(tls)) {
            Path sess = dir.resolve("s13");
            String first = sClient(server.port(), "-tls1_3", sess, null, "-msg");
            assertThat(handshakeLine(first)).startsWith("New, TLSv1.3");
            // The positive control for the no-ticket test: -msg does show TLS 1.3 tickets when they come.
            assertThat(first).contains("NewSessionTicket");
            TlsSessionInfo one = server.nextInfo();
            assertThat(one.eximCipherField(true)).isEqualTo("TLS1.3:TLS_AES_256_GCM_SHA384:256");
            assertThat(one.resumptionText()).isEqualTo("client requested new ticket, server provided");

            String second = sClient(server.port(), "-tls1_3", null, sess);
            System.out.println("TLS1.3 second connection: " + handshakeLine(second));
            assertThat(handshakeLine(second)).startsWith("Reused, TLSv1.3");
            TlsSessionInfo two = server.nextInfo();
            assertThat(two.resumed()).isTrue();
            assertThat(two.eximCipherField(true)).isEqualTo("TLS1.3:TLS_AES_256_GCM_SHA384:256*");
            assertThat(two.resumptionText()).isEqualTo("session resumed, also new ticket");
        }
    }

    @Test
    void peerOutsideResumptionHostsGetsNoTicketInEitherVersion() throws Exception {
        try (ServerTls tls = tls("tls_resumption_hosts = 192.0.2.1"); TlsEchoServer server = new TlsEchoServer(tls)) {
            for (String version : new String[] {"-tls1_2", "-tls1_3"}) {
                Path sess = dir.resolve("none" + version);
                String out = sClient(server.port(), version, sess, null, "-msg");
                assertThat(out).doesNotContain("NewSessionTicket").doesNotContain("ticket lifetime hint");
                TlsSessionInfo info = server.nextInfo();
                assertThat(info.resumption() & Resumption.SERVER_TICKET).isZero();
                assertThat(info.resumptionText()).isEqualTo("client requested, no server ticket");
                // s_client saves a session only when the server gave it something to resume with.
                assertThat(sess).as("a session s_client could resume with").doesNotExist();
            }
            assertThat(tls.statsWithoutTickets().orElseThrow().ticketKeyNew()).isZero();
        }
    }

    /** The fallback where netty-tcnative cannot load: JSSE, said in the log, still resuming and reporting it. */
    @Test
    void jdkEngineServesResumesAndSaysSo() throws Exception {
        MainConfig config = config(dir, "tls_resumption_hosts = 127.0.0.1");
        try (ServerTls tls = ServerTls.create(config, timer, MainLog.open(config.logFilePath(), Set.of()),
                io.netty.handler.ssl.SslProvider.JDK); TlsEchoServer server = new TlsEchoServer(tls)) {
            assertThat(tls.engine()).isEqualTo("JDK (chosen)");
            assertThat(tls.nativeEngine()).isFalse();
            assertThat(Files.readString(dir.resolve("log/mainlog"))).contains("TLS engine: JDK (chosen)");
            for (String version : new String[] {"-tls1_2", "-tls1_3"}) {
                Path sess = dir.resolve("jdk" + version);
                String first = sClient(server.port(), version, sess, null);
                assertThat(handshakeLine(first)).startsWith("New, TLSv1." + version.charAt(version.length() - 1));
                assertThat(first).contains("echo: hello");
                TlsSessionInfo one = server.nextInfo();
                assertThat(one.resumed()).isFalse();

                String second = sClient(server.port(), version, null, sess);
                assertThat(handshakeLine(second)).as(version).startsWith("Reused,");
                TlsSessionInfo two = server.nextInfo();
                assertThat(two.resumed()).as(version).isTrue();
                assertThat(two.eximCipherField(true)).endsWith("*");
                assertThat(two.resumption() & Resumption.RESUMED).isNotZero();
            }
        }
    }

    @Test
    void jdkEngineGivesNoTicketOutsideResumptionHosts() throws Exception {
        MainConfig config = config(dir, "tls_resumption_hosts = 192.0.2.1");
        try (ServerTls tls = ServerTls.create(config, timer, MainLog.open(config.logFilePath(), Set.of()),
                io.netty.handler.ssl.SslProvider.JDK); TlsEchoServer server = new TlsEchoServer(tls)) {
            for (String version : new String[] {"-tls1_2", "-tls1_3"}) {
                Path sess = dir.resolve("jdknone" + version);
                String out = sClient(server.port(), version, sess, null, "-msg");
                assertThat(out).as(version).doesNotContain("NewSessionTicket").doesNotContain("ticket lifetime hint");
                server.nextInfo();
            }
        }
    }
}
