package dev.petrel.spool;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * A message being delivered, locked across processes (Exim locks the message's -D file for the same reason):
 * a daemon and a {@code petrel queue run} beside it never deliver one message at the same time.
 *
 * <p>The lock is an exclusive lock on {@code input/ID-L}, a file only this class opens: the kernel's record
 * locks belong to the process and vanish when any descriptor of the locked file closes, so locking the spool
 * file itself, which the delivery opens and closes as it reads, would drop the lock halfway. The kernel
 * releases it when a process dies, however it dies.
 *
 * <p>The lock file is deleted only once the message is gone. A process that opened the file just before it was
 * deleted can then lock the deleted file, but finds the message gone and does nothing; two processes can hold
 * locks on two different {@code ID-L} files only when there is no message left to deliver.
 */
public final class MessageLock implements AutoCloseable {
    private final Path message;
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private MessageLock(Path message, Path file, FileChannel channel, FileLock lock) {
        this.message = message;
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    static Path lockFile(Path input, String id) {
        return input.resolve(id + "-L");
    }

    /**
     * Locks message {@code id} of the spool in {@code input}; empty when another process (or another attempt in
     * this one) holds it, or when the message is no longer in the spool.
     */
    static Optional<MessageLock> tryLock(Path input, String id) throws IOException {
        Path message = input.resolve(id);
        if (!Files.exists(message)) {
            return Optional.empty();
        }
        Path file = lockFile(input, id);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            return Optional.empty();
        }
        MessageLock held = new MessageLock(message, file, channel, lock);
        if (!Files.exists(message)) {
            // Delivered (or removed) between the check above and the lock: nothing to do, and no lock file to keep.
            held.close();
            return Optional.empty();
        }
        return Optional.of(held);
    }

    /** Releases the lock; the lock file goes with the message, never before it. */
    @Override
    public void close() throws IOException {
        try {
            if (!Files.exists(message)) {
                Files.deleteIfExists(file);
            }
        } finally {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }
}
