package dev.petrel.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/behaviour.md, "Early pipelining (PIPECONNECT)", "Server side" and "The L field": early pipelining, its
 * host list, the 554 for early talkers, and the L field.
 */
class PipeconnectTest {
    @TempDir
    Path dir;

    private static final String EARLY_GROUP = "EHLO early.test\r\n" + RawClient.ENVELOPE;

    @Test
    void advertisesPipeconnectRightAfterPipelining() throws Exception {
        try (TestServer server = TestServer.start(dir); RawClient c = server.client()) {
            c.banner();
            c.send("EHLO c\r\n");
            assertThat(c.reply()).containsExactly(
                    "250-petrel.test Hello c [127.0.0.1]",
                    "250-SIZE 52428800",
                    "250-8BITMIME",
                    "250-PIPELINING",
                    "250-PIPECONNECT",
                    "250-CHUNKING",
                    "250-STARTTLS",
                    "250-SMTPUTF8",
                    "250-ENHANCEDSTATUSCODES",
                    "250 HELP");
        }
    }

    @Test
    void notAdvertisedOutsideTheHostList() throws Exception {
        try (TestServer server = TestServer.start(dir, "pipelining_connect_advertise_hosts = !127.0.0.1 : *",
                "chunking_advertise_hosts =");
             RawClient c = server.client()) {
            c.banner();
            c.send("EHLO c\r\n");
            assertThat(c.reply()).contains("250-PIPELINING").doesNotContain("250-PIPECONNECT", "250-CHUNKING");
        }
    }

