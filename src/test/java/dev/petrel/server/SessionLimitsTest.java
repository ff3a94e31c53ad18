package dev.petrel.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Idle time and connection counts end sessions with a reply and a log line. */
class SessionLimitsTest {
    @TempDir
    Path dir;

    @Test
    void idleClientIsDisconnectedWith421() throws Exception {
        try (TestServer server = TestServer.start(dir, "smtp_receive_timeout = 1s");
             RawClient c = server.client()) {
            c.banner();
            c.send("EHLO c\r\n");
            c.reply();
            String all = c.readToEnd();
            assertThat(all).isEqualTo("421 petrel.test: SMTP command timeout - closing connection\r\n");
            server.awaitLog("SMTP command timeout on connection from H=(c) [127.0.0.1]");
        }
    }

    @Test
    void idleDuringDataAbandonsTheMessage() throws Exception {
        try (TestServer server = TestServer.start(dir, "smtp_receive_timeout = 1s");
             RawClient c = server.client().ehlo("c")) {
            c.send("MAIL FROM:<a@test.ex>\r\nRCPT TO:<b@test.ex>\r\nDATA\r\n");
            c.reply();
            c.reply();
            c.reply();
            c.send("Subject: half\r\n");
            assertThat(c.readToEnd()).isEqualTo("421 petrel.test SMTP incoming data timeout - closing connection.\r\n");
            server.awaitLog("SMTP data timeout (message abandoned) on connection from H=(c) [127.0.0.1] F=<a@test.ex>");
            assertThat(server.spool.messageIds()).isEmpty();
        }
    }

    @Test
    void aResetIsALostConnectionNotAnError() throws Exception {
        try (TestServer server = TestServer.start(dir, "log_selector = +smtp_connection")) {
            RawClient c = server.client().ehlo("c");
            c.reset();
            String lost = server.awaitLog("lost D=");
            assertThat(lost).contains("SMTP connection from (c) [127.0.0.1]:");
            assertThat(server.mainlog()).noneMatch(line -> line.contains("error"));
        }
    }

    @Test
    void connectionsOverSmtpAcceptMaxAreTurnedAway() throws Exception {
        try (TestServer server = TestServer.start(dir, "smtp_accept_max = 2");
             RawClient a = server.client(); RawClient b = server.client()) {
            a.banner();
            b.banner();
            try (RawClient third = server.client()) {
                assertThat(third.replyLine()).contains("421").contains("Too many concurrent SMTP connections");
                assertThat(third.closedByServer(2000)).isTrue();
            }
        }
    }
}
