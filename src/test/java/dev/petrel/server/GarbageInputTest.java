package dev.petrel.server;

import dev.petrel.spool.SpooledMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bounded, seeded barrage of malformed sessions: fragments of real commands, random octets, bare CR and LF,
 * NULs, overlong lines, absurd BDAT sizes, a ClientHello's first bytes in cleartext, in random order and cut
 * off anywhere, then a half-close or a reset. Every session must end on its own (no hang), the server must
 * stay up and answer a clean transaction afterwards, nothing half-received may appear in the queue, and no
 * programming error may reach the logs.
 */
@Timeout(120)
class GarbageInputTest {
    private static final int SESSIONS = 200;
    private static final String[] PIECES = {
        "EHLO x\r\n", "HELO x\r\n", "MAIL FROM:<a@test.ex>\r\n", "MAIL FROM:<>\r\n", "MAIL FROM:<a@test.ex> SIZE=99999999999999999999\r\n",
        "RCPT TO:<b@test.ex>\r\n", "RCPT TO:<b@relay.elsewhere>\r\n", "RCPT TO:<\"q\\\"uoted\"@test.ex>\r\n", "DATA\r\n",
        "BDAT 5\r\nabcde", "BDAT 5 LAST\r\nab", "BDAT 18446744073709551616\r\n", "BDAT -1\r\n", "BDAT 0 LAST\r\n",
        "STARTTLS\r\n", "STARTTLS x\r\n", "RSET\r\n", "NOOP\r\n", "VRFY b\r\n", "HELP\r\n", "AUTH PLAIN AAAA\r\n",
        "\r\n.\r\n", "\n.\n", "\r\n.\n", ".\r\n", "..\r\n", "\r", "\n", "\0", "Subject: x\r\n\r\nbody\r\n",
        "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003", "QUIT\r\n", "mail from:<A@TEST.EX>\r\n",
    };

    private static final String PRELUDE = "EHLO x\r\nMAIL FROM:<a@test.ex>\r\nRCPT TO:<b@test.ex>\r\n";

    @TempDir
    Path dir;

    @Test
    void malformedSessionsNeverHangLoseOrBreakAnything() throws Exception {
        Random random = new Random(20261127);
        try (TestServer server = TestServer.start(dir, "smtp_receive_timeout = 5s")) {
            for (int i = 0; i < SESSIONS; i++) {
                try (RawClient c = server.client()) {
                    switch (i % 3) {
                        case 0 -> { } // garbage from the first octet
                        case 1 -> c.send(PRELUDE); // early pipelining, then garbage mid-transaction
                        default -> { // a transaction under way, replies read, then garbage
                            c.ehlo("x").send("MAIL FROM:<a@test.ex>\r\nRCPT TO:<b@test.ex>\r\n");
                            c.reply();
                            c.reply();
                        }
                    }
                    c.send(garbage(random));
                    if (random.nextInt(4) == 0) {
                        c.reset();
                        continue;
                    }
                    c.shutdownOutput();
                    assertThat(c.closedByServer(8000)).as("session %d ended by the server", i).isTrue();
                } catch (java.net.SocketException peerReset) {
                    // The server may reset a connection it closed with input unread: that is an ending too.
                }
            }

            try (RawClient clean = server.client().ehlo("clean")) {
                clean.send("MAIL FROM:<a@test.ex>\r\nRCPT TO:<b@test.ex>\r\nDATA\r\n");
                assertThat(clean.reply()).first().asString().startsWith("250");
                assertThat(clean.reply()).first().asString().startsWith("250");
                assertThat(clean.reply()).first().asString().startsWith("354");
                clean.send("Subject: after the barrage\r\n\r\nstill here\r\n.\r\n");
                assertThat(clean.replyLine()).startsWith("250 OK id=");
            }
            for (String id : server.spool.messageIds()) {
                SpooledMessage message = server.spool.read(id);
                assertThat(message.envelope().recipients()).isNotEmpty();
            }
            List<String> log = server.mainlog();
            assertThat(log).noneMatch(l -> l.matches(
                    ".*(NullPointer|IllegalState|IllegalArgument|IndexOutOfBounds|ClassCast|Unsupported\\w*)Exception.*"));
            Path panic = dir.resolve("log/paniclog");
            assertThat(Files.exists(panic) ? Files.readString(panic) : "").isEmpty();
        }
    }

    private static byte[] garbage(Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int parts = 1 + random.nextInt(12);
        for (int p = 0; p < parts; p++) {
            switch (random.nextInt(10)) {
                case 0 -> {
                    byte[] noise = new byte[1 + random.nextInt(300)];
                    random.nextBytes(noise);
                    out.writeBytes(noise);
                }
                case 1 -> out.writeBytes(("X".repeat(400 + random.nextInt(2000)) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                default -> {
                    byte[] piece = PIECES[random.nextInt(PIECES.length)].getBytes(StandardCharsets.ISO_8859_1);
                    // Cut some pieces short, as a connection can end anywhere.
                    int n = random.nextInt(5) == 0 ? random.nextInt(piece.length + 1) : piece.length;
                    out.write(piece, 0, n);
                }
            }
        }
        return out.toByteArray();
    }
}
