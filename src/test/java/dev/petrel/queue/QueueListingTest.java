package dev.petrel.queue;

import dev.petrel.spool.Envelope;
import dev.petrel.spool.MessageId;
import dev.petrel.spool.Reception;
import dev.petrel.spool.Spool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class QueueListingTest {
    @TempDir
    Path dir;

    @Test
    void listsMessagesInEximsBpFormat() throws IOException {
        Instant received = Instant.ofEpochSecond(1_700_000_000L);
        try (Spool spool = Spool.open(dir)) {
            String first = MessageId.next();
            Reception r = spool.receive(first);
            r.append(new byte[412]);
            r.commit(new Envelope("alice@example.org", List.of("bob@test.ex", "carol@test.ex"), received, null, null,
                    0, "local", null)).join();
            spool.recordDelivered(first, "bob@test.ex");
            String second = MessageId.next();
            r = spool.receive(second);
            r.append(new byte[1229]);
            r.commit(new Envelope("", List.of("alice@example.org"), received, null, null, 0, "local", null)).join();

            String listing = new QueueListing(spool).render(received.plus(Duration.ofHours(5)));

            assertThat(listing).isEqualTo(
                    " 5h   412 " + first + " <alice@example.org>\n"
                            + "        D bob@test.ex\n"
                            + "          carol@test.ex\n"
                            + "\n"
                            + " 5h  1.2K " + second + " <>\n"
                            + "          alice@example.org\n"
                            + "\n");
        }
    }

    @Test
    void emptyQueueListsNothing() throws IOException {
        try (Spool spool = Spool.open(dir)) {
            assertThat(new QueueListing(spool).render()).isEmpty();
        }
    }

    @Test
    void agesAndSizesUseOperatorUnits() {
        assertThat(QueueListing.age(Duration.ofSeconds(30))).isEqualTo("0m");
        assertThat(QueueListing.age(Duration.ofMinutes(90))).isEqualTo("90m");
        assertThat(QueueListing.age(Duration.ofMinutes(91))).isEqualTo("2h");
        assertThat(QueueListing.age(Duration.ofHours(72))).isEqualTo("72h");
        assertThat(QueueListing.age(Duration.ofDays(4))).isEqualTo("4d");
        assertThat(QueueListing.age(Duration.ofSeconds(-5))).isEqualTo("0m");
        assertThat(QueueListing.size(0)).isEqualTo("0");
        assertThat(QueueListing.size(1023)).isEqualTo("1023");
        assertThat(QueueListing.size(1024)).isEqualTo("1.0K");
        assertThat(QueueListing.size(10_200)).isEqualTo("10K");
        assertThat(QueueListing.size(34 * 1024)).isEqualTo("34K");
        assertThat(QueueListing.size(1_048_000)).isEqualTo("1.0M");
        assertThat(QueueListing.size(5_872_026)).isEqualTo("5.6M");
        assertThat(QueueListing.size(3L << 30)).isEqualTo("3.0G");
    }
}
