package dev.petrel.smtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.DefaultByteBufHolder;

import java.util.Set;

/** What {@link SmtpInboundDecoder} produces: command lines, message content, and the ends of messages. */
public sealed interface InboundEvent {

    /**
     * A command line without its line end. {@code tooLong} lines (over 512 octets with CRLF) carry only their
     * start; {@code bareLf} says the line ended in LF alone.
     */
    record CommandLine(String text, boolean tooLong, boolean bareLf) implements InboundEvent {
    }

    /** Message content: for DATA with dot-stuffing removed, for BDAT exactly as sent. Reference counted. */
    final class Content extends DefaultByteBufHolder implements InboundEvent {
        public Content(ByteBuf data) {
            super(data);
        }
    }

    /** The CRLF.CRLF that ends DATA; {@code flaws} lists what makes the message unacceptable. */
    record DataEnd(Set<DataFlaw> flaws) implements InboundEvent {
    }

    /** The last octet of a BDAT chunk has been read. */
    record ChunkEnd() implements InboundEvent {
    }

    static void release(Object event) {
        if (event instanceof ByteBufHolder holder) {
            holder.release();
        }
    }
}
