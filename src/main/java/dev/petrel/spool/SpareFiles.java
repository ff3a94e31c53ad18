package dev.petrel.spool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;

/**
 * Files of delivered messages kept in {@code input/} (as {@code ID.spare}) to take the next arrivals' data, so
 * that a busy spool neither frees nor allocates an inode for every message. Renaming is cheap; allocating an
 * inode is not under load: ext4 without a journal scans past every inode freed in the last seconds for each
 * one it allocates, which made creating the spool file the largest single cost of a relayed message
 * (bench/README.md, "Relaying"). A spare is never read: only a file renamed to a message id after its fsync is
 * a message, and spares left by a process that died are removed when the spool is next opened by its owner.
 *
 * <p>A spare is handed out only once the rename that made it is on stable storage (its directory's next
 * fsync, which the next arrival makes anyway). Until then a power cut could bring the delivered message back
 * under its id, and its file must still hold that message, not a newer one written into it.
 *
 * <p>As many spares are kept as the queue was deep at its deepest, so that a burst of arrivals finds them: at
 * most {@link #MAX_FILES} holding {@link #MAX_BYTES} in all, none over {@link #LARGEST} octets. Beyond that,
 * and in every process but the spool's owner (the daemon), a delivered message's file is deleted.
 */
final class SpareFiles {
    static final String SUFFIX = ".spare";
    /** Larger files are deleted: kept, they would hold disk space, and writing them costs more than an inode. */
    static final long LARGEST = 256 * 1024;
    static final int MAX_FILES = 4096;
    static final long MAX_BYTES = 64L * 1024 * 1024;

    private record Spare(Path path, long size, long change) {}

    private final Path input;
    private final DirectorySync directorySync;
    private final ArrayDeque<Spare> spares = new ArrayDeque<>(); // oldest first; guarded by this
    private long bytes; // guarded by this

    SpareFiles(Path input, DirectorySync directorySync) {
        this.input = input;
        this.directorySync = directorySync;
    }

    static boolean isSpare(String fileName) {
        return fileName.endsWith(SUFFIX);
    }

    /**
     * Keeps {@code file}, message {@code id}'s spool file, as a spare; false when enough are kept already or
     * the file is larger than {@link #LARGEST}. The rename is not waited for: see the class comment.
     */
    boolean keep(Path file, String id) throws IOException {
        long size = Files.size(file);
        synchronized (this) {
            if (size > LARGEST || spares.size() >= MAX_FILES || bytes + size > MAX_BYTES) {
                return false;
            }
            bytes += size; // reserved before the rename, so that racing callers cannot overshoot
        }
        Path spare = input.resolve(id + SUFFIX);
        try {
            Files.move(file, spare, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            synchronized (this) {
                bytes -= size;
            }
            throw e;
        }
        long change = directorySync.changed();
        synchronized (this) {
            spares.addLast(new Spare(spare, size, change));
        }
        return true;
    }

    /**
     * The oldest spare whose rename is durable, taken out of the list for the caller to write into; null when
     * there is none. It may have gone meanwhile (an operator tidying the spool): opening it then fails.
     */
    Path take() {
        synchronized (this) {
            Spare oldest = spares.peekFirst();
            if (oldest == null || !directorySync.isDurable(oldest.change())) {
                return null;
            }
            spares.removeFirst();
            bytes -= oldest.size();
            return oldest.path();
        }
    }
}
