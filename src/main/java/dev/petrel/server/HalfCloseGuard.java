package dev.petrel.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;

/**
 * Exim and others shut down their sending side right after a pipelined QUIT. The end of input must not
 * reach the decoder, which would drop input it is holding back while a message is being spooled; the
 * session is told instead, and closes once it has answered everything.
 */
final class HalfCloseGuard extends ChannelInboundHandlerAdapter {
    private final SmtpSession session;

    HalfCloseGuard(SmtpSession session) {
        this.session = session;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            session.inputShutdown();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
