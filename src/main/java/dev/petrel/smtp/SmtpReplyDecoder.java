package dev.petrel.smtp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a server's replies, single or multi-line, into {@link Reply} values for an SMTP client. It only
 * decodes: what a reply means is the session's business.
 *
 * <p>Tolerant of what real servers send: a line ended by LF alone is a line end (old and embedded servers
 * send them, and a client has nothing to protect by refusing them); {@code 250}, {@code 250 } and
 * {@code 250-} carry empty text; text octets are read as UTF-8 (RFC 6531 servers may send it), anything
 * invalid replaced, and kept as sent otherwise, trailing spaces included.
 *
 * <p>Strict about what would let a server make the client misread the conversation or grow without bound: a
 * line without a 3-digit code from 200 to 599 followed by a space, a hyphen or the line end; a code that
 * changes inside one reply; a line over 512 octets with its CRLF (RFC 5321 4.5.3.1.5), which is refused as
 * soon as 512 octets arrive without a line end; a NUL; a reply of more than {@link #MAX_LINES} lines or
 * {@link #MAX_REPLY_OCTETS} octets; input that ends inside a reply. Each gives one {@link MalformedReply}
 * after which every further octet is dropped: the count of replies can no longer be trusted, so the only
 * safe thing left for the connection is to be closed. A reply that never comes at all is a timeout, which
 * belongs to the session.
 *
 * <p>After a {@code 220} to STARTTLS the session must call {@link #discardBuffered()} before any TLS handler
 * goes in, so that replies injected in cleartext behind the 220 are never read as if they came over TLS.
 */
public final class SmtpReplyDecoder extends ByteToMessageDecoder {
    /** RFC 5321 4.5.3.1.5: a reply line is at most 512 octets including CRLF. */
    public static final int MAX_REPLY_LINE = 512;
    /** Far above any real EHLO reply (about 20 lines); an endless continuation stops here. */
    public static final int MAX_LINES = 100;
    /** For a whole reply: real EHLO replies take well under 1 KiB. */
    public static final int MAX_REPLY_OCTETS = 16 * 1024;
    private static final int EXCERPT = 64;

    private final List<String> lines = new ArrayList<>();
    private int code;
    private int replyOctets;
    private boolean failed;

    /** Drops what is buffered, e.g. cleartext behind a STARTTLS reply; returns how many octets went. */
    public int discardBuffered() {
        int n = actualReadableBytes();
        internalBuffer().skipBytes(n);
        return n;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int start = in.readerIndex();
        int window = Math.min(in.readableBytes(), MAX_REPLY_LINE);
        int lf = in.indexOf(start, start + window, (byte) '\n');
        if (lf < 0) {
            if (window == MAX_REPLY_LINE) {
                fail(in, "reply line longer than " + MAX_REPLY_LINE + " octets", out);
            }
            return;
        }
        int end = lf > start && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
        if (end - start > MAX_REPLY_LINE - 2) {
            fail(in, "reply line longer than " + MAX_REPLY_LINE + " octets", out);
            return;
        }
        String problem = lineProblem(in, start, end);
        if (problem != null) {
            fail(in, problem, out);
            return;
        }
        int lineCode = (in.getByte(start) - '0') * 100 + (in.getByte(start + 1) - '0') * 10 + (in.getByte(start + 2) - '0');
        if (!lines.isEmpty() && lineCode != code) {
            fail(in, "reply code " + lineCode + " inside a " + code + " reply", out);
            return;
        }
        code = lineCode;
        lines.add(end - start > 4 ? in.toString(start + 4, end - start - 4, StandardCharsets.UTF_8) : "");
        replyOctets += lf + 1 - start;
        if (lines.size() > MAX_LINES || replyOctets > MAX_REPLY_OCTETS) {
            fail(in, "reply longer than " + MAX_LINES + " lines or " + MAX_REPLY_OCTETS + " octets", out);
            return;
        }
        boolean last = end - start == 3 || in.getByte(start + 3) == ' ';
        in.readerIndex(lf + 1);
        if (last) {
            out.add(new Reply(code, lines));
            lines.clear();
            replyOctets = 0;
        }
    }

    /** What makes the line from {@code start} to {@code end} (line end excluded) unreadable, or null. */
    private static String lineProblem(ByteBuf in, int start, int end) {
        if (end - start < 3 || !isDigit(in.getByte(start)) || !isDigit(in.getByte(start + 1))
                || !isDigit(in.getByte(start + 2))) {
            return "reply without a 3-digit code";
        }
        if (in.getByte(start) < '2' || in.getByte(start) > '5') {
            return "reply code outside 200-599";
        }
        if (end - start > 3 && in.getByte(start + 3) != ' ' && in.getByte(start + 3) != '-') {
            return "reply code not followed by a space or a hyphen";
        }
        if (in.indexOf(start, end, (byte) 0) >= 0) {
            return "NUL in a reply";
        }
        return null;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private void fail(ByteBuf in, String reason, List<Object> out) {
        failed = true;
        lines.clear();
        String received = in.toString(in.readerIndex(), Math.min(EXCERPT, in.readableBytes()), StandardCharsets.ISO_8859_1);
        in.skipBytes(in.readableBytes());
        out.add(new MalformedReply(reason, received));
    }

    /** The connection closed: what is left is a reply cut short. */
    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!failed && (in.isReadable() || !lines.isEmpty())) {
            fail(in, "connection closed inside a reply", out);
        }
    }
}
