package dev.petrel.spool;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-message delivery lock within one process; ConcurrentQueueRunTest checks it across processes. */
class MessageLockTest {
    @TempDir
    Path dir;

    private static String spoolOne(Spool spool) {
        String id = spool.newMessageId();
        Reception r = spool.receive(id);
        try {
            r.append("x\r\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        r.commit(Envelope.local("", List.of("a@test.ex"))).join();
        return id;
    }

    @Test
    void aHeldMessageCannotBeLockedAgainUntilReleased() throws IOException {
        try (Spool spool = Spool.open(dir)) {
            String id = spoolOne(spool);
            Optional<MessageLock> first = spool.lockForDelivery(id);
            assertThat(first).isPresent();
            assertThat(spool.lockForDelivery(id)).isEmpty();
            first.get().close();
            Optional<MessageLock> again = spool.lockForDelivery(id);
            assertThat(again).isPresent();
            again.get().close();
            assertThat(spool.messageIds()).as("the lock file is not a message").containsExactly(id);
        }
    }

    @Test
    void theLockFileGoesWithTheMessageAndAGoneMessageIsNotLocked() throws IOException {
        try (Spool spool = Spool.open(dir)) {
            String id = spoolOne(spool);
            Optional<MessageLock> lock = spool.lockForDelivery(id);
            assertThat(Files.exists(dir.resolve("input").resolve(id + "-L"))).isTrue();
            spool.remove(id);
            lock.orElseThrow().close();
            assertThat(dir.resolve("input")).isEmptyDirectory();
            assertThat(spool.lockForDelivery(id)).isEmpty();
            assertThat(dir.resolve("input")).isEmptyDirectory();
        }
    }

    @Test
    void aLockFileLeftByADeadProcessIsClearedWithItsMessageGone() throws IOException {
        Files.createDirectories(dir.resolve("input"));
        Files.writeString(dir.resolve("input").resolve("1abcde-000000-00000000-L"), "");
        try (Spool spool = Spool.openAsOwner(dir, MessageId.Format.EXIM_4_97)) {
            assertThat(dir.resolve("input")).isEmptyDirectory();
        }
    }
}
