package dev.petrel.server;

import dev.petrel.tls.ServerTls;
import dev.petrel.tls.TlsSessionInfo;
import io.netty.channel.ChannelHandlerContext;

import java.net.InetAddress;

/** TLS on one inbound connection: not offered, not started, handshaking (STARTTLS or tls_on_connect), up. */
final class SessionTls {
    /** Null when TLS is not configured. */
    private final ServerTls server;
    /** The handlers once STARTTLS was accepted or on a tls_on_connect port; null in cleartext. */
    private ServerTls.Handlers handlers;
    private boolean implicit;
    private boolean up;
    /** The handshake's facts, read once the server's whole flight (tickets included) has gone out. */
    private TlsSessionInfo info;

    SessionTls(ServerTls server) {
        this.server = server;
    }

    /** STARTTLS can be offered: TLS is configured and not already started. */
    boolean available() {
        return server != null && handlers == null;
    }

    /** TLS has started (the handshake may not be finished). */
    boolean started() {
        return handlers != null;
    }

    /** Puts the TLS handlers first in the pipeline; {@code implicit} on a tls_on_connect port. */
    void start(ChannelHandlerContext ctx, InetAddress client, boolean implicit) {
        this.implicit = implicit;
        handlers = server.newHandlers(ctx.alloc(), client);
        handlers.addFirst(ctx.pipeline());
    }

    boolean implicit() {
        return implicit;
    }

    /** How TLS was started, as Exim names it in a TLS error. */
    String how() {
        return implicit ? "tls_on_connect" : "STARTTLS";
    }

    void handshakeSucceeded() {
        up = true;
    }

    boolean up() {
        return up;
    }

    /** The client spoke after the handshake: whatever the server sent with it has left, tickets included. */
    void settle() {
        if (up && info == null) {
            info = handlers.info();
        }
    }

    /** The handshake's facts once settled, null in cleartext. */
    TlsSessionInfo info() {
        return info;
    }
}
