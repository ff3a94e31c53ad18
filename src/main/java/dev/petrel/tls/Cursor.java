package dev.petrel.tls;

/** Bounds-checked reading of TLS structures; running off the end is a {@link HandshakeStream.NotTls}. */
final class Cursor {
    private final byte[] data;
    private int pos;
    private final int end;

    Cursor(byte[] data) {
        this(data, 0, data.length);
    }

    private Cursor(byte[] data, int from, int end) {
        this.data = data;
        this.pos = from;
        this.end = end;
    }

    int remaining() {
        return end - pos;
    }

    private void need(int n) throws HandshakeStream.NotTls {
        if (n < 0 || n > remaining()) {
            throw new HandshakeStream.NotTls("truncated handshake message");
        }
    }

    int u8() throws HandshakeStream.NotTls {
        need(1);
        return data[pos++] & 0xff;
    }

    int u16() throws HandshakeStream.NotTls {
        need(2);
        int v = ((data[pos] & 0xff) << 8) | (data[pos + 1] & 0xff);
        pos += 2;
        return v;
    }

    long u32() throws HandshakeStream.NotTls {
        need(4);
        long v = ((long) (data[pos] & 0xff) << 24) | ((data[pos + 1] & 0xff) << 16) | ((data[pos + 2] & 0xff) << 8)
                | (data[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    void skip(int n) throws HandshakeStream.NotTls {
        need(n);
        pos += n;
    }

    byte[] bytes(int n) throws HandshakeStream.NotTls {
        need(n);
        byte[] out = java.util.Arrays.copyOfRange(data, pos, pos + n);
        pos += n;
        return out;
    }

    Cursor sub(int n) throws HandshakeStream.NotTls {
        need(n);
        Cursor c = new Cursor(data, pos, pos + n);
        pos += n;
        return c;
    }
}
