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
 * one it allocates, which made creating the spool file the largest single cost of a relayed message (bench/README.md,
 * "Relaying"). A spare is never read: only a file renamed to a message id after its fsync is a message, and
 * spares left by a process that died are removed when the spool is next opened by its owner.
 *
 * <p>Only the owner of the spool (the daemon) keeps spares, at most {@code max} of at most {@link #LARGEST}
 * octets each; beyond that, and in every other process, a delivered message's file is deleted.
 */
final class SpareFiles {
    static final String SUFFIX = ".spare";
    /** Larger files are deleted: kept, they would hold disk space, and writing them costs more than an inode. */
    static final long LARGEST = 256 * 1024;

    private final Path input;
    private final int max;
    private final ArrayDeque<Path> spares = new ArrayDeque<>(); // guarded by this

    SpareFiles(Path input, int max) {
        this.input = input;
        this.max = max;
    }

    static boolean isSpare(String fileName) {
        return fileName.endsWith(SUFFIX);
    }

    /**
     * Keeps {@code file}, message {@code id}'s spool file, as a spare; false when enough are kept already or
     * the file is larger than {@link #LARGEST}.
     */
    boolean keep(Path file, String id) throws IOException {
        synchronized (this) {
            if (spares.size() >= max) {
                return false;
            }
        }
        if (Files.size(file) > LARGEST) {
            return false;
        }
        Path spare = input.resolve(id + SUFFIX);
        Files.move(file, spare, StandardCopyOption.ATOMIC_MOVE);
        synchronized (this) {
            spares.push(spare);
        }
        return true;
    }

    /** Renames a spare to {@code target} (a new message's temporary file); false when there is none. */
    boolean take(Path target) {
        while (true) {
            Path spare;
            synchronized (this) {
                spare = spares.poll();
            }
            if (spare == null) {
                return false;
            }
            try {
                Files.move(spare, target, StandardCopyOption.ATOMIC_MOVE);
                return true;
            } catch (IOException e) {
                // Gone (an operator tidying the spool): the next one, or a new file.
            }
        }
    }
}
