package dev.petrel.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Delivery into maildirs, seen from an SMTP client: duplicates, and what a killed delivery left behind. */
class LocalDeliveryTest {
    @TempDir
    Path dir;

    @Test
    void recipientsDifferingOnlyInCaseAreDeliveredOnce() throws Exception {
        try (TestServer server = TestServer.startDelivering(dir); RawClient c = server.client()) {
            c.banner();
            c.send("EHLO c\r\n");
            c.reply();
            c.send("MAIL FROM:<a@test.ex>\r\n");
            assertThat(c.code()).isEqualTo(250);
            for (String rcpt : List.of("u1@test.ex", "U1@test.ex", "u1@TEST.EX", "u2@test.ex")) {
                c.send("RCPT TO:<" + rcpt + ">\r\n");
                assertThat(c.code()).as(rcpt).isEqualTo(250);
            }
            c.send("DATA\r\n");
            assertThat(c.code()).isEqualTo(354);
            c.send("Subject: twice?\r\n\r\nonce\r\n.\r\n");
            String id = c.replyLine().replaceFirst("^250 OK id=", "");
            server.awaitLog(id + " Completed");
            assertThat(files(dir.resolve("mail/u1/new"))).as("u1's mailbox").hasSize(1);
            assertThat(files(dir.resolve("mail/u2/new"))).as("u2's mailbox").hasSize(1);
            // As Exim logs a duplicate it removed after routing: the first address only, the others not at all.
            List<String> deliveries = server.mainlog().stream().filter(l -> l.contains(id + " => ")).toList();
            assertThat(deliveries).hasSize(2);
            assertThat(deliveries.get(0)).contains(" => u1 <u1@test.ex> R=localuser T=local_delivery");
            assertThat(deliveries.get(1)).contains(" => u2 <u2@test.ex> R=localuser T=local_delivery");
        }
    }

    /** A file left in tmp/ by a delivery killed between link and unlink goes once it is 36 hours old. */
    @Test
    void staleTmpFilesAreClearedAsMaildirReadersExpect() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("mail/u1/tmp"));
        Path stale = Files.writeString(tmp.resolve("1700000000.killed.petrel.test"), "left behind");
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofHours(37))));
        Path recent = Files.writeString(tmp.resolve("1700000001.recent.petrel.test"), "someone's, in progress");
        Files.setLastModifiedTime(recent, FileTime.from(Instant.now().minus(Duration.ofHours(35))));
        try (TestServer server = TestServer.startDelivering(dir); RawClient c = server.client()) {
            c.banner();
            c.send("EHLO c\r\n");
            c.reply();
            c.send("MAIL FROM:<a@test.ex>\r\nRCPT TO:<u1@test.ex>\r\nDATA\r\n");
            c.reply();
            c.reply();
            c.reply();
            c.send("Subject: x\r\n\r\nx\r\n.\r\n");
            String id = c.replyLine().replaceFirst("^250 OK id=", "");
            server.awaitLog(id + " Completed");
        }
        assertThat(stale).doesNotExist();
        assertThat(recent).exists();
        assertThat(files(dir.resolve("mail/u1/new"))).hasSize(1);
    }

    private static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
