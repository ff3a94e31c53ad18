package dev.petrel.tls;

import io.netty.buffer.ByteBuf;

/**
 * Follows the TLS record layer of one direction of a connection without consuming it, and reassembles the
 * handshake messages carried in clear. Bodies are kept only for the message types the reader asks for
 * (a certificate chain is counted past, not copied).
 */
final class HandshakeStream {
    static final int CHANGE_CIPHER_SPEC = 20;
    static final int ALERT = 21;
    static final int HANDSHAKE = 22;
    static final int APPLICATION_DATA = 23;

    private static final int MAX_RECORD = 16384 + 2048;
    private static final int MAX_KEPT_BODY = 1 << 16;

    /** Thrown when the bytes are not TLS records; the inspector then stops looking. */
    static final class NotTls extends Exception {
        NotTls(String why) {
            super(why, null, false, false);
        }
    }

    interface Reader {
        /** A record header has been read; return false to stop following the stream. */
        boolean record(int contentType);

        /** Whether the body of a handshake message of this type is wanted. */
        boolean wants(int handshakeType);

        /** A complete handshake message; body is null when it was not wanted. Return false to stop. */
        boolean message(int handshakeType, byte[] body) throws NotTls;
    }

    private final Reader reader;
    private final byte[] recordHeader = new byte[5];
    private int recordHeaderLength;
    private int recordType;
    private int recordRemaining;

    private final byte[] messageHeader = new byte[4];
    private int messageHeaderLength;
    private int messageType;
    private int messageRemaining;
    private byte[] body;
    private int bodyLength;

    private boolean stopped;

    HandshakeStream(Reader reader) {
        this.reader = reader;
    }

    boolean stopped() {
        return stopped;
    }

    /** Reads the readable bytes of {@code buf} without moving its indexes. */
    void feed(ByteBuf buf) throws NotTls {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end && !stopped) {
            if (recordRemaining == 0) {
                recordHeader[recordHeaderLength++] = buf.getByte(i++);
                if (recordHeaderLength == recordHeader.length) {
                    startRecord();
                }
                continue;
            }
            int n = Math.min(recordRemaining, end - i);
            if (recordType == HANDSHAKE) {
                handshakeBytes(buf, i, n);
            }
            i += n;
            recordRemaining -= n;
        }
    }

    private void startRecord() throws NotTls {
        recordHeaderLength = 0;
        recordType = recordHeader[0] & 0xff;
        int major = recordHeader[1] & 0xff;
        int length = ((recordHeader[3] & 0xff) << 8) | (recordHeader[4] & 0xff);
        if (recordType < CHANGE_CIPHER_SPEC || recordType > APPLICATION_DATA || major != 3) {
            throw new NotTls("not a TLS record");
        }
        if (length == 0 || length > MAX_RECORD) {
            throw new NotTls("bad TLS record length " + length);
        }
        if (recordType != HANDSHAKE && (messageHeaderLength != 0 || messageRemaining != 0)) {
            // RFC 8446 5.1: handshake messages must not be interleaved with other record types.
            throw new NotTls("handshake message interrupted by another record type");
        }
        recordRemaining = length;
        if (!reader.record(recordType)) {
            stopped = true;
        }
    }

    private void handshakeBytes(ByteBuf buf, int from, int n) throws NotTls {
        int i = from;
        int end = from + n;
        while (i < end && !stopped) {
            if (messageRemaining == 0 && body == null) {
                messageHeader[messageHeaderLength++] = buf.getByte(i++);
                if (messageHeaderLength == messageHeader.length) {
                    startMessage();
                }
                continue;
            }
            int take = Math.min(messageRemaining, end - i);
            if (body != null) {
                buf.getBytes(i, body, bodyLength, take);
                bodyLength += take;
            }
            i += take;
            messageRemaining -= take;
            if (messageRemaining == 0) {
                endMessage();
            }
        }
    }

    private void startMessage() throws NotTls {
        messageHeaderLength = 0;
        messageType = messageHeader[0] & 0xff;
        messageRemaining = ((messageHeader[1] & 0xff) << 16) | ((messageHeader[2] & 0xff) << 8)
                | (messageHeader[3] & 0xff);
        if (reader.wants(messageType)) {
            if (messageRemaining > MAX_KEPT_BODY) {
                throw new NotTls("handshake message too long");
            }
            body = new byte[messageRemaining];
            bodyLength = 0;
        }
        if (messageRemaining == 0) {
            endMessage();
        }
    }

    private void endMessage() throws NotTls {
        byte[] done = body;
        body = null;
        if (!reader.message(messageType, done)) {
            stopped = true;
        }
    }
}
