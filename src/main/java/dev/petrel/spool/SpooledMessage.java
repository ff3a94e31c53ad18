package dev.petrel.spool;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * A message as the queue sees it: its envelope, the recipients already delivered, where its data is, whether it
 * is frozen (queue runs skip it), and how many delay warnings its sender has had.
 */
public record SpooledMessage(String id, Envelope envelope, Set<String> delivered, Path file, long dataOffset,
                             long dataSize, boolean frozen, int warnings) {

    public SpooledMessage {
        delivered = Set.copyOf(delivered);
    }

    /** The message as received (headers and body, CRLF line ends, dot-stuffing removed). */
    public InputStream openData() throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        channel.position(dataOffset);
        return Channels.newInputStream(channel);
    }
}
