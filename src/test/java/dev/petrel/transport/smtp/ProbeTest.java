package dev.petrel.transport.smtp;

import static dev.petrel.tls.TlsTestSupport.config;
import static org.assertj.core.api.Assertions.assertThat;

import dev.petrel.log.MainLog;
import dev.petrel.tls.ClientTls;
import dev.petrel.tls.ServerTls;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProbeTest {
    @TempDir
    Path dir;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    private String probe(String resumptionHosts, int count) throws Exception {
        return probe(resumptionHosts, count, ClientTls.Settings.defaults());
    }

    private String probe(String resumptionHosts, int count, ClientTls.Settings settings) throws Exception {
        try (ServerTls tls = ServerTls.create(config(dir, "tls_resumption_hosts = " + resumptionHosts), timer,
                MainLog.discarding(Set.of())); StartTlsServer server = new StartTlsServer(tls)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int failures = Probe.run("127.0.0.1", server.port(), Probe.Mode.STARTTLS, count,
                    new PrintStream(bytes, true, StandardCharsets.UTF_8), settings);
            String out = bytes.toString(StandardCharsets.UTF_8);
            System.out.println(out);
            assertThat(failures).as(out).isZero();
            return out;
        }
    }

    @Test
    void secondConnectionResumes() throws Exception {
        String out = probe("127.0.0.1", 3);
        assertThat(out).contains("connection 1: banner: 220 mx.test ESMTP test")
                .contains("connection 1: ehlo: PIPELINING STARTTLS 8BITMIME")
                .containsPattern("connection 1: tls: TLS1\\.3 cipher TLS_\\w+ \\(\\d+ bits\\) X=TLS1\\.3:TLS_\\w+:\\d+\n")
                .contains("connection 1: certificate: CN=petrel.test")
                .contains("connection 1: verification: untrusted")
                .contains("connection 1: resumption: client requested new ticket, server provided (tls_out_resumption=0x0B)")
                .containsPattern("connection 2: tls: TLS1\\.3 cipher TLS_\\w+ \\(\\d+ bits\\) X=TLS1\\.3:TLS_\\w+:\\d+\\*\n")
                .contains("connection 2: resumption: session resumed, also new ticket (tls_out_resumption=0x1F)")
                .contains("connection 3: resumption: session resumed, also new ticket (tls_out_resumption=0x1F)");
    }

    @Test
    void tls12SecondConnectionResumes() throws Exception {
        ClientTls.Settings tls12 = new ClientTls.Settings(java.util.List.of("TLSv1.2"), java.util.List.of(),
                java.util.List.of(), java.time.Duration.ofHours(2));
        String out = probe("127.0.0.1", 3, tls12);
        assertThat(out).containsPattern("connection 1: tls: TLS1\\.2 cipher ECDHE-RSA-AES\\d+-GCM-SHA\\d+ .* X=TLS1\\.2:ECDHE-RSA-AES\\d+-GCM-SHA\\d+:\\d+\n")
                .contains("connection 1: resumption: client requested new ticket, server provided (tls_out_resumption=0x0B)")
                .containsPattern("connection 2: tls: TLS1\\.2 .*:\\d+\\*\n")
                .contains("connection 2: resumption: session resumed (tls_out_resumption=0x17)")
                .contains("connection 3: resumption: session resumed (tls_out_resumption=0x17)");
    }

    @Test
    void serverWithoutTicketsForUs() throws Exception {
        String out = probe("192.0.2.1", 2);
        assertThat(out).contains("connection 1: resumption: client requested, no server ticket (tls_out_resumption=0x03)")
                .contains("connection 2: resumption: client requested, no server ticket (tls_out_resumption=0x03)");
    }
}
