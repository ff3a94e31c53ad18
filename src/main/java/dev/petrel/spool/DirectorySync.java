package dev.petrel.spool;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Group commit for a directory: a rename is durable once the directory is fsync'd after it. Callers that
 * renamed while another thread's fsync was already running wait for the next one, and one fsync then
 * covers every rename made before it started, so twenty sessions cost one directory fsync, not twenty.
 */
final class DirectorySync {
    private final FileChannel directory;
    private long changes;     // renames made so far
    private long durable;     // renames covered by a completed fsync
    private boolean syncing;

    /** Keeps the directory open: one fsync call per group instead of open, fsync and close. */
    DirectorySync(Path directory) throws IOException {
        this.directory = FileChannel.open(directory, StandardOpenOption.READ);
    }

    /** Call after a rename or unlink in the directory; returns once that change is on stable storage. */
    void changedAndWait() throws IOException {
        long mine;
        synchronized (this) {
            mine = ++changes;
        }
        awaitDurable(mine);
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
            try {
                directory.force(true);
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

    void close() throws IOException {
        directory.close();
    }
}
