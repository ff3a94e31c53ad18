package dev.petrel.smtp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ByteProcessor;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;

/**
 * Splits SMTP input into command lines, DATA content and BDAT chunks. It only decodes: the session tells it
 * which of the three to expect next ({@link #expectData}, {@link #expectChunk}), and can {@link #pause} it
 * while a reply is outstanding so that pipelined input waits, in order, in the buffer.
 *
 * <p>DATA ends only at CRLF "." CRLF. A bare LF is never a line end, so none of {@code \n.\n},
 * {@code \r\n.\n} or {@code \n.\r\n} end a message; they are recorded as flaws and the message is refused
 * after its real end, leaving no way to smuggle a second transaction inside the first.
 */
public final class SmtpInboundDecoder extends ByteToMessageDecoder {
    /** RFC 5321 4.5.3.1.4: a command line is at most 512 octets including CRLF. */
    public static final int MAX_COMMAND_LINE = 512;
    /** RFC 5321 4.5.3.1.6: a text line is at most 1000 octets including CRLF. */
    public static final int MAX_TEXT_LINE = 998;
    /**
     * While paused, input keeps being read (toggling reads costs two epoll_ctl calls a message); past this much
     * the decoder stops reading until it is resumed, so a client that floods during a pause costs no memory.
     */
    static final int PAUSED_BUFFER_LIMIT = 256 * 1024;

    /** Octets with no meaning to the DATA scanner wherever they appear in a line. */
    private static final ByteProcessor ORDINARY = b -> b != '\r' && b != '\n' && b != 0;

    private enum Mode { COMMAND, DISCARD_LINE, DATA, CHUNK }

    private Mode mode = Mode.COMMAND;
    private boolean paused;
    private String discardedLineStart;

    // DATA state, carried across reads.
    private boolean atLineStart;
    private int lineLength;
    private EnumSet<DataFlaw> flaws = EnumSet.noneOf(DataFlaw.class);

    private long chunkRemaining;
    /** Command lines decoded so far: receive deadlines tell a new line from the rest of an old one by it. */
    private long commandLines;

    /** What the input is in the middle of, as receive deadlines see it. */
    public enum Position {
        /** Nothing of the next command line has arrived. */
        BETWEEN_COMMANDS,
        /** Part of a command line has arrived (or an over-long one is being skipped). */
        IN_COMMAND_LINE,
        /** DATA text or a BDAT chunk is being read. */
        IN_CONTENT
    }

    /** After a 354: what follows is message text up to CRLF.CRLF. */
    public void expectData() {
        mode = Mode.DATA;
        atLineStart = true;
        lineLength = 0;
        flaws = EnumSet.noneOf(DataFlaw.class);
    }

    /** After a BDAT command, accepted or not: exactly {@code octets} of content follow. */
    public void expectChunk(long octets) {
        if (octets <= 0) {
            throw new IllegalArgumentException("an empty chunk has no content to read");
        }
        mode = Mode.CHUNK;
        chunkRemaining = octets;
    }

    public void pause() {
        paused = true;
    }

    public void resume() {
        paused = false;
    }

    public boolean paused() {
        return paused;
    }

    public Position position() {
        return switch (mode) {
            case DATA, CHUNK -> Position.IN_CONTENT;
            case DISCARD_LINE -> Position.IN_COMMAND_LINE;
            case COMMAND -> actualReadableBytes() > 0 ? Position.IN_COMMAND_LINE : Position.BETWEEN_COMMANDS;
        };
    }

    public long commandLines() {
        return commandLines;
    }

    /** Whether input is already waiting behind what was decoded so far (the RFC 2920 synchronisation test). */
    public boolean hasBufferedInput() {
        return actualReadableBytes() > 0;
    }

    /** Up to {@code max} buffered octets, for log lines; not consumed. */
    public String peekBuffered(int max) {
        ByteBuf buffered = internalBuffer();
        int n = Math.min(max, buffered.readableBytes());
        return buffered.toString(buffered.readerIndex(), n, StandardCharsets.ISO_8859_1);
    }

    /** Drops everything buffered: after STARTTLS, cleartext sent ahead must never be read as commands. */
    public int discardBuffered() {
        ByteBuf buffered = internalBuffer();
        int n = buffered.readableBytes();
        buffered.skipBytes(n);
        return n;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (paused) {
            if (in.readableBytes() > PAUSED_BUFFER_LIMIT && ctx.channel().config().isAutoRead()) {
                ctx.channel().config().setAutoRead(false);
            }
            return;
        }
        switch (mode) {
            case COMMAND -> decodeCommand(in, out);
            case DISCARD_LINE -> discardLine(in, out);
            case DATA -> decodeData(in, out);
            case CHUNK -> decodeChunk(in, out);
        }
    }

