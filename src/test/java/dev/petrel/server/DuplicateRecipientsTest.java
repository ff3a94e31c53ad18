package dev.petrel.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A mailbox named twice in one envelope, in different case, gets the message once. */
class DuplicateRecipientsTest {
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

    private static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
