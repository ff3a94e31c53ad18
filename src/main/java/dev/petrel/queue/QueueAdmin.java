package dev.petrel.queue;

import dev.petrel.log.MainLog;
import dev.petrel.spool.Spool;
import dev.petrel.spool.SpooledMessage;

import java.io.IOException;
import java.nio.file.NoSuchFileException;

/** Operator actions on queued messages ({@code petrel queue remove}, {@code thaw}), logged as Exim logs them. */
public final class QueueAdmin {
    private final Spool spool;
    private final MainLog log;

    public QueueAdmin(Spool spool, MainLog log) {
        this.spool = spool;
        this.log = log;
    }

    /** Removes a message without delivering it, on behalf of {@code user}; false when it is not in the queue. */
    public boolean removeMessage(String id, String user) throws IOException {
        if (!spool.contains(id)) {
            return false;
        }
        try {
            spool.remove(id);
        } catch (NoSuchFileException e) {
            return false; // delivered in the meantime
        }
        log.main(id + " removed by " + user);
        log.main(id + " Completed");
        return true;
    }

    /** What {@link #thaw} found. */
    public enum Thaw { THAWED, NOT_FROZEN, NOT_IN_QUEUE }

    /** Thaws a frozen message (Exim's {@code -Mt}): the next queue run delivers it again. */
    public Thaw thaw(String id, String user) throws IOException {
        SpooledMessage message;
        try {
            message = spool.read(id);
        } catch (NoSuchFileException e) {
            return Thaw.NOT_IN_QUEUE;
        }
        if (!message.frozen()) {
            return Thaw.NOT_FROZEN;
        }
        spool.thaw(id);
        log.main(id + " unfrozen by " + user);
        return Thaw.THAWED;
    }
}
