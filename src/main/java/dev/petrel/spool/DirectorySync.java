package dev.petrel.spool;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Group commit for a directory: a rename, link or unlink is durable once the directory is fsync'd after it.
 * Callers that changed the directory while another thread's fsync was already running wait for the next one,
 * and one fsync then covers every change made before it started, so twenty sessions cost one directory fsync,
 * not twenty. The spool's input directory has one; so does each maildir's {@code new/} being delivered to.
 */
public final class DirectorySync {
    private final Path directory;
    private long changes;     // renames made so far
    private long durable;     // renames covered by a completed fsync
    private boolean syncing;

    /**
     * The directory is opened for each fsync (once per group), not kept open: a process delivering to
     * thousands of maildirs would otherwise hold a descriptor for each.
     */
    public DirectorySync(Path directory) {
        this.directory = directory;
    }

    /** Call after a rename, link or unlink in the directory; returns once that change is on stable storage. */
    public void changedAndWait() throws IOException {
        awaitDurable(changed());
    }

    /**
     * Call after a change that need not be durable yet: the next fsync covers it, whoever asks for it. Returns
     * the change's number for {@link #isDurable}.
     */
    public synchronized long changed() {
        return ++changes;
    }

    /** Whether change {@code number} (from {@link #changed}) is on stable storage. */
    public synchronized boolean isDurable(long number) {
        return durable >= number;
    }

    private void awaitDurable(long mine) throws IOException {
        while (true) {
            long target;
            synchronized (this) {
                while (durable < mine && syncing) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted waiting for directory sync");
                    }
                }
                if (durable >= mine) {
                    return;
                }
                syncing = true;
                target = changes;
            }
            boolean ok = false;
            try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
                channel.force(true);
                ok = true;
            } finally {
                synchronized (this) {
                    syncing = false;
                    if (ok) {
                        durable = Math.max(durable, target);
                    }
                    notifyAll();
                }
            }
        }
    }
}
