package dev.petrel.tls;

import java.nio.charset.StandardCharsets;

/** Reads the first ClientHello of a connection into {@link ClientHelloFacts}. */
final class ClientHelloReader implements HandshakeStream.Reader {
    private static final int CLIENT_HELLO = 1;
    private static final int EXT_SERVER_NAME = 0;
    private static final int EXT_SESSION_TICKET = 35;
    private static final int EXT_PRE_SHARED_KEY = 41;
    private static final int EXT_PSK_MODES = 45;
    private static final int PSK_DHE_KE = 1;

    private ClientHelloFacts facts;

    /** The facts, or null until a whole ClientHello has been read. */
    ClientHelloFacts facts() {
        return facts;
    }

    @Override
    public boolean record(int contentType) {
        return true;
    }

    @Override
    public boolean wants(int handshakeType) {
        return handshakeType == CLIENT_HELLO;
    }

    @Override
    public boolean message(int handshakeType, byte[] body) throws HandshakeStream.NotTls {
        if (handshakeType != CLIENT_HELLO) {
            throw new HandshakeStream.NotTls("first handshake message is not a ClientHello");
        }
        facts = parse(body);
        return false;
    }

    static ClientHelloFacts parse(byte[] body) throws HandshakeStream.NotTls {
        Cursor c = new Cursor(body);
        c.skip(2 + 32);
        c.skip(c.u8());
        c.skip(c.u16());
        c.skip(c.u8());
        boolean ticket = false;
        boolean ticketNonEmpty = false;
        boolean psk = false;
        boolean modes = false;
        boolean dheKe = false;
        String sni = null;
        if (c.remaining() > 0) {
            Cursor exts = c.sub(c.u16());
            while (exts.remaining() > 0) {
                int type = exts.u16();
                Cursor data = exts.sub(exts.u16());
                switch (type) {
                    case EXT_SESSION_TICKET -> {
                        ticket = true;
                        ticketNonEmpty = data.remaining() > 0;
                    }
                    case EXT_PRE_SHARED_KEY -> psk = true;
                    case EXT_PSK_MODES -> {
                        modes = true;
                        Cursor list = data.sub(data.u8());
                        while (list.remaining() > 0) {
                            dheKe |= list.u8() == PSK_DHE_KE;
                        }
                    }
                    case EXT_SERVER_NAME -> sni = serverName(data);
                    default -> { }
                }
            }
        }
        return new ClientHelloFacts(ticket, ticketNonEmpty, psk, modes, dheKe, sni);
    }

    private static String serverName(Cursor data) throws HandshakeStream.NotTls {
        Cursor list = data.sub(data.u16());
        while (list.remaining() > 0) {
            int type = list.u8();
            byte[] name = list.bytes(list.u16());
            if (type == 0) {
                return new String(name, StandardCharsets.US_ASCII);
            }
        }
        return null;
    }
}
