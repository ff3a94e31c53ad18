package dev.petrel.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** smtp_receive_timeout holds for the whole session: after a message as before it. */
class ReceiveTimeoutTest {
    @TempDir
    Path dir;

    /**
     * The whole message in one write, then silence: the 421 must come as it would have before the message. (The
     * input resumed after the commit used to leave Netty's IdleStateHandler thinking a read was in progress.)
     */
    @Test
    void timesOutAfterAMessageSentWithBdat() throws Exception {
        try (TestServer server = TestServer.start(dir, "smtp_receive_timeout = 1s");
             RawClient c = server.client()) {
            c.banner();
            long start = System.nanoTime();
            c.send("EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<u1@test.ex>\r\nBDAT 1 LAST\r\nx");
            expectTimeoutAfterMessage(server, c, start);
        }
    }

    @Test
    void timesOutAfterAMessageSentWithData() throws Exception {
        try (TestServer server = TestServer.start(dir, "smtp_receive_timeout = 1s");
             RawClient c = server.client()) {
            c.banner();
            c.send("EHLO x\r\n");
            c.reply();
            startData(c);
            long start = System.nanoTime();
            c.send("Subject: one\r\n\r\nbody\r\n.\r\n");
            expectTimeoutAfterMessage(server, c, start);
        }
    }

    /** MAIL, RCPT and DATA in one write, up to the 354. */
    private static void startData(RawClient c) throws IOException {
        c.send("MAIL FROM:<a@b>\r\nRCPT TO:<u1@test.ex>\r\nDATA\r\n");
        c.reply();
        c.reply();
        assertThat(c.replyLine()).startsWith("354");
    }

    /** The message is accepted, and smtp_receive_timeout (1s) after it the session ends as it would before one. */
    private static void expectTimeoutAfterMessage(TestServer server, RawClient c, long sentAt) throws Exception {
        String reply;
        do {
            reply = c.replyLine();
        } while (!reply.startsWith("250 OK id=") && reply.startsWith("250"));
        assertThat(reply).startsWith("250 OK id=");
        expectCommandTimeout(c, sentAt, 1000, 4000);
        server.awaitLog("SMTP command timeout on connection from H=(x) [127.0.0.1]");
    }

