package dev.petrel.tls;

import java.util.Arrays;
import java.util.List;

/**
 * The five {@code $tls_in_resumption} / {@code $tls_out_resumption} bits and Exim's {@code _RESUME_DECODE}
 * text for them (docs/behaviour.md, "The five resumption bits" and "_RESUME_DECODE").
 */
public final class Resumption {
    /** Resumption support is built in (and, on the client, enabled for this host). */
    public static final int SUPPORTED = 0x01;
    /** The client asked for a ticket: session_ticket (TLS 1.2) or psk_key_exchange_modes (TLS 1.3). */
    public static final int CLIENT_REQUESTED = 0x02;
    /** The client offered a session: a non-empty session_ticket or a pre_shared_key. */
    public static final int CLIENT_OFFERED = 0x04;
    /** The server sent a NewSessionTicket on this connection. */
    public static final int SERVER_TICKET = 0x08;
    /** The handshake was abbreviated: the offered session was used. */
    public static final int RESUMED = 0x10;

    /**
     * Exim's {@code _RESUME_DECODE}, verbatim. Exim builds its macros from this very string and operators
     * index it with {@code listextract}, so the text is kept as given rather than as a prettier table.
     */
    public static final String RESUME_DECODE = "not requested or offered: 0x02 :client requested, no server ticket: "
            + "0x04 : 0x05 : 0x06 :client offered session, no server action: 0x08 :no client request: 0x0A :"
            + "client requested new ticket, server provided: 0x0C :client offered session, not used: 0x0E :"
            + "client offered session, server only provided new ticket: 0x10 :session resumed unasked: 0x12 :"
            + "session resumed unasked: 0x14 : 0x15: 0x16 :session resumed: 0x18 :session resumed unasked: 0x1A :"
            + "session resumed unasked: 0x1C :session resumed: 0x1E :session resumed, also new ticket";

    // The list has no doubled colons, so a plain split is Exim's list parsing; items are trimmed as Exim does.
    private static final List<String> ITEMS =
            Arrays.stream(RESUME_DECODE.split(":", -1)).map(String::strip).toList();

    private Resumption() {}

    /**
     * {@code ${listextract{BITS}{_RESUME_DECODE}}}: item number {@code bits} counting from one. Zero (no
     * resumption support at all) is out of range for listextract, whose result is then empty.
     */
    public static String decode(int bits) {
        if (bits < 1 || bits > ITEMS.size()) {
            return "";
        }
        return ITEMS.get(bits - 1);
    }

    /** The number of items in {@link #RESUME_DECODE}: 31, one per non-zero value of the five bits. */
    static int items() {
        return ITEMS.size();
    }
}
