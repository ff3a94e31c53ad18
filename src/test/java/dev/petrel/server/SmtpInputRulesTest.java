package dev.petrel.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/behaviour.md, "SMTP input rules": every rule, exercised with raw bytes over a real socket. */
class SmtpInputRulesTest {
    @TempDir
    Path dir;
    TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(dir, "message_size_limit = 4K", "smtp_max_unknown_commands = 3");
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private RawClient inTransaction() throws Exception {
        RawClient c = server.client().ehlo("client.test");
        c.send("MAIL FROM:<a@test.ex>\r\n");
        assertThat(c.code()).isEqualTo(250);
        c.send("RCPT TO:<b@test.ex>\r\n");
        assertThat(c.code()).isEqualTo(250);
        return c;
    }

    @Test
    void acceptsAPlainMessageAndLogsIt() throws Exception {
        try (RawClient c = inTransaction()) {
            c.send("DATA\r\n");
            assertThat(c.code()).isEqualTo(354);
            c.send("Subject: hi\r\nMessage-ID: <m1@client.test>\r\n\r\nhello\r\n..dot\r\n.\r\n");
            assertThat(c.replyLine()).matches("250 OK id=[0-9A-Za-z]{6}-[0-9A-Za-z]{11}-[0-9A-Za-z]{4}");
        }
        String line = server.awaitLog(" <= a@test.ex ");
        assertThat(line).contains("H=(client.test) [127.0.0.1]").contains(" P=esmtp L.- ")
                .contains(" id=m1@client.test").endsWith(" for b@test.ex");
        assertThat(server.accepted).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bare\nLF", "x\n.\nMAIL FROM:<e@vil>", "x\r\n.\nRCPT TO:<v@test.ex>", "x\n.\r\nQUIT",
            "bare\rCR", "nul\u0000byte"})
    void refusesFlawedDataAfterItsRealEnd(String flawed) throws Exception {
        try (RawClient c = inTransaction()) {
            c.send("DATA\r\n");
            assertThat(c.code()).isEqualTo(354);
            c.send("Subject: t\r\n\r\n" + flawed + "\r\nmore\r\n");
            assertThat(c.silentFor(300)).as("no reply before the real end of data").isTrue();
            c.send(".\r\n");
            String reply = c.replyLine();
            assertThat(reply).startsWith("550 5.");
            c.send("RSET\r\n");
            assertThat(c.replyLine()).startsWith("250");
        }
        assertThat(server.accepted).isEmpty();
        server.awaitLog("rejected after DATA");
    }

    @Test
    void bareLfReplyNamesTheProblem() throws Exception {
        try (RawClient c = inTransaction()) {
            c.send("DATA\r\n");
            c.reply();
            c.send("a\nb\r\n.\r\n");
            assertThat(c.replyLine()).isEqualTo("550 5.5.2 Message rejected: bare <LF> received");
        }
    }

    @Test
    void smuggledSecondTransactionIsNeverAccepted() throws Exception {
        try (RawClient c = inTransaction()) {
            c.send("DATA\r\n");
            c.reply();
            // Classic smuggling: a fake end of data that some servers accept, then a second transaction.
            c.send("Subject: one\r\n\r\nfirst\n.\r\nMAIL FROM:<evil@x.test>\r\nRCPT TO:<victim@test.ex>\r\nDATA\r\n"
                    + "Subject: smuggled\r\n\r\nsecond\r\n.\r\n");
            assertThat(c.replyLine()).startsWith("550 5.5.2");
            assertThat(c.silentFor(300)).as("nothing else answered").isTrue();
        }
        assertThat(server.accepted).isEmpty();
        assertThat(server.spool.messageIds()).isEmpty();
    }

    @Test
    void oversizeMessageIsReadToItsEndThenRefused() throws Exception {
        try (RawClient c = inTransaction()) {
            c.send("DATA\r\n");
            c.reply();
            String line = "x".repeat(70) + "\r\n";
            c.send("Subject: big\r\n\r\n" + line.repeat(200));
            assertThat(c.silentFor(200)).isTrue();
            c.send(".\r\n");
            assertThat(c.replyLine()).isEqualTo("552 5.3.4 Message size exceeds maximum permitted");
            c.send("NOOP\r\n");
            assertThat(c.code()).isEqualTo(250);
        }
        assertThat(server.accepted).isEmpty();
    }

    @Test
    void sizeParameterOverLimitRefusedAtMail() throws Exception {
        try (RawClient c = server.client().ehlo("c")) {
            c.send("MAIL FROM:<a@test.ex> SIZE=999999\r\n");
            assertThat(c.replyLine()).startsWith("552 5.3.4");
        }
    }

    @Test
    void bdatConsumesExactlyItsOctetsEvenWhenRefused() throws Exception {
        try (RawClient c = server.client().ehlo("c")) {
            // No transaction: refused, but the 12 octets (which look like a command) are not read as one.
            c.send("BDAT 12\r\nRSET\r\nQUIT\r\n");
            assertThat(c.replyLine()).startsWith("503 5.5.1");
            c.send("NOOP\r\n");
            assertThat(c.replyLine()).isEqualTo("250 2.0.0 OK");
        }
    }

    @Test
    void bdatDeliversChunksAndRefusesDataAfterIt() throws Exception {
        try (RawClient c = inTransaction()) {
            c.send("BDAT 21\r\nSubject: chunk\r\n\r\nbod");
            assertThat(c.replyLine()).startsWith("250");
            c.send("DATA\r\n");
            assertThat(c.replyLine()).isEqualTo("503 5.5.1 DATA not permitted after BDAT");
            c.send("BDAT 4 LAST\r\ny\r\n\r\n");
            assertThat(c.replyLine()).startsWith("250 OK id=");
        }
        assertThat(server.accepted).hasSize(1);
        String line = server.awaitLog(" <= a@test.ex ");
        assertThat(line).contains(" S=");
    }

    @Test
    void bdatZeroLastEndsAMessage() throws Exception {
        try (RawClient c = inTransaction()) {
            c.send("BDAT 9\r\nSubject: ");
            assertThat(c.code()).isEqualTo(250);
            c.send("BDAT 0 LAST\r\n");
            assertThat(c.replyLine()).startsWith("250 OK id=");
        }
    }

    @Test
    void oversizeBdatConsumedThenRefused() throws Exception {
        try (RawClient c = inTransaction()) {
            c.send("BDAT 6000 LAST\r\n" + "y".repeat(6000));
            assertThat(c.replyLine()).isEqualTo("552 5.3.4 Message size exceeds maximum permitted");
            c.send("NOOP\r\n");
            assertThat(c.code()).isEqualTo(250);
        }
        assertThat(server.accepted).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"BDAT 18446744073709551616", "BDAT -1", "BDAT", "BDAT 10 NOTLAST", "BDAT 1e9"})
    void absurdBdatSizesAreRefusedCleanly(String command) throws Exception {
        try (RawClient c = inTransaction()) {
            c.send(command + "\r\n");
            assertThat(c.replyLine()).startsWith("501 5.5.4");
            assertThat(c.closedByServer(2000)).isTrue();
        }
        server.awaitLog("invalid BDAT size");
    }

    @Test
    void commandLineOf512OctetsIsAcceptedAnd513IsNot() throws Exception {
        try (RawClient c = server.client().ehlo("c")) {
            String ok = "NOOP " + "a".repeat(512 - 2 - 5);
            assertThat(ok.length() + 2).isEqualTo(512);
            c.send(ok + "\r\n");
            assertThat(c.code()).isEqualTo(250);
            c.send(ok + "a\r\n");
            assertThat(c.replyLine()).startsWith("500 5.5.2 Line too long");
            c.send("NOOP\r\n");
            assertThat(c.code()).isEqualTo(250);
        }
    }

    @Test
    void endlessCommandLineDoesNotGrowMemoryAndIsRefused() throws Exception {
        try (RawClient c = server.client().ehlo("c")) {
            byte[] junk = "z".repeat(64 * 1024).getBytes();
            for (int i = 0; i < 16; i++) {
                c.send(junk);
            }
            c.send("\r\n");
            assertThat(c.replyLine()).startsWith("500 5.5.2 Line too long");
        }
    }

    @Test
    void textLineOf1000OctetsIsAcceptedAnd1001IsNot() throws Exception {
        try (RawClient c = inTransaction()) {
            c.send("DATA\r\n");
            c.reply();
            c.send("Subject: long\r\n\r\n" + "l".repeat(998) + "\r\n.\r\n");
            assertThat(c.replyLine()).startsWith("250 OK");
            c.startMessage();
            c.send("Subject: long\r\n\r\n" + "l".repeat(999) + "\r\n.\r\n");
            assertThat(c.replyLine()).isEqualTo("550 5.5.2 Message rejected: line longer than 998 octets");
        }
    }

    @Test
    void localPartAndDomainLimits() throws Exception {
        try (RawClient c = server.client().ehlo("c")) {
            c.send("MAIL FROM:<" + "l".repeat(64) + "@test.ex>\r\n");
            assertThat(c.code()).isEqualTo(250);
            c.send("RCPT TO:<" + "l".repeat(65) + "@test.ex>\r\n");
            assertThat(c.replyLine()).startsWith("501 5.1.3 local part");
            String label = "d".repeat(63);
            String domain255 = label + "." + label + "." + label + "." + "d".repeat(61) + ".x"; // 255
            assertThat(domain255).hasSize(255);
            c.send("RCPT TO:<a@" + domain255 + ">\r\n");
            assertThat(c.replyLine()).isEqualTo("550 5.7.1 relay not permitted");
            c.send("RCPT TO:<a@" + domain255 + "x>\r\n");
            assertThat(c.replyLine()).startsWith("501 5.1.3 domain longer");
        }
    }

    @Test
    void acceptsAtLeastAHundredRecipients() throws Exception {
        try (RawClient c = server.client().ehlo("c")) {
            StringBuilder group = new StringBuilder("MAIL FROM:<a@test.ex>\r\n");
            for (int i = 0; i < 150; i++) {
                group.append("RCPT TO:<r").append(i).append("@test.ex>\r\n");
            }
            group.append("DATA\r\n");
            c.send(group.toString());
            assertThat(c.code()).isEqualTo(250);
            for (int i = 0; i < 150; i++) {
                assertThat(c.code()).as("RCPT %d", i).isEqualTo(250);
            }
            assertThat(c.code()).isEqualTo(354);
            c.send("Subject: many\r\n\r\nx\r\n.\r\n");
            assertThat(c.replyLine()).startsWith("250 OK");
        }
    }

    @Test
    void repeatedUnknownCommandsEndTheSession() throws Exception {
        try (RawClient c = server.client().ehlo("c")) {
            c.send("FOO\r\n");
            assertThat(c.code()).isEqualTo(500);
            c.send("BAR\r\n");
            assertThat(c.code()).isEqualTo(500);
            c.send("BAZ\r\n");
            assertThat(c.code()).isEqualTo(500);
            c.send("QUX\r\n");
            assertThat(c.replyLine()).isEqualTo("500 5.5.1 Too many unrecognized commands");
            assertThat(c.closedByServer(2000)).isTrue();
        }
        server.awaitLog("dropped: too many unrecognized commands");
    }

    @Test
    void repeatedProtocolErrorsEndTheSession() throws Exception {
        try (RawClient c = server.client().ehlo("c")) {
            for (int i = 0; i < 3; i++) {
                c.send("RCPT TO:<x@test.ex>\r\n");
                assertThat(c.code()).isEqualTo(503);
            }
            c.send("DATA\r\n");
            assertThat(c.code()).isEqualTo(503);
            assertThat(c.replyLine()).startsWith("421");
            assertThat(c.closedByServer(2000)).isTrue();
        }
        server.awaitLog("dropped: too many syntax or protocol errors");
    }

    @Test
    void relayIsRefusedUnlessConfigured() throws Exception {
        try (RawClient c = server.client().ehlo("c")) {
            c.send("MAIL FROM:<a@elsewhere.test>\r\n");
            assertThat(c.code()).isEqualTo(250);
            c.send("RCPT TO:<x@elsewhere.test>\r\n");
            assertThat(c.replyLine()).isEqualTo("550 5.7.1 relay not permitted");
            c.send("RCPT TO:<x@relay.test>\r\n");
            assertThat(c.code()).isEqualTo(250);
            c.send("RCPT TO:<x@LocalHost>\r\n");
            assertThat(c.code()).isEqualTo(250);
        }
        server.awaitLog("rejected RCPT <x@elsewhere.test>: relay not permitted");
    }

    @Test
    void mailBeforeHeloAndBadSyntaxGetReplies() throws Exception {
        try (RawClient c = server.client()) {
            c.banner();
            c.send("MAIL FROM:<a@test.ex>\r\n");
            assertThat(c.replyLine()).startsWith("503 5.5.1 EHLO or HELO first");
            c.send("EHLO\r\n");
            assertThat(c.replyLine()).startsWith("501");
            c.send("EHLO c\r\n");
            c.reply();
            c.send("MAIL FROM:a@test.ex\r\n");
            assertThat(c.replyLine()).startsWith("501 5.5.2");
        }
    }

    @Test
    void vrfyHelpNoopRset() throws Exception {
        try (RawClient c = server.client().ehlo("c")) {
            c.send("VRFY postmaster\r\n");
            assertThat(c.code()).isEqualTo(252);
            c.send("HELP\r\n");
            assertThat(c.code()).isEqualTo(214);
            c.send("RSET\r\n");
            assertThat(c.code()).isEqualTo(250);
            c.send("QUIT\r\n");
            assertThat(c.replyLine()).startsWith("221");
            assertThat(c.closedByServer(2000)).isTrue();
        }
    }
}