    /**
     * Sends {@code text} one octet every {@code pauseMillis} on another thread, from now until it is all sent or the
     * server has closed; the main thread meanwhile reads what the server says.
     */
    private static Thread trickle(RawClient c, String text, int pauseMillis, AtomicInteger sent) {
        Thread t = new Thread(() -> {
            try {
                for (int i = 0; i < text.length(); i++) {
                    c.send(text.substring(i, i + 1));
                    sent.incrementAndGet();
                    Thread.sleep(pauseMillis);
                }
            } catch (IOException | InterruptedException e) {
                // the server closed: the trickle is over
            }
        }, "trickle");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** The server's last words are Exim's command timeout, between {@code min} and {@code max} ms after {@code start}. */
    private static void expectCommandTimeout(RawClient c, long start, long min, long max) throws IOException {
        assertThat(c.readToEnd()).isEqualTo("421 petrel.test: SMTP command timeout - closing connection\r\n");
        assertThat(millisSince(start)).isBetween(min, max);
    }

    @Test
    void aCommandLineTrickledAnOctetAtATimeMustEndWithinTheTimeout() throws Exception {
        try (TestServer server = TestServer.start(dir, "smtp_receive_timeout = 2s");
             RawClient c = server.client().ehlo("x")) {
            AtomicInteger sent = new AtomicInteger();
            long start = System.nanoTime();
            // Every 300 ms is well inside the timeout: only a deadline for the whole line can end this.
            Thread t = trickle(c, "NOOP and then some more text that never ends with a line end", 300, sent);
            expectCommandTimeout(c, start, 1800, 4000);
            assertThat(sent.get()).isGreaterThan(4);
            server.awaitLog("SMTP command timeout on connection from H=(x) [127.0.0.1]");
            t.join(5000);
        }
    }

    @Test
    void anOverlongLineBeingSkippedIsTimedAsOneLine() throws Exception {
        try (TestServer server = TestServer.start(dir, "smtp_receive_timeout = 2s");
             RawClient c = server.client().ehlo("x")) {
            c.send("A".repeat(600));
            AtomicInteger sent = new AtomicInteger();
            long start = System.nanoTime();
            Thread t = trickle(c, "B".repeat(40), 300, sent);
            expectCommandTimeout(c, start, 1500, 4000);
            t.join(5000);
        }
    }

    @Test
    void linesThatEachEndInTimeAreAnsweredEvenWhenInputIsNeverAtALineEnd() throws Exception {
        try (TestServer server = TestServer.start(dir, "smtp_receive_timeout = 3s");
             RawClient c = server.client().ehlo("x")) {
            // Input stays mid-line for 4.5 s, longer than the timeout, but each NOOP ends 1.5 s after it began.
            c.send("NOOP\r\nNO");
            assertThat(c.replyLine()).isEqualTo("250 2.0.0 OK");
            for (int i = 0; i < 3; i++) {
                Thread.sleep(1500);
                c.send("OP\r\nNO");
                assertThat(c.replyLine()).as("NOOP %d", i + 2).isEqualTo("250 2.0.0 OK");
            }
            c.send("OP\r\nQUIT\r\n");
            assertThat(c.replyLine()).isEqualTo("250 2.0.0 OK");
            assertThat(c.replyLine()).startsWith("221 ");
        }
    }

    @Test
    void messageDataBelowTheMinimumRateIsAbandoned() throws Exception {
        try (TestServer server = TestServer.start(dir, "smtp_receive_timeout = 2s", "smtp_receive_min_rate = 100");
             RawClient c = server.client().ehlo("x")) {
            startData(c);
            AtomicInteger sent = new AtomicInteger();
            long start = System.nanoTime();
            // 3 octets a second, never quiet for long: below 100/s, so after 2 s plus 1/100 s an octet it ends.
            Thread t = trickle(c, "Subject: slow\r\n\r\n" + "x".repeat(60), 330, sent);
            assertThat(c.readToEnd()).isEqualTo("421 petrel.test SMTP incoming data timeout - closing connection.\r\n");
            assertThat(millisSince(start)).isBetween(1800L, 4000L);
            server.awaitLog("SMTP data timeout (message abandoned) on connection from H=(x) [127.0.0.1] F=<a@b>");
            assertThat(server.spool.messageIds()).isEmpty();
            t.join(5000);
        }
    }

    @Test
    void bdatChunksTrickledOneByOneAreTimedAsOneTransfer() throws Exception {
        try (TestServer server = TestServer.start(dir, "smtp_receive_timeout = 2s", "smtp_receive_min_rate = 100");
             RawClient c = server.client().ehlo("x")) {
            c.send("MAIL FROM:<a@b>\r\nRCPT TO:<u1@test.ex>\r\n");
            c.reply();
            c.reply();
            long start = System.nanoTime();
            String closed = null;
            for (int i = 0; i < 30 && closed == null; i++) { // each chunk is quick; the transfer as a whole is not
                try {
                    c.send("BDAT 1\r\nx");
                    String reply = c.replyLine();
                    if (!reply.startsWith("250 ")) {
                        closed = reply;
                    }
                } catch (IOException e) {
                    closed = e.getMessage();
                }
                Thread.sleep(400);
            }
            assertThat(closed).contains("421 petrel.test SMTP incoming data timeout - closing connection.");
            assertThat(millisSince(start)).isBetween(1800L, 4500L);
            server.awaitLog("SMTP data timeout (message abandoned) on connection from H=(x) [127.0.0.1] F=<a@b>");
        }
    }

    @Test
    void dataFasterThanTheMinimumRateMayTakeLongerThanTheTimeout() throws Exception {
        try (TestServer server = TestServer.start(dir, "smtp_receive_timeout = 1s", "smtp_receive_min_rate = 100");
             RawClient c = server.client().ehlo("x")) {
            startData(c);
            c.send("Subject: steady\r\n\r\n");
            long start = System.nanoTime();
            while (millisSince(start) < 2500) { // 400 octets a second for 2.5 s
                c.send("x".repeat(38) + "\r\n");
                Thread.sleep(100);
            }
            c.send(".\r\n");
            assertThat(c.replyLine()).startsWith("250 OK id=");
        }
    }
}
