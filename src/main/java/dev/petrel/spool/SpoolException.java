package dev.petrel.spool;

import java.io.IOException;
import java.io.UncheckedIOException;

/** A message could not be made durable; the client gets a temporary error and keeps the message. */
public final class SpoolException extends UncheckedIOException {
    public SpoolException(String message, IOException cause) {
        super(message, cause);
    }
}
