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

    @Test
    void timesOutAfterAMessageSentWithBdat() throws Exception {
        try (TestServer server = TestServer.start(dir, "smtp_receive_timeout = 1s");
             RawClient c = server.client()) {
            c.banner();
            c.send("EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<u1@test.ex>\r\nBDAT 1 LAST\r\nx");
            c.reply();
            c.reply();
            c.reply();
            assertThat(c.replyLine()).startsWith("250 OK id=");
            long start = System.nanoTime();
            assertThat(c.readToEnd()).isEqualTo("421 petrel.test: SMTP command timeout - closing connection\r\n");
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(700L, 3000L);
            server.awaitLog("SMTP command timeout on connection from H=(x) [127.0.0.1]");
        }
    }

    @Test
    void timesOutAfterAMessageSentWithData() throws Exception {
        try (TestServer server = TestServer.start(dir, "smtp_receive_timeout = 1s");
             RawClient c = server.client()) {
            c.banner();
            c.send("EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<u1@test.ex>\r\nDATA\r\n");
            c.reply();
            c.reply();
            c.reply();
            assertThat(c.replyLine()).startsWith("354");
            c.send("Subject: one\r\n\r\nbody\r\n.\r\n");
            assertThat(c.replyLine()).startsWith("250 OK id=");
            long start = System.nanoTime();
            assertThat(c.readToEnd()).isEqualTo("421 petrel.test: SMTP command timeout - closing connection\r\n");
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(700L, 3000L);
        }
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

    @Test
    void aCommandLineTrickledAnOctetAtATimeMustEndWithinTheTimeout() throws Exception {
        try (TestServer server = TestServer.start(dir, "smtp_receive_timeout = 2s");
             RawClient c = server.client().ehlo("x")) {
            AtomicInteger sent = new AtomicInteger();
            long start = System.nanoTime();
            // Every 300 ms is well inside the timeout: only a deadline for the whole line can end this.
            Thread t = trickle(c, "NOOP and then some more text that never ends with a line end", 300, sent);
            assertThat(c.readToEnd()).isEqualTo("421 petrel.test: SMTP command timeout - closing connection\r\n");
            assertThat(millisSince(start)).isBetween(1800L, 4000L);
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
            assertThat(c.readToEnd()).isEqualTo("421 petrel.test: SMTP command timeout - closing connection\r\n");
            assertThat(millisSince(start)).isBetween(1500L, 4000L);
            t.join(5000);
        }
    }

    @Test
    void linesThatEachEndInTimeAreAnsweredEvenWhenInputIsNeverAtALineEnd() throws Exception {
        try (TestServer server = TestServer.start(dir, "smtp_receive_timeout = 2s");
             RawClient c = server.client().ehlo("x")) {
            // Three NOOPs over 3.2 s, each within 2 s of its first octet, input always mid-line between writes.
            c.send("NOOP\r\nNO");
            assertThat(c.replyLine()).isEqualTo("250 2.0.0 OK");
            Thread.sleep(1600);
            c.send("OP\r\nNO");
            assertThat(c.replyLine()).isEqualTo("250 2.0.0 OK");
            Thread.sleep(1600);
            c.send("OP\r\nQUIT\r\n");
            assertThat(c.replyLine()).isEqualTo("250 2.0.0 OK");
            assertThat(c.replyLine()).startsWith("221 ");
        }
    }

    @Test
    void messageDataBelowTheMinimumRateIsAbandoned() throws Exception {
        try (TestServer server = TestServer.start(dir, "smtp_receive_timeout = 2s", "smtp_receive_min_rate = 100");
             RawClient c = server.client().ehlo("x")) {
            c.send("MAIL FROM:<a@b>\r\nRCPT TO:<u1@test.ex>\r\nDATA\r\n");
            c.reply();
            c.reply();
            assertThat(c.replyLine()).startsWith("354");
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
            c.send("MAIL FROM:<a@b>\r\nRCPT TO:<u1@test.ex>\r\nDATA\r\n");
            c.reply();
            c.reply();
            assertThat(c.replyLine()).startsWith("354");
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
