package dev.petrel.spool;

import java.io.IOException;

/**
 * A spool file whose envelope cannot be read: Exim's "spool format error". The message stays where it is for
 * the operator to look at; it is neither delivered nor removed.
 */
public final class SpoolFormatException extends IOException {
    private final String messageId;
    private final long fileSize;

    SpoolFormatException(String messageId, long fileSize, String detail, Throwable cause) {
        super("spool file for " + messageId + " " + detail, cause);
        this.messageId = messageId;
        this.fileSize = fileSize;
    }

    public String messageId() {
        return messageId;
    }

    /** The whole file's size, which Exim shows with the error. */
    public long fileSize() {
        return fileSize;
    }
}
