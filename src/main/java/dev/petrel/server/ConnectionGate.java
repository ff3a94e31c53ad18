package dev.petrel.server;

import dev.petrel.config.MainConfig;
import dev.petrel.log.MainLog;
import dev.petrel.smtp.Reply;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * First in every connection's pipeline: takes a slot from {@link ConnectionLimits} before the session hears of the
 * connection, or turns it away with Exim's 421 and log line. The slot is given back when the socket closes.
 *
 * <p>The loops see a close or reset only when they next poll the socket, so a client that has just closed or reset
 * many connections would find them still counted. A connection the counts would refuse is therefore held, unread,
 * until every loop has caught up ({@link ConnectionLimits#settle}), and only refused if it still does not fit.
 */
final class ConnectionGate extends ChannelInboundHandlerAdapter {
    private final ConnectionLimits limits;
    private final MainConfig config;
    private final MainLog log;
    /** Not yet admitted, or refused: the session behind must hear nothing. */
    private boolean shut = true;

    ConnectionGate(ConnectionLimits limits, MainConfig config, MainLog log) {
        this.limits = limits;
        this.config = config;
        this.log = log;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        InetAddress address = remote.getAddress();
        boolean reserveHost = limits.reserveInUse() && config.smtpReserveHosts().matches(address);
        ConnectionLimits.Decision decision = limits.admit(address, reserveHost);
        if (decision.admitted()) {
            admit(ctx, remote, decision);
            return;
        }
        ctx.channel().config().setAutoRead(false);
        limits.settle(ctx.executor()).addListener(settled -> {
            if (!ctx.channel().isActive()) {
                return;
            }
            ConnectionLimits.Decision again = limits.admit(address, reserveHost);
            if (again.admitted()) {
                admit(ctx, remote, again);
                ctx.channel().config().setAutoRead(true);
            } else {
                refuse(ctx, remote, again);
            }
        });
    }

    private void admit(ChannelHandlerContext ctx, InetSocketAddress remote, ConnectionLimits.Decision decision) {
        shut = false;
        ctx.channel().closeFuture().addListener(closed -> limits.release(remote.getAddress()));
        if (log.selected("smtp_connection")) {
            log.main("SMTP connection from " + bracket(remote) + ":" + remote.getPort()
                    + " (TCP/IP connection count = " + decision.connected() + ")");
        }
        ctx.fireChannelActive();
        ctx.pipeline().remove(this);
    }

    private void refuse(ChannelHandlerContext ctx, InetSocketAddress remote, ConnectionLimits.Decision decision) {
        String reply;
        String logLine;
        switch (decision.refusal()) {
            case TOO_MANY -> {
                reply = "Too many concurrent SMTP connections; please try again later.";
                logLine = "Connection from " + bracket(remote) + " refused: too many connections";
            }
            case TOO_MANY_FROM_HOST -> {
                reply = "Too many concurrent SMTP connections from this IP address; please try again later.";
                logLine = "Connection from " + bracket(remote) + " refused: too many connections from that IP address";
            }
            default -> {
                reply = config.primaryHostname() + ": Too many concurrent SMTP connections; please try again later";
                logLine = "temporarily refused connection from " + bracket(remote) + ": not in reserve list: connected="
                        + decision.connected() + " max=" + limits.max() + " reserve=" + limits.reserve();
            }
        }
        if (log.selected("connection_reject")) {
            log.main(logLine);
        }
        ctx.writeAndFlush(Unpooled.wrappedBuffer(Reply.of(421, reply).encode())).addListener(ChannelFutureListener.CLOSE);
    }

    private static String bracket(InetSocketAddress remote) {
        return "[" + remote.getAddress().getHostAddress() + "]";
    }

    // Until admitted, and for good once refused, nothing reaches the session.

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (shut) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!shut) {
            ctx.fireChannelReadComplete();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!shut) {
            ctx.fireChannelInactive();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!shut) {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (shut) {
            ctx.close(); // a reset while held or refused: nobody left to answer
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}
