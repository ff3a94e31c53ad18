package dev.petrel.tls;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.internal.tcnative.SSL;
import java.time.Duration;

/**
 * Caps the life of the session a full handshake creates, before its tickets are made, at
 * {@code tls_ticket_lifetime}. (A ticket can still die sooner, with its key: see {@link TicketKeyRing}.)
 *
 * <p>Why here: BoringSSL gives a TLS 1.3 session its own 48-hour timeout ({@code session_psk_dhe_timeout},
 * which tcnative cannot set) and a 7-day cap on resumption chains, whatever the context's session timeout
 * says, and it advertises that timeout as the ticket lifetime hint. {@code SSL_SESSION_set_timeout} on the
 * session being negotiated sets both its timeout and that cap ({@code auth_timeout}); tickets then say the
 * truth, and every resumption's fresh ticket inherits the rest of the cap, so a chain of resumptions ends
 * {@code tls_ticket_lifetime} after its full handshake (RFC 8446 §4.6.1), in TLS 1.2 as in 1.3.
 *
 * <p>The session exists once the ClientHello has been processed, and its tickets are made when the client's
 * Finished is; the client cannot send that before it has the server's flight, so looking at every inbound
 * read, before the SslHandler does, finds the moment in between. Sits just in front of the SslHandler.
 */
final class SessionLifetime extends ChannelInboundHandlerAdapter {
    private final ReferenceCountedOpenSslEngine engine;
    /** Whole seconds, BoringSSL's unit; at least 1, as 0 is refused. */
    private final long seconds;

    SessionLifetime(ReferenceCountedOpenSslEngine engine, Duration lifetime) {
        this.engine = engine;
        this.seconds = Math.max(1, lifetime.toSeconds());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (capped()) {
            ctx.pipeline().remove(this);
        }
        ctx.fireChannelRead(msg);
    }

    /** True once there is nothing more to do: the session was capped, or it is a resumed one. */
    private boolean capped() {
        synchronized (engine) {
            long ssl = engine.sslPointer();
            if (ssl == 0) {
                return true; // engine freed: the connection is over
            }
            long session = SSL.getSession(ssl);
            if (session == 0 || session == -1) {
                return false; // no ClientHello processed yet (tcnative says -1 for "none")
            }
            if (!SSL.isSessionReused(ssl)) {
                SSL.setTimeout(ssl, seconds);
            }
            // A resumed session keeps what its first handshake was given: BoringSSL rebases the cap itself.
            return true;
        }
    }
}
