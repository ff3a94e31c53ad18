package dev.petrel.tls;

/**
 * What the server's first flight shows in clear.
 *
 * @param protocol {@code TLS1.2} or {@code TLS1.3} as chosen in the ServerHello, or null if not seen yet
 * @param complete the clear part of the flight is over (TLS 1.3 ServerHello, or TLS 1.2 ChangeCipherSpec)
 * @param acceptedPsk a TLS 1.3 ServerHello carried pre_shared_key (41): the offered session was used
 * @param sentCertificate a TLS 1.2 Certificate message was sent: a full handshake
 * @param sentTicket a TLS 1.2 NewSessionTicket was sent (TLS 1.3 tickets are encrypted and not seen here)
 * @param ticketLifetimeHint that ticket's lifetime hint in seconds, or -1
 */
public record ServerFlightFacts(
        String protocol,
        boolean complete,
        boolean acceptedPsk,
        boolean sentCertificate,
        boolean sentTicket,
        long ticketLifetimeHint) {

    static final ServerFlightFacts NONE = new ServerFlightFacts(null, false, false, false, false, -1);

    public boolean tls13() {
        return "TLS1.3".equals(protocol);
    }

    /**
     * Whether the handshake was abbreviated, judged from the wire alone: TLS 1.3 accepted a PSK, or a
     * TLS 1.2 server went from ServerHello to ChangeCipherSpec without a certificate.
     */
    public boolean resumedOnWire() {
        return tls13() ? acceptedPsk : complete && "TLS1.2".equals(protocol) && !sentCertificate;
    }
}