    @Test
    void bannerAndRepliesLeaveInOneWriteWhenTheClientTalksFirst() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            String first;
            try (RawClient c = server.withWorkersHeld(() -> {
                RawClient early = server.client();
                early.send(EARLY_GROUP);
                return early;
            })) {
                first = c.readOnce();
                assertThat(first).as("one write: banner, EHLO reply, MAIL, RCPT and DATA replies")
                        .startsWith("220 petrel.test ESMTP")
                        .contains("250-PIPECONNECT")
                        .contains("250 2.1.0 OK\r\n250 2.1.5 Accepted\r\n354 ");
                c.send("Subject: early\r\n\r\nbody\r\n.\r\n");
                assertThat(c.replyLine()).startsWith("250 OK id=");
            }
            assertThat(server.awaitLog(" <= a@test.ex ")).contains(" P=esmtp L* S=");
        }
    }

    @Test
    void earlyPipeliningDetectedFromCommandsQueuedBehindEhlo() throws Exception {
        try (TestServer server = TestServer.start(dir); RawClient c = server.client()) {
            c.banner();
            c.send(EARLY_GROUP);
            assertThat(c.reply()).contains("250-PIPECONNECT");
            assertThat(c.code()).isEqualTo(250);
            assertThat(c.code()).isEqualTo(250);
            assertThat(c.code()).isEqualTo(354);
            c.send("Subject: x\r\n\r\nbody\r\n.\r\n");
            assertThat(c.replyLine()).startsWith("250 OK");
            assertThat(server.awaitLog(" <= a@test.ex ")).contains(" L* ");
        }
    }

    @Test
    void earlyTalkerOutsideTheListGets554AndTheLogLine() throws Exception {
        try (TestServer server = TestServer.start(dir, "pipelining_connect_advertise_hosts = 192.0.2.0/24")) {
            try (RawClient c = server.withWorkersHeld(() -> {
                RawClient early = server.client();
                early.send(EARLY_GROUP);
                return early;
            })) {
                assertThat(c.readToEnd()).isEqualTo("554 SMTP synchronization error\r\n");
            }
            assertThat(server.awaitLog("SMTP protocol synchronization error")).endsWith(
                    "SMTP protocol synchronization error (input sent without waiting for greeting): rejected"
                            + " connection from H=[127.0.0.1] input=\"EHLO early.test\\r\\nMAIL FROM:<a@test.ex>\\r\\n"
                            + "RCPT TO:<b@test.ex>\\r\\nDATA\\r\\n\"");
            assertThat(server.accepted).isEmpty();
        }
    }

    @Test
    void ordinaryPipeliningLogsLDot() throws Exception {
        try (TestServer server = TestServer.start(dir); RawClient c = server.client().ehlo("c")) {
            c.startMessage().finishMessage("Subject: x\r\n\r\nbody");
            assertThat(server.awaitLog(" <= a@test.ex ")).contains(" P=esmtp L. S=");
        }
    }

    @Test
    void lockstepClientLogsLDotDash() throws Exception {
        try (TestServer server = TestServer.start(dir); RawClient c = server.client().ehlo("c")) {
            c.send("MAIL FROM:<a@test.ex>\r\n");
            c.reply();
            c.send("RCPT TO:<b@test.ex>\r\n");
            c.reply();
            c.send("DATA\r\n");
            c.reply();
            c.send("Subject: x\r\n\r\nbody\r\n.\r\n");
            c.reply();
            assertThat(server.awaitLog(" <= a@test.ex ")).contains(" P=esmtp L.- S=");
        }
    }

    @Test
    void withoutPipeconnectTheFieldIsPlainL() throws Exception {
        try (TestServer server = TestServer.start(dir, "pipelining_connect_advertise_hosts =");
             RawClient c = server.client().ehlo("c")) {
            c.startMessage().finishMessage("Subject: x\r\n\r\nbody");
            assertThat(server.awaitLog(" <= a@test.ex ")).contains(" P=esmtp L S=");
        }
    }

    @Test
    void heloSessionsHaveNoLField() throws Exception {
        try (TestServer server = TestServer.start(dir); RawClient c = server.client()) {
            c.banner();
            c.send("HELO c\r\n");
            c.reply();
            c.send("MAIL FROM:<a@test.ex>\r\n");
            c.reply();
            c.send("RCPT TO:<b@test.ex>\r\n");
            c.reply();
            c.send("DATA\r\n");
            c.reply();
            c.send("Subject: x\r\n\r\nbody\r\n.\r\n");
            c.reply();
            assertThat(server.awaitLog(" <= a@test.ex ")).contains(" P=smtp S=");
        }
    }

    @Test
    void groupEndingCommandFollowedByMoreInputIsASyncError() throws Exception {
        try (TestServer server = TestServer.start(dir, "pipelining_connect_advertise_hosts =");
             RawClient c = server.client().ehlo("c")) {
            c.send("NOOP\r\nNOOP\r\n");
            assertThat(c.readToEnd()).isEqualTo("250 2.0.0 OK\r\n554 SMTP synchronization error\r\n");
        }
    }

    @Test
    void withoutPipeliningEveryCommandMustWait() throws Exception {
        try (TestServer server = TestServer.start(dir, "pipelining_advertise_hosts =");
             RawClient c = server.client().ehlo("c")) {
            c.send("MAIL FROM:<a@test.ex>\r\nRCPT TO:<b@test.ex>\r\n");
            assertThat(c.readToEnd()).isEqualTo("250 2.1.0 OK\r\n554 SMTP synchronization error\r\n");
            assertThat(server.awaitLog("synchronization error (next input sent too soon: pipelining was not"
                    + " advertised)")).contains("next input=\"RCPT TO:<b@test.ex>\\r\\n\"");
        }
    }

    @Test
    void dataFollowedByTextBeforeThe354IsASyncError() throws Exception {
        try (TestServer server = TestServer.start(dir); RawClient c = server.client().ehlo("c")) {
            c.send("MAIL FROM:<a@test.ex>\r\nRCPT TO:<b@test.ex>\r\nDATA\r\nSubject: too soon\r\n");
            assertThat(c.readToEnd()).endsWith("554 SMTP synchronization error\r\n");
        }
    }

    @Test
    void commandsPipelinedAfterTheMessageWaitForIts250() throws Exception {
        try (TestServer server = TestServer.start(dir); RawClient c = server.client().ehlo("c")) {
            c.startMessage();
            c.send("Subject: 1\r\n\r\none\r\n.\r\n" + RawClient.ENVELOPE);
            assertThat(c.replyLine()).startsWith("250 OK id=");
            assertThat(c.replyLine()).isEqualTo("250 2.1.0 OK");
            assertThat(c.replyLine()).isEqualTo("250 2.1.5 Accepted");
            assertThat(c.code()).isEqualTo(354);
            c.send("Subject: 2\r\n\r\ntwo\r\n.\r\nQUIT\r\n");
            assertThat(c.replyLine()).startsWith("250 OK id=");
            assertThat(c.replyLine()).startsWith("221");
        }
    }

    /** Exim sends BDAT LAST, its data and QUIT in one go, then shuts down its side: every reply still arrives. */
    @Test
    void halfCloseAfterPipelinedQuitStillGetsEveryReply() throws Exception {
        try (TestServer server = TestServer.start(dir); RawClient c = server.client().ehlo("c")) {
            String body = "Subject: half\r\n\r\nclose\r\n";
            c.send("MAIL FROM:<a@test.ex>\r\nRCPT TO:<b@test.ex>\r\nBDAT " + body.length() + " LAST\r\n" + body
                    + "QUIT\r\n");
            c.shutdownOutput();
            assertThat(c.readToEnd()).matches("(?s)250 2.1.0 OK\r\n250 2.1.5 Accepted\r\n250 OK id=\\S+\r\n221 .*");
            assertThat(server.accepted).hasSize(1);
        }
    }
}
