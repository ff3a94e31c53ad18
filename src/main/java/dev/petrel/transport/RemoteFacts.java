package dev.petrel.transport;

import dev.petrel.tls.TlsSessionInfo;

import java.time.Duration;

/**
 * What the log says about the host a remote delivery talked to.
 *
 * @param host the host's name as routing found it
 * @param address its IP address, as text
 * @param port the port connected to
 * @param tls the session's TLS facts, null in cleartext
 * @param certificateVerified Exim's {@code CV=}; on a resumed session, the original session's
 * @param pipelined the transaction was pipelined (Exim's {@code L})
 * @param earlyPipelined the connection used early pipelining, PIPECONNECT (Exim's {@code L*})
 * @param chunked the message went with BDAT (Exim's {@code K})
 * @param reply the server's reply that decided this recipient ({@code C=} on delivery), null when none
 * @param dsnOffered the server offered DSN, so delivery notifications are its business from here (RFC 3461 4.2)
 * @param fastOpen Exim's {@code TFO} ({@code TFO*}: the SYN's data was acknowledged), null when TCP Fast Open
 *                 was not used
 * @param deliveryTime from the start of the connect to the reply that settled the message (Exim's {@code DT=}),
 *                     null when not measured
 * @param continued the message went down a connection an earlier message had opened (Exim's {@code *} after
 *     the host); such a connection never reports TLS resumption, TFO or early pipelining, which belong to the
 *     first message
 */
public record RemoteFacts(String host, String address, int port, TlsSessionInfo tls, boolean certificateVerified,
                          boolean pipelined, boolean earlyPipelined, boolean chunked, String reply,
                          boolean dsnOffered, String fastOpen, Duration deliveryTime, boolean continued) {

    /**
     * Exim's {@code H=name [ip]} for a remote host, with {@code :port} under {@code +outgoing_port}: the one
     * spelling of it, for the delivery lines and the transport's per-host lines alike.
     */
    public static String hostField(String host, String address, int port, boolean withPort) {
        return "H=" + host + " [" + address + "]" + (withPort ? ":" + port : "");
    }

    public RemoteFacts withReply(String text) {
        return new RemoteFacts(host, address, port, tls, certificateVerified, pipelined, earlyPipelined, chunked, text,
                dsnOffered, fastOpen, deliveryTime, continued);
    }

    public RemoteFacts withDeliveryTime(Duration time) {
        return new RemoteFacts(host, address, port, tls, certificateVerified, pipelined, earlyPipelined, chunked, reply,
                dsnOffered, fastOpen, time, continued);
    }

    /** The same facts for a later message on the connection: no resumption, TFO or early pipelining for it. */
    public RemoteFacts asContinued() {
        TlsSessionInfo plain = tls == null ? null : new TlsSessionInfo(tls.protocol(), tls.cipher(), tls.bits(), false,
                0, tls.peerDn(), tls.certificateVerified());
        return new RemoteFacts(host, address, port, plain, certificateVerified, pipelined, false, chunked, reply,
                dsnOffered, null, deliveryTime, true);
    }
}
