package dev.petrel.server;

import dev.petrel.testkit.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** STARTTLS (RFC 3207) and implicit TLS on the server side, over real sockets with the JDK's TLS client. */
@Timeout(60)
class StartTlsTest {
    @TempDir
    Path dir;

    @Test
    void startTlsThenMessageIsLoggedWithCipher() throws Exception {
        try (TestServer server = TestServer.start(dir); RawClient c = server.client()) {
            c.banner();
            c.send("EHLO c\r\n");
            assertThat(c.reply()).contains("250-STARTTLS");
            c.send("STARTTLS\r\n");
            assertThat(c.replyLine()).isEqualTo("220 2.0.0 Ready to start TLS");
            c.startTls(RawClient.trustAll("TLSv1.3"));
            c.send("EHLO c\r\n");
            assertThat(c.reply()).contains("250-PIPELINING", "250-PIPECONNECT").doesNotContain("250-STARTTLS");
            String id = c.startMessage().finishMessage("Subject: tls\r\n\r\nsecret");
            // The cipher the client negotiated, in the log's form: X=TLS1.3:<suite>:<bits>.
            String suite = c.tlsSession().getCipherSuite();
            assertThat(server.awaitLog(" " + id + " <= a@test.ex ")).contains(" P=esmtps ")
                    .containsPattern(" X=TLS1\\.3:" + suite + ":(128|256) ");
        }
    }

    @Test
    void receivedLineCarriesXAndTr() throws Exception {
        try (TestServer server = TestServer.start(dir); RawClient c = server.client()) {
            c.banner();
            c.send("EHLO c\r\n");
            c.reply();
            c.send("STARTTLS\r\n");
            c.reply();
            c.startTls(RawClient.trustAll("TLSv1.3"));
            c.send("EHLO c\r\n");
            c.reply();
            c.startMessage().finishMessage("Subject: tls\r\n\r\nsecret");
            assertThat(server.awaitLog(" <= a@test.ex ")).contains(" P=esmtps ")
                    .containsPattern(" X=TLS1\\.3:TLS_AES_(256_GCM_SHA384|128_GCM_SHA256):(256|128) CV=no ")
                    .contains(" TR=\"");
        }
    }

    @Test
    void commandsPipelinedAfterStartTlsAreDiscarded() throws Exception {
        try (TestServer server = TestServer.start(dir); RawClient c = server.client()) {
            c.banner();
            c.send("EHLO c\r\n");
            c.reply();
            c.send("STARTTLS\r\nNOOP\r\n");
            assertThat(c.replyLine()).isEqualTo("220 2.0.0 Ready to start TLS");
            c.startTls(RawClient.trustAll("TLSv1.2"));
            assertThat(c.silentFor(500)).as("no reply to the injected NOOP inside TLS").isTrue();
            c.send("MAIL FROM:<a@test.ex>\r\n");
            assertThat(c.replyLine()).as("EHLO learnt before TLS is forgotten").startsWith("503 5.5.1 EHLO or HELO first");
            c.send("EHLO c\r\n");
            assertThat(c.code()).isEqualTo(250);
            server.awaitLog("octets pipelined after STARTTLS discarded");
        }
    }

    @Test
    void startTlsWithArgumentOrTwiceIsRefused() throws Exception {
        try (TestServer server = TestServer.start(dir); RawClient c = server.client()) {
            c.banner();
            c.send("STARTTLS\r\n");
            assertThat(c.replyLine()).startsWith("503 5.5.1 STARTTLS not advertised");
            c.send("EHLO c\r\n");
            c.reply();
            c.send("STARTTLS now\r\n");
            assertThat(c.replyLine()).startsWith("501 5.5.4");
            c.send("STARTTLS\r\n");
            c.reply();
            c.startTls(RawClient.trustAll("TLSv1.3"));
            c.send("EHLO c\r\n");
            c.reply();
            c.send("STARTTLS\r\n");
            assertThat(c.replyLine()).startsWith("503 5.5.1 TLS already active");
        }
    }

    @Test
    void garbageInsteadOfClientHelloEndsTheSessionCleanly() throws Exception {
        try (TestServer server = TestServer.start(dir); RawClient c = server.client()) {
            c.banner();
            c.send("EHLO c\r\n");
            c.reply();
            c.send("STARTTLS\r\n");
            c.reply();
            c.send("this is not a TLS ClientHello at all\r\n".repeat(4));
            assertThat(c.closedByServer(3000)).isTrue();
            server.awaitLog("TLS error on connection from [127.0.0.1] (STARTTLS): not a TLS record");
        }
    }

    @Test
    void tlsNotAdvertisedOutsideTlsAdvertiseHosts() throws Exception {
        try (TestServer server = TestServer.start(dir, "tls_advertise_hosts = !127.0.0.1"); RawClient c = server.client()) {
            c.banner();
            c.send("EHLO c\r\n");
            assertThat(c.reply()).doesNotContain("250-STARTTLS");
        }
    }

    @Test
    void earlyEhloStartTlsGetsBannerEhloAnd220InOneWrite() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            try (RawClient c = server.withWorkersHeld(() -> {
                RawClient early = server.client();
                early.send("EHLO early\r\nSTARTTLS\r\n");
                return early;
            })) {
                String first = c.readOnce();
                assertThat(first).startsWith("220 petrel.test ESMTP").contains("250-STARTTLS")
                        .endsWith("220 2.0.0 Ready to start TLS\r\n");
                c.startTls(RawClient.trustAll("TLSv1.3"));
                c.send("EHLO early\r\n" + RawClient.ENVELOPE);
                assertThat(c.reply()).contains("250-PIPECONNECT");
                c.reply();
                c.reply();
                assertThat(c.code()).isEqualTo(354);
                c.send("Subject: early tls\r\n\r\nx\r\n.\r\n");
                assertThat(c.replyLine()).startsWith("250 OK");
            }
            assertThat(server.awaitLog(" <= a@test.ex ")).contains(" P=esmtps L* X=TLS1.3:");
        }
    }

    @Test
    void implicitTlsSendsTheBannerAfterTheHandshake() throws Exception {
        int tlsPort = Ports.free(); // named in tls_on_connect_ports, so fixed before the server starts
        try (TestServer server = TestServer.start(dir, "local_interfaces = 127.0.0.1." + tlsPort,
                "tls_on_connect_ports = " + tlsPort);
             RawClient c = new RawClient(tlsPort)) {
            SSLContext ctx = RawClient.trustAll("TLSv1.2");
            c.startTls(ctx);
            assertThat(c.banner()).startsWith("220 petrel.test ESMTP");
            c.send("EHLO c\r\n");
            assertThat(c.reply()).contains("250-PIPECONNECT").doesNotContain("250-STARTTLS");
            c.send("MAIL FROM:<a@test.ex>\r\nRCPT TO:<b@test.ex>\r\nBDAT 11 LAST\r\nSubject: i\r\n");
            c.reply();
            c.reply();
            assertThat(c.replyLine()).startsWith("250 OK");
            assertThat(server.awaitLog(" <= a@test.ex ")).contains(" P=esmtps L. X=TLS1.2:");
        }
    }
}
