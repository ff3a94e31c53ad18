package dev.petrel.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * One message being received. Its data stays in memory while it is small (the common case, and then the
 * event loop never touches the disk); past {@link #SPILL_AT} it goes to a spill file. Nothing is in the
 * queue until {@link #commit} completes.
 */
public final class Reception {
    static final int SPILL_AT = 1 << 20;

    private final Spool spool;
    private final String id;
    private byte[] buffer = new byte[8192];
    private int buffered;
    private FileChannel spill;
    private long size;
    private boolean finished;

    Reception(Spool spool, String id) {
        this.spool = spool;
        this.id = id;
    }

    public String messageId() {
        return id;
    }

    /** Octets of message data so far. */
    public long size() {
        return size;
    }

    public void append(ByteBuffer data) throws IOException {
        if (finished) {
            throw new IllegalStateException("reception of " + id + " already finished");
        }
        int n = data.remaining();
        size += n;
        if (spill == null && buffered + n > SPILL_AT) {
            spill = FileChannel.open(spool.spillPath(id), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            writeFully(spill, ByteBuffer.wrap(buffer, 0, buffered));
            buffer = null;
            buffered = 0;
        }
        if (spill != null) {
            writeFully(spill, data);
            return;
        }
        if (buffered + n > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffered + n, buffer.length * 2));
        }
        data.get(buffer, buffered, n);
        buffered += n;
    }

    public void append(byte[] data) throws IOException {
        append(ByteBuffer.wrap(data));
    }

    /**
     * Puts the message into the queue: envelope and data written, fsync'd, renamed into place and the
     * directory fsync'd. The future completes only then; only then may the client be told 250.
     */
    public CompletableFuture<Void> commit(Envelope envelope) {
        finished = true;
        return spool.commit(this, envelope);
    }

    /** Drops a message that will not be accepted. */
    public void discard() {
        finished = true;
        closeSpill();
        try {
            Files.deleteIfExists(spool.spillPath(id));
        } catch (IOException ignored) {
            // A stale spill file is removed when the spool is next opened.
        }
    }

    /**
     * Writes {@code head} (the envelope) and then the message data to {@code out} from its position, in one
     * system call when the data is in memory; returns the octets written.
     */
    long writeTo(FileChannel out, ByteBuffer head) throws IOException {
        long headLength = head.remaining();
        if (spill == null) {
            ByteBuffer[] parts = {head, ByteBuffer.wrap(buffer, 0, buffered)};
            while (parts[1].hasRemaining()) {
                out.write(parts);
            }
            return headLength + buffered;
        }
        writeFully(out, head);
        long pos = 0;
        long total = spill.size();
        while (pos < total) {
            pos += spill.transferTo(pos, total - pos, out);
        }
        return headLength + total;
    }

    void closeSpill() {
        if (spill != null) {
            try {
                spill.close();
            } catch (IOException ignored) {
                // Nothing was promised about this data yet.
            }
        }
    }

    boolean spilled() {
        return spill != null;
    }

    static void writeFully(FileChannel out, ByteBuffer data) throws IOException {
        while (data.hasRemaining()) {
            out.write(data);
        }
    }
}
