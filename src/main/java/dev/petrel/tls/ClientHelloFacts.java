package dev.petrel.tls;

/**
 * What a ClientHello says about session resumption, read off the wire.
 *
 * @param sessionTicket the session_ticket extension (35) is present: the client takes TLS 1.2 tickets
 * @param sessionTicketNonEmpty ... and carries a ticket: the client offers a TLS 1.2 session
 * @param preSharedKey the pre_shared_key extension (41) is present: the client offers a TLS 1.3 session
 * @param pskModes psk_key_exchange_modes (45) is present: the client can take TLS 1.3 tickets
 * @param pskDheKe those modes include psk_dhe_ke, the only one BoringSSL (and JSSE) issue tickets for
 * @param serverName the server_name (SNI) host name, or null
 */
public record ClientHelloFacts(
        boolean sessionTicket,
        boolean sessionTicketNonEmpty,
        boolean preSharedKey,
        boolean pskModes,
        boolean pskDheKe,
        String serverName) {

    /** Bit 0x02: the client asked for a ticket, in either protocol version. */
    public boolean requestedTicket() {
        return sessionTicket || pskModes;
    }

    /** Bit 0x04: the client offered a session to resume. */
    public boolean offeredSession() {
        return sessionTicketNonEmpty || preSharedKey;
    }
}