    private void decodeCommand(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int lf = in.indexOf(start, in.writerIndex(), (byte) '\n');
        if (lf < 0) {
            if (in.readableBytes() >= MAX_COMMAND_LINE) {
                // No line end in sight: keep only the start for the log, drop the rest as it comes.
                discardedLineStart = in.toString(start, 64, StandardCharsets.UTF_8);
                in.skipBytes(in.readableBytes());
                mode = Mode.DISCARD_LINE;
            }
            return;
        }
        if (lf + 1 - start > MAX_COMMAND_LINE) {
            String lineStart = in.toString(start, 64, StandardCharsets.UTF_8);
            in.readerIndex(lf + 1);
            commandLines++;
            out.add(new InboundEvent.CommandLine(lineStart, true, false));
            return;
        }
        boolean crlf = lf > start && in.getByte(lf - 1) == '\r';
        int end = crlf ? lf - 1 : lf;
        String text = in.toString(start, end - start, StandardCharsets.UTF_8);
        in.readerIndex(lf + 1);
        commandLines++;
        out.add(new InboundEvent.CommandLine(text, false, !crlf));
    }

    private void discardLine(ByteBuf in, List<Object> out) {
        int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
        if (lf < 0) {
            in.skipBytes(in.readableBytes());
            return;
        }
        in.readerIndex(lf + 1);
        mode = Mode.COMMAND;
        commandLines++;
        out.add(new InboundEvent.CommandLine(discardedLineStart, true, false));
    }

    private void decodeChunk(ByteBuf in, List<Object> out) {
        int n = (int) Math.min(in.readableBytes(), chunkRemaining);
        if (n > 0) {
            out.add(new InboundEvent.Content(in.readRetainedSlice(n)));
            chunkRemaining -= n;
        }
        if (chunkRemaining == 0) {
            mode = Mode.COMMAND;
            out.add(new InboundEvent.ChunkEnd());
        }
    }

    /**
     * Scans message text, emitting the content before each dot to be unstuffed, and the end of data. Stops
     * before a CR or a line-start dot whose meaning depends on octets not yet received.
     */
    private void decodeData(ByteBuf in, List<Object> out) {
        int segment = in.readerIndex();
        int i = segment;
        int limit = in.writerIndex();
        while (i < limit) {
            if (!atLineStart) {
                // Most of a message is ordinary octets in mid-line: skip them in one bulk scan.
                int special = in.forEachByte(i, limit - i, ORDINARY);
                int end = special < 0 ? limit : special;
                lineLength += end - i;
                if (lineLength > MAX_TEXT_LINE) {
                    flaws.add(DataFlaw.LINE_TOO_LONG);
                }
                i = end;
                if (i >= limit) {
                    break;
                }
            }
            byte b = in.getByte(i);
            if (atLineStart && b == '.') {
                if (i + 1 >= limit || (in.getByte(i + 1) == '\r' && i + 2 >= limit)) {
                    break; // cannot tell end of data from a stuffed dot yet
                }
                if (in.getByte(i + 1) == '\r' && in.getByte(i + 2) == '\n') {
                    emit(in, segment, i, out);
                    in.readerIndex(i + 3);
                    mode = Mode.COMMAND;
                    out.add(new InboundEvent.DataEnd(flaws.isEmpty() ? java.util.Set.of() : EnumSet.copyOf(flaws)));
                    return;
                }
                emit(in, segment, i, out); // the stuffed dot itself is dropped
                segment = i + 1;
                atLineStart = false;
                lineLength = 1;
                i++;
                continue;
            }
            if (b == '\r') {
                if (i + 1 >= limit) {
                    break;
                }
                if (in.getByte(i + 1) == '\n') {
                    i += 2;
                    atLineStart = true;
                    lineLength = 0;
                    continue;
                }
                flaws.add(DataFlaw.BARE_CR);
            } else if (b == '\n') {
                flaws.add(DataFlaw.BARE_LF);
            } else if (b == 0) {
                flaws.add(DataFlaw.NUL);
            }
            atLineStart = false;
            if (++lineLength > MAX_TEXT_LINE) {
                flaws.add(DataFlaw.LINE_TOO_LONG);
            }
            i++;
        }
        emit(in, segment, i, out);
        in.readerIndex(i);
    }

    private static void emit(ByteBuf in, int from, int to, List<Object> out) {
        if (to > from) {
            out.add(new InboundEvent.Content(in.retainedSlice(from, to - from)));
        }
    }
}
