package dev.petrel.smtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * Message text after DATA's 354, in as many pieces as the caller likes: {@link SmtpClientEncoder} dot-stuffs
 * it, makes every line end CRLF and after the {@code last} piece writes the final {@code .CRLF}.
 * Reference counted; the encoder releases it.
 */
public final class MessageText extends DefaultByteBufHolder implements ClientOutput {
    private final boolean last;

    public MessageText(ByteBuf text, boolean last) {
        super(text);
        this.last = last;
    }

    /** A whole message in one piece. */
    public static MessageText whole(ByteBuf text) {
        return new MessageText(text, true);
    }

    public boolean last() {
        return last;
    }

    @Override
    public int replies() {
        return last ? 1 : 0;
    }
}
