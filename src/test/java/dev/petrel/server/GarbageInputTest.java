package dev.petrel.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bounded, seeded barrage of malformed sessions: fragments of real commands, random octets, bare CR and LF,
 * NULs, overlong lines, absurd BDAT sizes, a ClientHello's first bytes in cleartext, in random order and cut
 * off anywhere, then a half-close or a reset. Every session must end on its own (no hang), the server must
 * stay up and answer a clean transaction afterwards, every message acknowledged with a 250 must be on the spool,
 * nothing may be there that was not acknowledged (save where a reset may have swallowed the 250), and no
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

    private static final Pattern OK_ID = Pattern.compile("(?m)^250 OK id=(\\S+)");
    private static final Pattern RECEIVED = Pattern.compile(" (\\S+) <= .* \\[127\\.0\\.0\\.1]:(\\d+) ");
    private static final String PRELUDE = "EHLO x\r\nMAIL FROM:<a@test.ex>\r\nRCPT TO:<b@test.ex>\r\n";

    @TempDir
    Path dir;

    @Test
    void malformedSessionsNeverHangLoseOrBreakAnything() throws Exception {
        Random random = new Random(20261127);
        Set<String> acknowledged = new HashSet<>();
        // Sessions ended by a reset, either side's: a 250 the server sent may never have reached the client.
        Set<Integer> cutPorts = new HashSet<>();
        try (TestServer server = TestServer.start(dir, "smtp_receive_timeout = 5s")) {
            for (int i = 0; i < SESSIONS; i++) {
                RawClient c = server.client();
                int port = c.localPort();
                try (c) {
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
                        cutPorts.add(port);
                        c.reset();
                        continue;
                    }
                    c.shutdownOutput();
                    assertThat(c.closedByServer(8000)).as("session %d ended by the server", i).isTrue();
                    if (c.resetByServer()) {
                        cutPorts.add(port);
                    }
                    acknowledged.addAll(ids(c.unread()));
                } catch (java.net.SocketException peerReset) {
                    // The server may reset a connection it closed with input unread: that is an ending too.
                    cutPorts.add(port);
                }
            }

            try (RawClient clean = server.client().ehlo("clean")) {
                acknowledged.add(clean.startMessage().finishMessage("Subject: after the barrage\r\n\r\nstill here"));
            }

            Set<String> spooled = new HashSet<>(server.spool.messageIds());
            for (String id : spooled) {
                assertThat(server.spool.read(id).envelope().recipients()).isNotEmpty();
            }
            assertThat(spooled).as("every acknowledged message is on the spool").containsAll(acknowledged);
            assertThat(spooled).as("what the server handed on is what is on the spool")
                    .containsExactlyInAnyOrderElementsOf(server.accepted);
            // Each <= line names its message and the client's port (+incoming_port, in +all).
            Map<String, Integer> received = new HashMap<>();
            List<String> log = server.mainlog();
            for (String line : log) {
                Matcher m = RECEIVED.matcher(line);
                if (m.find()) {
                    received.put(m.group(1), Integer.parseInt(m.group(2)));
                }
            }
            assertThat(received.keySet()).as("every message logged as received is on the spool, and no other")
                    .containsExactlyInAnyOrderElementsOf(spooled);
            for (String id : spooled) {
                if (!acknowledged.contains(id)) {
                    assertThat(cutPorts).as("%s was spooled without a 250 the client saw: its session was cut", id)
                            .contains(received.get(id));
                }
            }
            assertThat(log).noneMatch(l -> l.matches(
                    ".*(NullPointer|IllegalState|IllegalArgument|IndexOutOfBounds|ClassCast|Unsupported\\w*)Exception.*"));
            Path panic = dir.resolve("log/paniclog");
            assertThat(panic).as("nothing in the panic log").isEmptyFile();
        }
    }

    private static Set<String> ids(String transcript) {
        Set<String> ids = new HashSet<>();
        Matcher m = OK_ID.matcher(transcript);
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
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
