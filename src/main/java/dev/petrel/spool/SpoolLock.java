package dev.petrel.spool;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The mark of the process that owns a spool: an exclusive lock on {@code spool_directory/daemon.lock}, held
 * for as long as that process runs and released by the kernel when it dies, however it dies.
 */
final class SpoolLock implements AutoCloseable {
    static final String FILE = "daemon.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private SpoolLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** @throws IOException when another process (or this one) already owns the spool */
    static SpoolLock acquire(Path spoolDirectory) throws IOException {
        Path file = spoolDirectory.resolve(FILE);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new IOException("spool " + spoolDirectory + " is in use by another daemon (" + file + " is locked)");
            }
            return new SpoolLock(channel, lock);
        } catch (OverlappingFileLockException e) {
            channel.close();
            throw new IOException("spool " + spoolDirectory + " is already open as owner in this process", e);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // Closing the channel releases the lock in any case; the process is ending.
        }
    }
}
