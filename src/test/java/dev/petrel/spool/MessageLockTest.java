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
        return spoolAs(spool, spool.newMessageId());
    }

    private static String spoolAs(Spool spool, String id) {
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
    void aGoneMessageIsNotLockedAndTheSpoolHoldsOnlyMessages() throws IOException {
        try (Spool spool = Spool.open(dir)) {
            String id = spoolOne(spool);
            Optional<MessageLock> lock = spool.lockForDelivery(id);
            assertThat(lock).isPresent();
            assertThat(spool.inputDirectory()).isDirectoryContaining(p -> p.getFileName().toString().equals(id));
            spool.remove(id);
            lock.orElseThrow().close();
            assertThat(dir.resolve("input")).isEmptyDirectory();
            assertThat(spool.lockForDelivery(id)).isEmpty();
            assertThat(dir.resolve("input")).isEmptyDirectory();
        }
    }

    @Test
    void messagesSharingAStripeAreLockedApartAndTheStripeIsHeldUntilTheLastIsReleased() throws IOException {
        try (Spool spool = Spool.open(dir)) {
            // Two new ids on one stripe (a birthday: a few dozen ids), then those two messages spooled.
            java.util.Map<Path, String> byStripe = new java.util.HashMap<>();
            List<String> ids = new java.util.ArrayList<>();
            while (ids.isEmpty()) {
                String id = spool.newMessageId();
                String other = byStripe.putIfAbsent(MessageLock.stripeFile(spool.inputDirectory(), id), id);
                if (other != null) {
                    ids = List.of(other, id);
                }
            }
            for (String id : ids) {
                spoolAs(spool, id);
            }
            assertThat(ids).as("two messages on one stripe").hasSize(2);
            Path stripe = MessageLock.stripeFile(spool.inputDirectory(), ids.getFirst());
            MessageLock first = spool.lockForDelivery(ids.get(0)).orElseThrow();
            MessageLock second = spool.lockForDelivery(ids.get(1)).orElseThrow();
            assertThat(spool.lockForDelivery(ids.get(0))).isEmpty();
            first.close();
            assertThat(spool.lockForDelivery(ids.get(1))).as("still held by the other attempt").isEmpty();
            assertThat(heldByThisProcess(stripe)).as("the stripe, while one message on it is locked").isTrue();
            second.close();
            assertThat(heldByThisProcess(stripe)).as("the stripe, once the last is released").isFalse();
            spool.lockForDelivery(ids.get(0)).orElseThrow().close();
        }
    }

    /**
     * Whether this JVM holds a lock on {@code file} (the JVM refuses a second, overlapping one). Closing the probe
     * drops the process's lock as the kernel does (why MessageLock opens a stripe once): ask last.
     */
    private static boolean heldByThisProcess(Path file) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.channels.FileLock lock = ch.tryLock();
            if (lock != null) {
                lock.release();
            }
            return lock == null;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return true;
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
