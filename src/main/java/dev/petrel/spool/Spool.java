package dev.petrel.spool;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The durable message store: {@code spool_directory/input/ID} holds a message's envelope and data,
 * {@code ID-J} the recipients already delivered. A message exists once its file has its final name.
 *
 * <p>Commits run on a pool of threads so that many sessions' fsyncs are in flight together (the
 * filesystem journal then commits them as one), and renames share directory fsyncs through
 * {@link DirectorySync}. Nothing here runs on a network thread.
 */
public final class Spool implements Closeable {
    private static final int COMMIT_THREADS = 32;

    private final Path input;
    private final DirectorySync directorySync;
    private final ExecutorService committers;
    private final MessageId.Format idFormat;
    /** The owner's lock, held until close; null in a process that only uses the spool. */
    private final SpoolLock lock;
    /** The owner's spare files for new messages; null in other processes, which delete what they deliver. */
    private final SpareFiles spares;

    private Spool(Path input, MessageId.Format idFormat, SpoolLock lock) {
        this.input = input;
        this.idFormat = idFormat;
        this.lock = lock;
        this.directorySync = new DirectorySync(input);
        this.spares = lock == null ? null : new SpareFiles(input, directorySync);
        this.committers = Executors.newFixedThreadPool(COMMIT_THREADS, Thread.ofPlatform().name("spool-commit-", 0)
                .daemon(true).factory());
    }

    /**
     * Opens (creating if needed) the spool under {@code spoolDirectory} for a process that uses it beside the
     * daemon ({@code queue list}, {@code queue run}, {@code submit}): it touches no other process's files.
     */
    public static Spool open(Path spoolDirectory) throws IOException {
        return open(spoolDirectory, MessageId.Format.EXIM_4_97);
    }

    public static Spool open(Path spoolDirectory, MessageId.Format idFormat) throws IOException {
        return new Spool(inputDirectory(spoolDirectory), idFormat, null);
    }

