package dev.petrel.transport;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Clears a maildir's {@code tmp/} of files nobody will finish: a delivery killed between the link into
 * {@code new/} and the unlink leaves its file there. The maildir convention: a file in {@code tmp/} untouched
 * for 36 hours is garbage (a delivery in progress is seconds old). Each {@code tmp/} is looked at on the
 * first delivery to it and then at most once an hour, so a busy mailbox does not pay a directory scan per
 * message.
 */
final class StaleTmpFiles {
    static final Duration STALE_AFTER = Duration.ofHours(36);
    private static final Duration SWEEP_EVERY = Duration.ofHours(1);

    private final Map<Path, Instant> lastSwept = new ConcurrentHashMap<>();

    void sweepIfDue(Path tmpDir) {
        Instant now = Instant.now();
        Instant last = lastSwept.get(tmpDir);
        if (last != null && last.plus(SWEEP_EVERY).isAfter(now)) {
            return;
        }
        lastSwept.put(tmpDir, now);
        try {
            sweep(tmpDir, now.minus(STALE_AFTER));
        } catch (IOException e) {
            // Tidying only: the delivery does not depend on it, and the next sweep tries again.
        }
    }

    /** Deletes the regular files in {@code tmpDir} last modified before {@code cutoff}. */
    static void sweep(Path tmpDir, Instant cutoff) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmpDir)) {
            for (Path entry : entries) {
                try {
                    BasicFileAttributes a = Files.readAttributes(entry, BasicFileAttributes.class);
                    if (a.isRegularFile() && a.lastModifiedTime().toInstant().isBefore(cutoff)) {
                        Files.deleteIfExists(entry);
                    }
                } catch (NoSuchFileException gone) {
                    // Another delivery finished with it while we looked.
                }
            }
        }
    }
}
