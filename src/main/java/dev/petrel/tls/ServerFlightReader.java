package dev.petrel.tls;

import java.util.Arrays;
import java.util.HexFormat;

/** Reads the clear part of a server's handshake flight into {@link ServerFlightFacts}. */
final class ServerFlightReader implements HandshakeStream.Reader {
    private static final int SERVER_HELLO = 2;
    private static final int NEW_SESSION_TICKET = 4;
    private static final int CERTIFICATE = 11;
    private static final int EXT_PRE_SHARED_KEY = 41;
    private static final int EXT_SUPPORTED_VERSIONS = 43;
    private static final int TLS13 = 0x0304;
    /** RFC 8446 4.1.3: a ServerHello with this random is a HelloRetryRequest. */
    private static final byte[] HELLO_RETRY_RANDOM = HexFormat.of().parseHex(
            "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");

    private ServerFlightFacts facts = ServerFlightFacts.NONE;

    ServerFlightFacts facts() {
        return facts;
    }

    @Override
    public boolean record(int contentType) {
        if (contentType == HandshakeStream.CHANGE_CIPHER_SPEC && "TLS1.2".equals(facts.protocol())) {
            facts = with(facts.protocol(), true, facts.sentTicket(), facts.ticketLifetimeHint());
            return false;
        }
        // Encrypted records or an alert: nothing more is in clear.
        return contentType != HandshakeStream.APPLICATION_DATA && contentType != HandshakeStream.ALERT;
    }

    @Override
    public boolean wants(int handshakeType) {
        return handshakeType == SERVER_HELLO || handshakeType == NEW_SESSION_TICKET;
    }

    @Override
    public boolean message(int handshakeType, byte[] body) throws HandshakeStream.NotTls {
        switch (handshakeType) {
            case SERVER_HELLO -> {
                return serverHello(body);
            }
            case CERTIFICATE -> facts = new ServerFlightFacts(facts.protocol(), facts.complete(), facts.acceptedPsk(),
                    true, facts.sentTicket(), facts.ticketLifetimeHint());
            case NEW_SESSION_TICKET -> {
                long hint = new Cursor(body).u32();
                facts = with(facts.protocol(), facts.complete(), true, hint);
            }
            default -> { }
        }
        return true;
    }

    private boolean serverHello(byte[] body) throws HandshakeStream.NotTls {
        Cursor c = new Cursor(body);
        c.skip(2);
        byte[] random = c.bytes(32);
        c.skip(c.u8());
        c.skip(2 + 1);
        boolean tls13 = false;
        boolean psk = false;
        if (c.remaining() > 0) {
            Cursor exts = c.sub(c.u16());
            while (exts.remaining() > 0) {
                int type = exts.u16();
                Cursor data = exts.sub(exts.u16());
                if (type == EXT_SUPPORTED_VERSIONS) {
                    tls13 = data.u16() == TLS13;
                } else if (type == EXT_PRE_SHARED_KEY) {
                    psk = true;
                }
            }
        }
        if (Arrays.equals(random, HELLO_RETRY_RANDOM)) {
            // A HelloRetryRequest: the real ServerHello, which may accept a PSK, is still to come.
            facts = new ServerFlightFacts("TLS1.3", false, false, false, false, -1);
            return true;
        }
        if (tls13) {
            facts = new ServerFlightFacts("TLS1.3", true, psk, false, false, -1);
            return false;
        }
        facts = new ServerFlightFacts("TLS1.2", false, false, false, false, -1);
        return true;
    }

    private ServerFlightFacts with(String protocol, boolean complete, boolean ticket, long hint) {
        return new ServerFlightFacts(protocol, complete, facts.acceptedPsk(), facts.sentCertificate(), ticket, hint);
    }
}
