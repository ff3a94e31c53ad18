package dev.petrel.tls;

import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslHandler;
import io.netty.internal.tcnative.SSL;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.security.auth.x500.X500Principal;

/**
 * One connection's TLS facts, for log lines and {@code $tls_in_*} / {@code $tls_out_*}.
 *
 * @param protocol {@code TLS1.2} or {@code TLS1.3}
 * @param cipher OpenSSL's name, e.g. {@code TLS_AES_256_GCM_SHA384} or {@code ECDHE-RSA-AES256-GCM-SHA384}
 * @param bits symmetric key bits
 * @param resumed the handshake resumed a session
 * @param resumption the five {@link Resumption} bits
 * @param peerDn the peer certificate's subject (RFC 2253), or null when the peer sent none
 * @param certificateVerified the peer certificate was verified (Exim's {@code CV=yes})
 */
public record TlsSessionInfo(
        String protocol,
        String cipher,
        int bits,
        boolean resumed,
        int resumption,
        String peerDn,
        boolean certificateVerified) {

    /**
     * The server side's view of a finished handshake.
     *
     * <p>Bits: 0x01 always (resumption is built in); 0x02 and 0x04 from the ClientHello. 0x10 is
     * {@code SSL_session_reused} under BoringSSL, and the wire under JSSE (a TLS 1.3 ServerHello with
     * pre_shared_key, or a TLS 1.2 flight without Certificate). 0x08: for TLS 1.2 a NewSessionTicket seen in
     * clear in the server's flight (exact, and it covers renewals); for TLS 1.3, where tickets are encrypted,
     * the rule BoringSSL applies after every TLS 1.3 handshake: tickets go out iff the context issues them
     * (this peer matched {@code tls_resumption_hosts}) and the client's psk_key_exchange_modes include
     * psk_dhe_ke.
     *
     * @param ticketsEnabledForPeer whether the peer got the ticket-issuing context
     */
    public static TlsSessionInfo of(SslHandler handler, HelloInspector.Seen seen, boolean ticketsEnabledForPeer) {
        SSLEngine engine = handler.engine();
        String protocol = CipherNames.protocol(engine.getSession().getProtocol());
        String cipher = CipherNames.cipher(engine);
        HelloInspector.Seen s = seen == null ? HelloInspector.Seen.NOTHING : seen;
        boolean resumed = reused(engine, s.flight());
        int bits = Resumption.SUPPORTED;
        if (s.clientRequestedTicket()) {
            bits |= Resumption.CLIENT_REQUESTED;
        }
        if (s.clientOfferedSession()) {
            bits |= Resumption.CLIENT_OFFERED;
        }
        boolean ticket = protocol.equals("TLS1.3")
                ? ticketsEnabledForPeer && s.hello() != null && s.hello().pskDheKe()
                : s.flight().sentTicket();
        if (ticket) {
            bits |= Resumption.SERVER_TICKET;
        }
        if (resumed) {
            bits |= Resumption.RESUMED;
        }
        return new TlsSessionInfo(protocol, cipher, CipherNames.bits(cipher), resumed, bits, peerDn(engine), false);
    }

    /** {@code SSL_session_reused} where BoringSSL runs; the handshake bytes otherwise. */
    static boolean reused(SSLEngine engine, ServerFlightFacts flight) {
        if (engine instanceof ReferenceCountedOpenSslEngine e) {
            synchronized (e) {
                long ssl = e.sslPointer();
                if (ssl != 0) {
                    return SSL.isSessionReused(ssl);
                }
            }
        }
        return flight.resumedOnWire();
    }

    static String peerDn(SSLEngine engine) {
        try {
            Certificate[] chain = engine.getSession().getPeerCertificates();
            if (chain.length > 0 && chain[0] instanceof X509Certificate x) {
                return x.getSubjectX500Principal().getName(X500Principal.RFC2253);
            }
        } catch (SSLPeerUnverifiedException e) {
            // No certificate from the peer: the usual case for an SMTP client.
        }
        return null;
    }

    public TlsSessionInfo withVerification(boolean verified) {
        return new TlsSessionInfo(protocol, cipher, bits, resumed, resumption, peerDn, verified);
    }

    /** Exim's {@code X=} value, e.g. {@code TLS1.3:TLS_AES_256_GCM_SHA384:256}. */
    public String eximCipherField() {
        return eximCipherField(false);
    }

    /** As {@link #eximCipherField()}, with {@code *} appended on a resumed session when asked ({@code +tls_resumption}). */
    public String eximCipherField(boolean markResumed) {
        return protocol + ":" + cipher + ":" + bits + (markResumed && resumed ? "*" : "");
    }

    /** {@code _RESUME_DECODE} for this connection's bits. */
    public String resumptionText() {
        return Resumption.decode(resumption);
    }
}
