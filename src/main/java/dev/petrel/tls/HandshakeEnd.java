package dev.petrel.tls;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.internal.tcnative.Buffer;
import io.netty.internal.tcnative.SSL;
import java.nio.ByteBuffer;

/**
 * The end of a server handshake, either way. Sits behind the SslHandler until the handshake is over.
 *
 * <p>Success: TLS 1.3 session tickets leave at once. BoringSSL keeps them until the server's next write (so
 * that a client that never reads cannot block the server), and after STARTTLS the server writes nothing until
 * the client speaks: a client that reads first, or leaves, would get no ticket. BoringSSL's documented
 * remedy is a zero-byte write, which puts the pending tickets into the network buffer; an empty write through
 * the SslHandler then carries them to the socket.
 *
 * <p>A client that stops sending mid-handshake can never finish it: the connection is closed, and the
 * SslHandler reports the handshake as failed by that close (instead of the session taking it for a client
 * that half-closed after its last command).
 */
final class HandshakeEnd extends ChannelInboundHandlerAdapter {
    /** tcnative refuses a null address, even for zero bytes; nothing is ever read from or written to it. */
    private static final ByteBuffer ANY = ByteBuffer.allocateDirect(1);

    /** The engine whose TLS 1.3 tickets to send; null when this connection gets none. */
    private final ReferenceCountedOpenSslEngine ticketing;

    HandshakeEnd(ReferenceCountedOpenSslEngine ticketing) {
        this.ticketing = ticketing;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent) {
            ctx.close();
            return;
        }
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess() && ticketing != null && "TLSv1.3".equals(ticketing.getSession().getProtocol())
                    && zeroByteWrite()) {
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER);
            }
            ctx.pipeline().remove(this);
        }
        ctx.fireUserEventTriggered(evt);
    }

    private boolean zeroByteWrite() {
        synchronized (ticketing) {
            long ssl = ticketing.sslPointer();
            if (ssl == 0) {
                return false;
            }
            SSL.writeToSSL(ssl, Buffer.address(ANY), 0);
            return true;
        }
    }
}
