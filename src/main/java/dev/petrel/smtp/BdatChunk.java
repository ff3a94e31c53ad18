package dev.petrel.smtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * Message text sent with CHUNKING (RFC 3030): {@link SmtpClientEncoder} writes {@code BDAT n} (with
 * {@code LAST} on the last chunk) and exactly n octets. The text gets the same CRLF line ends as DATA's, but
 * no dot-stuffing; n counts the octets as sent. Reference counted; the encoder releases it.
 */
public final class BdatChunk extends DefaultByteBufHolder implements ClientOutput {
    private final boolean last;

    public BdatChunk(ByteBuf text, boolean last) {
        super(text);
        this.last = last;
    }

    public boolean last() {
        return last;
    }

    @Override
    public int replies() {
        return 1;
    }
}
