package dev.petrel.spool;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpoolTest {
    @TempDir
    Path dir;

    @Test
    void committedMessageReadsBackWithEnvelopeAndData() throws IOException {
        try (Spool spool = Spool.open(dir)) {
            String id = MessageId.next();
            Reception r = spool.receive(id);
            r.append("Subject: hi\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
            Envelope sent = new Envelope("alice@example.org", List.of("bob@test.ex", "carol@test.ex"),
                    Instant.ofEpochSecond(1_700_000_000L), "client.example", "192.0.2.1", 40000, "esmtps",
                    "TLS1.3:TLS_AES_256_GCM_SHA384:256");
            r.commit(sent).join();

            assertThat(spool.messageIds()).containsExactly(id);
            SpooledMessage m = spool.read(id);
            assertThat(m.envelope()).isEqualTo(sent);
            assertThat(m.delivered()).isEmpty();
            assertThat(m.dataSize()).isEqualTo(21);
            try (InputStream in = m.openData()) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo("Subject: hi\r\n\r\nbody\r\n");
            }
        }
    }

    @Test
    void mailAndRecipientParametersSurviveTheSpool() throws IOException {
        try (Spool spool = Spool.open(dir)) {
            String id = MessageId.next();
            Reception r = spool.receive(id);
            r.append("x\r\n".getBytes(StandardCharsets.US_ASCII));
            Envelope sent = new Envelope("alice@example.org", List.of("bob@test.ex", "carol@test.ex", "dan@test.ex"),
                    Instant.ofEpochSecond(1_700_000_000L), "client.example", "192.0.2.1", 40000, "esmtp", null,
                    new MailOptions(MailOptions.Body.EIGHT_BIT_MIME, true, 1234, MailOptions.Ret.FULL, "id+2B1"),
                    List.of(new RecipientOptions(java.util.Set.of(RecipientOptions.Notify.SUCCESS,
                                    RecipientOptions.Notify.DELAY), "rfc822;bob+40test.ex"),
                            RecipientOptions.NONE,
                            new RecipientOptions(java.util.Set.of(RecipientOptions.Notify.NEVER), null)));
            r.commit(sent).join();
            assertThat(spool.read(id).envelope()).isEqualTo(sent);
        }
    }

    @Test
    void aSpoolFileWrittenBeforeParametersWereKeptStillReads() throws IOException {
        try (Spool spool = Spool.open(dir)) {
            String id = MessageId.next();
            // Byte for byte what the code before MAIL/RCPT parameters wrote: no body, size, ret, envid or dsn lines.
            Files.writeString(dir.resolve("input").resolve(id), id + "-H\nsender <a@test.ex>\nreceived 1700000000\n"
                    + "helo c.test\nhost 192.0.2.1 40000\nprotocol esmtp\nrcpt b@test.ex\n\nSubject: old\r\n\r\nbody\r\n");
            Envelope e = spool.read(id).envelope();
            assertThat(e.recipients()).containsExactly("b@test.ex");
            assertThat(e.mail()).isEqualTo(MailOptions.NONE);
            assertThat(e.optionsOf("b@test.ex")).isEqualTo(RecipientOptions.NONE);
        }
    }

    /** A message to a@ and b@test.ex, a@ journalled as delivered; its id. */
    private static String withOneOfTwoDelivered(Spool spool) throws IOException {
        String id = MessageId.next();
        Reception r = spool.receive(id);
        r.append("x\r\n".getBytes(StandardCharsets.US_ASCII));
        r.commit(Envelope.local("", List.of("a@test.ex", "b@test.ex"))).join();
        spool.recordDelivered(id, "a@test.ex");
        return id;
    }

    @Test
    void frozenAndWarningsAreKeptInTheJournalBesideDeliveries() throws IOException {
        try (Spool spool = Spool.open(dir)) {
            String id = withOneOfTwoDelivered(spool);
            spool.freeze(id);
            spool.recordWarnings(id, 2);
            SpooledMessage m = spool.read(id);
            assertThat(m.delivered()).containsExactly("a@test.ex");
            assertThat(m.frozen()).isTrue();
            assertThat(m.warnings()).isEqualTo(2);

            spool.thaw(id);
            // A line a crash cut short names no recipient and changes no state.
            Files.writeString(dir.resolve("input").resolve(id + "-J"), ">froz", StandardOpenOption.APPEND);
            m = spool.read(id);
            assertThat(m.frozen()).isFalse();
            assertThat(m.delivered()).containsExactly("a@test.ex");
            assertThat(m.warnings()).isEqualTo(2);
        }
    }

    @Test
    void journalledRecipientsComeBackAsDelivered() throws IOException {
        try (Spool spool = Spool.open(dir)) {
            String id = withOneOfTwoDelivered(spool);

            assertThat(spool.read(id).delivered()).containsExactly("a@test.ex");
            spool.remove(id);
            assertThat(spool.messageIds()).isEmpty();
            assertThat(dir.resolve("input")).isEmptyDirectory();
        }
    }

    @Test
    void messageIdsAreExim497FormatAndUnique() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            String id = MessageId.next();
            assertThat(id).hasSize(23);
            assertThat(MessageId.isValid(id)).as(id).isTrue();
            assertThat(seen.add(id)).as("duplicate %s", id).isTrue();
        }
        assertThat(MessageId.isValid("../../etc/passwd")).isFalse();
        assertThat(MessageId.isValid(null)).isFalse();
    }

    @Test
    void onlyTheOwnerRemovesHalfReceivedLeftovers() throws IOException {
        Path input = dir.resolve("input");
        Files.createDirectories(input);
        String kept = MessageId.next();
        Files.writeString(input.resolve(MessageId.next() + ".tmp"), "partial");
        Files.writeString(input.resolve(MessageId.next() + ".spill"), "partial");
        Files.writeString(input.resolve(MessageId.next() + "-J"), "orphan@test.ex\n");
        try (Spool spool = Spool.open(dir)) {
            Reception r = spool.receive(kept);
            r.append(new byte[] {'x'});
            r.commit(Envelope.local("", List.of("a@test.ex"))).join();
        }
        try (var files = Files.list(input)) {
            assertThat(files).as("a user of the spool clears nothing").hasSize(4);
        }
        try (Spool spool = Spool.openAsOwner(dir, MessageId.Format.EXIM_4_97)) {
            try (var files = Files.list(input)) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactly(kept);
            }
            assertThat(spool.messageIds()).containsExactly(kept);
            assertThatThrownBy(() -> Spool.openAsOwner(dir, MessageId.Format.EXIM_4_97))
                    .isInstanceOf(IOException.class).hasMessageContaining("already open as owner");
        }
        Spool.openAsOwner(dir, MessageId.Format.EXIM_4_97).close(); // the lock went with the owner
    }

    @Test
    void theOwnerKeepsADeliveredMessagesFileForTheNextArrivalWhichReadsBackExactly() throws IOException {
        Path input = dir.resolve("input");
        String big = "Subject: big\r\n\r\n" + "0123456789".repeat(5000) + "\r\n";
        try (Spool spool = Spool.openAsOwner(dir, MessageId.Format.EXIM_4_97)) {
            String first = spool.newMessageId();
            Reception r = spool.receive(first);
            r.append(big.getBytes(StandardCharsets.US_ASCII));
            r.commit(Envelope.local("a@test.ex", List.of("b@test.ex"))).join();
            long inode = (Long) Files.getAttribute(input.resolve(first), "unix:ino");
            spool.remove(first);
            assertThat(spool.messageIds()).isEmpty();
            assertThat(spool.contains(first)).isFalse();
            assertThat(input.resolve(first + ".spare")).as("kept, not deleted").exists();

            String between = spool.newMessageId();
            r = spool.receive(between);
            r.append("Subject: between\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
            r.commit(Envelope.local("a@test.ex", List.of("b@test.ex"))).join();
            assertThat(input.resolve(first + ".spare"))
                    .as("not written into before the rename that made it a spare is on disk").exists();
            assertThat((Long) Files.getAttribute(input.resolve(between), "unix:ino")).isNotEqualTo(inode);

            String second = spool.newMessageId();
            r = spool.receive(second);
            r.append("Subject: small\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII));
            r.commit(Envelope.local("c@test.ex", List.of("d@test.ex"))).join();
            assertThat(input.resolve(first + ".spare")).as("taken for the next message").doesNotExist();
            assertThat((Long) Files.getAttribute(input.resolve(second), "unix:ino")).as("the same file").isEqualTo(inode);
            SpooledMessage m = spool.read(second);
            assertThat(m.envelope().sender()).isEqualTo("c@test.ex");
            try (InputStream in = m.openData()) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII))
                        .as("nothing of the longer message before it").isEqualTo("Subject: small\r\n\r\nhi\r\n");
            }
            spool.remove(second);
            spool.remove(between);

            String large = spool.newMessageId();
            r = spool.receive(large);
            r.append(new byte[(int) SpareFiles.LARGEST + 1]);
            r.commit(Envelope.local("", List.of("a@test.ex"))).join();
            spool.remove(large);
            assertThat(input.resolve(large + ".spare")).as("too large to keep").doesNotExist();
        }
        try (Spool spool = Spool.openAsOwner(dir, MessageId.Format.EXIM_4_97)) {
            assertThat(input).as("spares go when the owner opens the spool again").isEmptyDirectory();
        }
        try (Spool spool = Spool.open(dir)) {
            String id = spool.newMessageId();
            Reception r = spool.receive(id);
            r.append(new byte[] {'x'});
            r.commit(Envelope.local("", List.of("a@test.ex"))).join();
            spool.remove(id);
            assertThat(input).as("a process beside the owner keeps no spares").isEmptyDirectory();
        }
    }

    @Test
    void aBrokenEnvelopeIsASpoolFormatErrorWithTheFileSize() throws IOException {
        try (Spool spool = Spool.open(dir)) {
            String id = MessageId.next();
            Files.writeString(dir.resolve("input").resolve(id), id + "-H\nsender <a@b>\nreceived x\n\ndata");
            assertThatThrownBy(() -> spool.read(id)).isInstanceOf(SpoolFormatException.class)
                    .hasMessage("spool file for " + id + " has a malformed envelope line")
                    .extracting(e -> ((SpoolFormatException) e).fileSize()).isEqualTo(32L + id.length());
        }
    }

    @Test
    void messageOverOneMebibyteSpillsAndCommits() throws IOException {
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(data);
        try (Spool spool = Spool.open(dir)) {
            String id = MessageId.next();
            Reception r = spool.receive(id);
            for (int off = 0; off < data.length; off += 65_536) {
                r.append(java.nio.ByteBuffer.wrap(data, off, Math.min(65_536, data.length - off)));
            }
            assertThat(r.spilled()).isTrue();
            assertThat(spool.spillPath(id)).exists();
            r.commit(Envelope.local("a@test.ex", List.of("b@test.ex"))).join();

            assertThat(spool.spillPath(id)).doesNotExist();
            SpooledMessage m = spool.read(id);
            assertThat(m.dataSize()).isEqualTo(data.length);
            try (InputStream in = m.openData()) {
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
        }
    }

    @Test
    void discardedReceptionLeavesNothing() throws IOException {
        try (Spool spool = Spool.open(dir)) {
            Reception r = spool.receive(MessageId.next());
            r.append(new byte[2 * 1024 * 1024]);
            r.discard();
            assertThat(dir.resolve("input")).isEmptyDirectory();
        }
    }
}