    /**
     * Opens the spool as its owner, the daemon: takes the spool's lock (refusing when another process holds
     * it) and clears what processes that died left half-written. Only the owner may clear: a {@code .tmp} or
     * {@code .spill} file may belong to a message another process is receiving right now.
     */
    public static Spool openAsOwner(Path spoolDirectory, MessageId.Format idFormat) throws IOException {
        Path input = inputDirectory(spoolDirectory);
        SpoolLock lock = SpoolLock.acquire(spoolDirectory);
        try {
            Spool spool = new Spool(input, idFormat, lock);
            spool.removeLeftovers();
            return spool;
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private static Path inputDirectory(Path spoolDirectory) throws IOException {
        Path input = spoolDirectory.resolve("input");
        Files.createDirectories(input);
        Files.createDirectories(MessageLock.lockDirectory(input));
        return input;
    }

    public Path inputDirectory() {
        return input;
    }

    /** The spool directory itself: where the hints databases of whoever delivers from this spool live. */
    public Path directory() {
        return input.getParent();
    }

    /** An id for a new message, in this spool's format; ids are the spool's file names. */
    public String newMessageId() {
        return MessageId.next(idFormat);
    }

    public Reception receive(String messageId) {
        return new Reception(this, messageId);
    }

    /** Ids of the messages in the queue, oldest first (ids sort by time). */
    public List<String> messageIds() throws IOException {
        List<String> ids = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(input)) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                if (MessageId.isValid(name)) {
                    ids.add(name);
                }
            }
        }
        Collections.sort(ids);
        return ids;
    }

    public boolean contains(String id) {
        return MessageId.isValid(id) && Files.exists(input.resolve(id));
    }

    public SpooledMessage read(String id) throws IOException {
        if (!MessageId.isValid(id)) {
            throw new NoSuchFileException(id + ": not a message id");
        }
        Path file = input.resolve(id);
        byte[] head;
        long fileSize;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(64 * 1024);
            fileSize = Files.size(file);
        }
        EnvelopeCodec.Decoded decoded = EnvelopeCodec.decode(id, head, fileSize);
        Journal journal = Journal.read(input.resolve(id + "-J"));
        return new SpooledMessage(id, decoded.envelope(), journal.delivered(), file, decoded.dataOffset(),
                fileSize - decoded.dataOffset(), journal.frozen(), journal.warnings());
    }

    /**
     * Locks a message for one delivery attempt, across processes; empty when it is being delivered elsewhere or
     * is no longer in the queue. Closing the lock ends the attempt.
     */
    public Optional<MessageLock> lockForDelivery(String id) throws IOException {
        if (!MessageId.isValid(id)) {
            throw new NoSuchFileException(id + ": not a message id");
        }
        return MessageLock.tryLock(input, id);
    }

    /** Records, durably, that a recipient was delivered, so that a restart does not deliver it again. */
    public void recordDelivered(String id, String recipient) throws IOException {
        appendToJournal(id, recipient);
    }

    /** Freezes a message, durably: queue runs leave it alone until it is thawed. */
    public void freeze(String id) throws IOException {
        appendToJournal(id, Journal.FROZEN);
    }

    /** Thaws a frozen message: the next queue run delivers it again. */
    public void thaw(String id) throws IOException {
        appendToJournal(id, Journal.THAWED);
    }

    /** Records, durably, that the sender has now had {@code count} delay warnings. */
    public void recordWarnings(String id, int count) throws IOException {
        appendToJournal(id, Journal.WARNED + count);
    }

    private void appendToJournal(String id, String line) throws IOException {
        if (!MessageId.isValid(id)) {
            throw new NoSuchFileException(id + ": not a message id");
        }
        Path path = input.resolve(id + "-J");
        boolean created = !Files.exists(path);
        try (FileChannel journal = FileChannel.open(path, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            Reception.writeFully(journal, ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
            journal.force(false);
        }
        if (created) {
            // A new file is only there after a crash once its directory entry is on disk too.
            directorySync.changedAndWait();
        }
    }

    /**
     * Takes a message out of the queue once all its recipients are dealt with. The removal is not fsync'd: the
     * next arrival's directory fsync covers it, and a power cut before that brings the message back to be
     * delivered again (as Exim and Postfix do), never loses one.
     */
    public void remove(String id) throws IOException {
        if (!MessageId.isValid(id)) {
            throw new NoSuchFileException(id + ": not a message id");
        }
        Path file = input.resolve(id);
        if (spares == null || !spares.keep(file, id)) {
            Files.delete(file);
        }
        Path journal = input.resolve(id + "-J");
        if (Files.exists(journal)) { // most messages never had one; asking costs no exception
            Files.deleteIfExists(journal);
        }
    }

    CompletableFuture<Void> commit(Reception reception, Envelope envelope) {
        return CompletableFuture.runAsync(() -> {
            try {
                writeDurably(reception, envelope);
            } catch (IOException e) {
                throw new SpoolException("cannot spool " + reception.messageId() + ": " + e.getMessage(), e);
            } finally {
                reception.closeSpill();
            }
        }, committers);
    }

    private void writeDurably(Reception reception, Envelope envelope) throws IOException {
        String id = reception.messageId();
        Path spare = spares == null ? null : spares.take();
        FileChannel reused = spare == null ? null : openSpare(spare);
        Path temp = reused != null ? spare : input.resolve(id + ".tmp");
        try (FileChannel out = reused != null ? reused
                : FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long written = reception.writeTo(out, ByteBuffer.wrap(EnvelopeCodec.encode(id, envelope)));
            if (reused != null) {
                // A spare is written over from the start (its blocks reused) and cut to what was written.
                out.truncate(written);
            }
            out.force(false);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        Files.move(temp, input.resolve(id), StandardCopyOption.ATOMIC_MOVE);
        directorySync.changedAndWait();
        if (reception.spilled()) {
            Files.deleteIfExists(spillPath(id));
        }
    }

    /** A spare opened to be written over; null when it has gone (an operator tidying the spool). */
    private static FileChannel openSpare(Path spare) {
        try {
            return FileChannel.open(spare, StandardOpenOption.WRITE);
        } catch (IOException e) {
            return null;
        }
    }

    Path spillPath(String id) {
        return input.resolve(id + ".spill");
    }

    private void removeLeftovers() throws IOException {
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(input)) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                boolean halfReceived = name.endsWith(".tmp") || name.endsWith(".spill") || SpareFiles.isSpare(name);
                // -L: a message's lock file as Petrel kept them before the lock stripes (MessageLock).
                boolean orphan = (name.endsWith("-J") || name.endsWith("-L"))
                        && !Files.exists(input.resolve(name.substring(0, name.length() - 2)));
                if (halfReceived || orphan) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Override
    public void close() {
        committers.shutdown();
        try {
            committers.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            // Closing at shutdown: what was committed is already durable.
        } finally {
            if (lock != null) {
                lock.close();
            }
        }
    }
}
