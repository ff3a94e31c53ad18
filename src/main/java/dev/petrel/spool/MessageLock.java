package dev.petrel.spool;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A message being delivered, locked across processes (Exim locks the message's -D file for the same reason):
 * a daemon and a {@code petrel queue run} beside it never deliver one message at the same time.
 *
 * <p>Across processes the lock is a record lock on one of {@value #STRIPES} lock files in {@code locks/}
 * beside {@code input/}, chosen by the message id: a process holds a stripe while any of its deliveries that
 * hash to it runs, and another process finding a stripe held leaves those messages to the holder's later
 * runs; one message always hashes to the same stripe, so two processes never deliver it at once. Not a file
 * per message: creating and deleting one for every message costs an inode allocation and a free each, which
 * the filesystem pays dearly under load (ext4 without a journal scans past every inode freed in the last
 * seconds on each allocation), and not the spool file itself: the kernel's record locks belong to the process
 * and vanish when any of its descriptors of the file closes, and the spool file is opened and closed as it is
 * read. The lock files are opened only here, one descriptor per stripe in use in this process, so no other
 * close can drop a stripe's lock. The kernel releases it when a process dies, however it dies.
 *
 * <p>Within the process, a set of the message ids being delivered keeps two attempts at one message apart.
 */
public final class MessageLock implements AutoCloseable {
    static final int STRIPES = 1024;

    /** One lock file held by this process, with the number of its deliveries that need it. */
    private static final class Stripe {
        final FileChannel channel;
        final FileLock lock;
        int users;

        Stripe(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }
    }

    // Guarded by the class: held stripes by lock file, and the messages being delivered (by spool file).
    private static final Map<Path, Stripe> STRIPES_HELD = new HashMap<>();
    private static final Set<Path> MESSAGES_HELD = new HashSet<>();

    private final Path message;
    private final Path stripeFile;
    private boolean closed;

    private MessageLock(Path message, Path stripeFile) {
        this.message = message;
        this.stripeFile = stripeFile;
    }

    /** Made when the spool is opened, so that locking needs no check for it. */
    static Path lockDirectory(Path input) {
        return input.resolveSibling("locks");
    }

    static Path stripeFile(Path input, String id) {
        return lockDirectory(input).resolve(String.format("%03x", Math.floorMod(id.hashCode(), STRIPES)));
    }

    /**
     * Locks message {@code id} of the spool in {@code input}; empty when another process holds its stripe,
     * another attempt in this one holds the message, or the message is no longer in the spool.
     */
    static Optional<MessageLock> tryLock(Path input, String id) throws IOException {
        Path message = input.resolve(id).toAbsolutePath();
        if (!Files.exists(message)) {
            return Optional.empty();
        }
        Path stripeFile = stripeFile(input, id).toAbsolutePath();
        synchronized (MessageLock.class) {
            if (!MESSAGES_HELD.add(message)) {
                return Optional.empty();
            }
            try {
                if (!holdStripe(stripeFile)) {
                    MESSAGES_HELD.remove(message);
                    return Optional.empty();
                }
            } catch (IOException | RuntimeException e) {
                MESSAGES_HELD.remove(message);
                throw e;
            }
        }
        MessageLock held = new MessageLock(message, stripeFile);
        if (!Files.exists(message)) {
            // Delivered (or removed) between the check above and the lock: nothing to do.
            held.close();
            return Optional.empty();
        }
        return Optional.of(held);
    }

    /** One more user of the stripe, locking it first if this process does not hold it; false if another does. */
    private static boolean holdStripe(Path file) throws IOException {
        Stripe stripe = STRIPES_HELD.get(file);
        if (stripe == null) {
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
                return false;
            }
            stripe = new Stripe(channel, lock);
            STRIPES_HELD.put(file, stripe);
        }
        stripe.users++;
        return true;
    }

    /** Releases the message, and the stripe's lock with the last of this process's deliveries that need it. */
    @Override
    public void close() throws IOException {
        synchronized (MessageLock.class) {
            if (closed) {
                return;
            }
            closed = true;
            MESSAGES_HELD.remove(message);
            Stripe stripe = STRIPES_HELD.get(stripeFile);
            if (stripe == null || --stripe.users > 0) {
                return;
            }
            STRIPES_HELD.remove(stripeFile);
            try {
                stripe.lock.release();
            } finally {
                stripe.channel.close();
            }
        }
    }
}
