package dev.petrel.server;

import dev.petrel.log.MainLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 8, "Commands": line ends, client text quoted back, and the size a refused message really had. */
class CommandInputTest {
    @TempDir
    Path dir;
    TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(dir, "message_size_limit = 4K", "smtp_max_unknown_commands = 100",
                "smtp_max_synprot_errors = 100");
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private String log(String which) throws IOException {
        return Files.readString(MainLog.pathOf(server.config.main().logFilePath(), which), StandardCharsets.UTF_8);
    }

    /** Every line of a log: nothing below SP but the LF that ends it, no DEL, no C1 control. */
    private static void assertNoControlCharacters(String text) {
        for (String line : text.split("\n")) {
            assertThat(line.chars().noneMatch(Character::isISOControl)).as("control character in: %s", line).isTrue();
        }
    }

    @Test
    void trailingWhiteSpaceBeforeCrlfIsTrimmedForEveryVerb() throws Exception {
        try (RawClient c = server.client()) {
            c.banner();
            c.send("EHLO x\r\r\n");
            assertThat(c.reply().get(0)).isEqualTo("250-petrel.test Hello x [127.0.0.1]");
            c.send("HELO y \t\r\r\n");
            assertThat(c.replyLine()).isEqualTo("250 petrel.test Hello y [127.0.0.1]");
            c.send("MAIL FROM:<a@test.ex>\r\r\n");
            assertThat(c.replyLine()).isEqualTo("250 2.1.0 OK");
            c.send("RCPT TO:<b@test.ex> \r\n");
            assertThat(c.replyLine()).isEqualTo("250 2.1.5 Accepted");
            c.send("DATA\r\r\n");
            assertThat(c.code()).isEqualTo(354);
            c.send("Subject: trim\r\n\r\nbody\r\n.\r\n");
            assertThat(c.replyLine()).startsWith("250 OK id=");
            c.send("NOOP\t\r\n");
            assertThat(c.replyLine()).isEqualTo("250 2.0.0 OK");
            c.send("RSET\r\r\n");
            assertThat(c.replyLine()).isEqualTo("250 2.0.0 Reset OK");
            c.send("QUIT\r\r\n");
            assertThat(c.replyLine()).startsWith("221 ");
            assertThat(c.closedByServer(2000)).isTrue();
        }
        String arrival = server.awaitLog(" <= a@test.ex ");
        assertThat(arrival).contains(" H=(y) [127.0.0.1]");
        String id = server.accepted.get(0);
        String spooled = Files.readString(server.spool.inputDirectory().resolve(id), StandardCharsets.ISO_8859_1);
        assertThat(spooled).contains("Received: from y ([127.0.0.1])\r\n");
        assertThat(log("main")).doesNotContain("unknown command").doesNotContain("syntax error");
    }

    @Test
    void aBareCrInsideAParameterIsQuotedBackEscaped() throws Exception {
        try (RawClient c = server.client().ehlo("c")) {
            c.send("MAIL FROM:<a@b.test> X\r250 Y\r\n");
            String raw = c.readOnce();
            assertThat(raw).isEqualTo("501 5.5.4 malformed parameter \"X\\r250\"\r\n");
            c.send("MAIL FROM:<a\u0000b>\r\n");
            assertThat(c.readOnce()).isEqualTo("501 5.1.3 <a\\x00b>: not a valid address (local@domain)\r\n");
        }
        String reject = log("reject");
        assertThat(reject).contains("SMTP syntax error in \"MAIL FROM:<a@b.test> X\\r250 Y\"");
        assertNoControlCharacters(reject);
    }

    @Test
    void noReplyAndNoLogLineCarriesAControlCharacterFromTheClient() throws Exception {
        List<String> hostile = List.of("EHLO a\u0000b", "HELO a\u001bb", "EHLO a\u0085b", "MAIL FROM:<a\u007f@b.test>",
                "MAIL FROM:<\"a\u0001\"@b.test>", "MAIL FROM:<a@b.test> SIZE=1\u000b2", "MAIL FROM:<a@b.test> K\u0000=v",
                "MAIL FROM:<a@b.test> SMTPUTF8 X\u0085Y", "MAIL FROM:<a\u0085@b.test> SMTPUTF8",
                "MAIL FROM:<a@b\u0085.test> SMTPUTF8", "MAIL FROM:<a@b.test>", "RCPT TO:<b@test.ex> \u001b[2J=1", "RCPT TO:<b\u0000@test.ex>",
                "VRFY \u0000\u001b", "F\u0000OO \u001b]0;title\u0007", "STARTTLS \u0008", "BDAT 1\u000c2",
                "\u0000", "EHLO \u0007", "EHLO x\ry");
        try (RawClient c = server.client().ehlo("c")) {
            for (String line : hostile) {
                c.send(line + "\r\n");
                String reply = c.readOnce();
                assertThat(reply).as("reply to %s", line).matches("([0-9]{3}[ -][\\x20-\\x7e]*\\r\\n)+");
                if (line.startsWith("BDAT")) {
                    break; // closes the connection: the chunk cannot be found
                }
            }
        }
        assertThat(server.awaitLog("invalid BDAT size")).isNotNull();
        assertNoControlCharacters(log("main"));
        assertNoControlCharacters(log("reject"));
    }

    @Test
    void messageTooBigCountsEveryOctetReceivedWithData() throws Exception {
        try (RawClient c = server.client().ehlo("c")) {
            c.send("MAIL FROM:<a@test.ex>\r\nRCPT TO:<b@test.ex>\r\nDATA\r\n");
            c.reply();
            c.reply();
            assertThat(c.code()).isEqualTo(354);
            String message = "Subject: big\r\n\r\n" + ("x".repeat(70) + "\r\n").repeat(200);
            c.send(message + ".\r\n");
            assertThat(c.replyLine()).isEqualTo("552 5.3.4 Message size exceeds maximum permitted");
        }
        assertThat(server.awaitLog("message too big")).endsWith(": message too big: read=" + 14_416 + " max=4096");
    }

    @Test
    void messageTooBigCountsEveryOctetReceivedWithBdat() throws Exception {
        try (RawClient c = server.client().ehlo("c")) {
            c.send("MAIL FROM:<a@test.ex>\r\nRCPT TO:<b@test.ex>\r\n");
            c.reply();
            c.reply();
            c.send("BDAT 3000\r\n" + "y".repeat(3000));
            assertThat(c.replyLine()).isEqualTo("250 2.0.0 chunk received");
            c.send("BDAT 3001 LAST\r\n" + "z".repeat(3001));
            assertThat(c.replyLine()).isEqualTo("552 5.3.4 Message size exceeds maximum permitted");
        }
        assertThat(server.awaitLog("message too big")).endsWith(": message too big: read=6001 max=4096");
    }
}
