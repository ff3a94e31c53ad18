package dev.petrel.smtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import io.netty.util.ByteProcessor;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;

/**
 * Writes what an SMTP client sends. Every line it emits ends in CRLF and nothing else does: a command
 * holding CR, LF or NUL fails its write and nothing of it is sent; in message text a CRLF, a bare LF and a
 * bare CR each become one CRLF (a CR and an LF split across two pieces still make one line end). DATA text
 * is dot-stuffed and closed with {@code .CRLF}, after a CRLF of its own if the text did not end with one;
 * a BDAT chunk is framed as {@code BDAT n [LAST]} and exactly the n octets that follow, and the last chunk
 * gets the same closing CRLF, so the server stores the same message whichever way it was sent.
 *
 * <p>Each message written becomes one buffer; a {@link CommandGroup} too, which is what makes a pipelined
 * group one segment on the wire. Line-end state is kept between the pieces of one message, so an encoder
 * belongs to one channel.
 */
public final class SmtpClientEncoder extends MessageToByteEncoder<ClientOutput> {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] END_OF_DATA = {'.', '\r', '\n'};
    private static final ByteProcessor NOT_LINE_END = b -> b != '\r' && b != '\n';

    // Message text state, carried from one piece to the next.
    private boolean atLineStart = true;
    private boolean afterCr;

    public SmtpClientEncoder() {
        super(ClientOutput.class);
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, ClientOutput msg, boolean preferDirect) {
        int size = estimate(msg);
        return preferDirect ? ctx.alloc().ioBuffer(size) : ctx.alloc().heapBuffer(size);
    }

    private static int estimate(ClientOutput msg) {
        return switch (msg) {
            case SmtpCommand c -> ByteBufUtil.utf8MaxBytes(c.line()) + 2;
            case MessageText t -> t.content().readableBytes() + t.content().readableBytes() / 32 + 8;
            case BdatChunk b -> b.content().readableBytes() + b.content().readableBytes() / 32 + 24;
            case CommandGroup g -> g.parts().stream().mapToInt(SmtpClientEncoder::estimate).sum();
        };
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, ClientOutput msg, ByteBuf out) {
        if (msg instanceof CommandGroup group) {
            try {
                for (ClientOutput part : group.parts()) {
                    encodeOne(part, out);
                }
            } finally {
                // The base class releases what it was given; a group's parts are ours to release.
                group.parts().forEach(ReferenceCountUtil::release);
            }
        } else {
            encodeOne(msg, out);
        }
    }

    private void encodeOne(ClientOutput msg, ByteBuf out) {
        switch (msg) {
            case SmtpCommand c -> {
                SmtpCommand.requireOneLine(c.line());
                out.writeCharSequence(c.line(), StandardCharsets.UTF_8);
                out.writeBytes(CRLF);
            }
            case MessageText t -> {
                canonical(t.content(), out, true, t.last());
                if (t.last()) {
                    out.writeBytes(END_OF_DATA);
                    newMessage();
                }
            }
            case BdatChunk b -> {
                int n = canonical(b.content(), null, false, b.last());
                out.writeCharSequence("BDAT " + n + (b.last() ? " LAST" : ""), StandardCharsets.US_ASCII);
                out.writeBytes(CRLF);
                canonical(b.content(), out, false, b.last());
                if (b.last()) {
                    newMessage();
                }
            }
            case CommandGroup g -> throw new IllegalArgumentException("a group inside a group");
        }
    }

    private void newMessage() {
        atLineStart = true;
        afterCr = false;
    }

    /**
     * Copies {@code in} (not consumed) with CRLF line ends, dot-stuffed if {@code stuff}, ended by a CRLF if
     * {@code last} and the text did not end a line; with {@code out} null only counts. Returns the octets.
     */
    private int canonical(ByteBuf in, ByteBuf out, boolean stuff, boolean last) {
        boolean lineStart = atLineStart;
        boolean cr = afterCr;
        int i = in.readerIndex();
        int end = in.writerIndex();
        int n = 0;
        while (i < end) {
            if (cr) {
                cr = false;
                if (in.getByte(i) == '\n') {
                    i++; // the LF of a CRLF whose CR ended the previous piece or line
                    continue;
                }
            }
            if (stuff && lineStart && in.getByte(i) == '.') {
                n++;
                if (out != null) {
                    out.writeByte('.');
                }
            }
            int lineEnd = in.forEachByte(i, end - i, NOT_LINE_END);
            int stop = lineEnd < 0 ? end : lineEnd;
            n += stop - i;
            if (out != null) {
                out.writeBytes(in, i, stop - i);
            }
            if (stop > i) {
                lineStart = false;
            }
            if (lineEnd < 0) {
                break;
            }
            n += 2;
            if (out != null) {
                out.writeBytes(CRLF);
            }
            lineStart = true;
            cr = in.getByte(lineEnd) == '\r';
            i = lineEnd + 1;
        }
        if (last && !lineStart) {
            n += 2;
            if (out != null) {
                out.writeBytes(CRLF);
            }
            lineStart = true;
        }
        if (out != null) {
            atLineStart = lineStart;
            afterCr = cr;
        }
        return n;
    }
}
