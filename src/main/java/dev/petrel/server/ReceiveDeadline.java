package dev.petrel.server;

import dev.petrel.smtp.SmtpInboundDecoder;
import dev.petrel.smtp.SmtpInboundDecoder.Position;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code smtp_receive_timeout}, made to hold against a client that trickles its input, since a timer restarted by
 * every byte never fires for one that sends a byte every few seconds:
 * <ul>
 *   <li>between commands the client has smtp_receive_timeout from its last input, or from the moment the server
 *       answered if input was held back while a message was made durable;</li>
 *   <li>a command line must be complete within smtp_receive_timeout of its first octet;</li>
 *   <li>a message transfer (DATA, or BDAT from the first chunk to the last) must never go quiet for
 *       smtp_receive_timeout and, after a first smtp_receive_timeout, must keep an average of
 *       {@code smtp_receive_min_rate} octets a second: each octet received moves its deadline on by 1/rate s.</li>
 * </ul>
 * It sits in front of the decoder, where input is already decrypted, so a TLS handshake counts as silence. One timer
 * per connection: reads only note the time, and the timer, when it fires early, is set again for the deadline as it
 * stands then. That is sound because a deadline only ever moves later. With smtp_receive_timeout 0 there is none.
 */
final class ReceiveDeadline extends ChannelInboundHandlerAdapter {
    /** The user event that tells the session its client ran out of time. */
    enum Expired { EVENT }

    private final long timeout;
    private final long minRate;
    private final SmtpInboundDecoder decoder;
    private final BooleanSupplier receivingMessage;

    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private boolean expired;
    private long lastInput;
    private boolean inLine;
    private long lineStart;
    private long linesSeen;
    private boolean inTransfer;
    private long transferStart;
    private long transferred;

    /**
     * @param minRate octets a second a message transfer must keep up; 0 for none
     * @param receivingMessage whether a message is being received, BDAT chunks and the commands between them included
     */
    ReceiveDeadline(Duration timeout, long minRate, SmtpInboundDecoder decoder, BooleanSupplier receivingMessage) {
        this.timeout = timeout.toNanos();
        this.minRate = minRate;
        this.decoder = decoder;
        this.receivingMessage = receivingMessage;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** The clock starts when the connection is admitted (see ConnectionGate), not when it was accepted. */
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (timer == null && !expired && timeout > 0) { // Exim: smtp_receive_timeout = 0 means none
            lastInput = System.nanoTime();
            arm(lastInput + timeout);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    private void stop() {
        expired = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        int octets = msg instanceof ByteBuf buf ? buf.readableBytes() : 0;
        long now = System.nanoTime();
        if (octets > 0) {
            lastInput = now;
        }
        ctx.fireChannelRead(msg); // decoded and answered before this returns
        if (octets > 0) {
            observe(now, octets);
        }
    }

    /**
     * The session handed input held back during a commit to the decoder again: the client has been waiting for the
     * server, so its time starts afresh now.
     */
    void inputResumed() {
        if (timeout == 0 || expired) {
            return;
        }
        long now = System.nanoTime();
        lastInput = now;
        inLine = false;
        inTransfer = false;
        observe(now, 0);
    }

    private void observe(long now, int octets) {
        if (decoder.paused()) {
            return; // held input is looked at when the session resumes it
        }
        Position position = decoder.position();
        long lines = decoder.commandLines();
        if (position == Position.IN_CONTENT || receivingMessage.getAsBoolean()) {
            if (!inTransfer) {
                inTransfer = true;
                transferStart = now;
                transferred = 0;
            }
            transferred += octets;
            inLine = false;
        } else {
            inTransfer = false;
            boolean sameLine = inLine && lines == linesSeen;
            inLine = position == Position.IN_COMMAND_LINE;
            if (inLine && !sameLine) {
                lineStart = now;
            }
        }
        linesSeen = lines;
    }

    private long deadline() {
        long deadline = lastInput + timeout;
        if (inTransfer && minRate > 0) {
            long earned = (long) (transferred * 1e9 / minRate);
            deadline = earliest(deadline, transferStart + timeout + earned);
        } else if (inLine) {
            deadline = earliest(deadline, lineStart + timeout);
        }
        return deadline;
    }

    private static long earliest(long a, long b) {
        return a - b <= 0 ? a : b;
    }

    private void arm(long deadline) {
        timer = ctx.executor().schedule(this::check, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void check() {
        timer = null;
        if (expired) {
            return;
        }
        long now = System.nanoTime();
        if (decoder.paused()) {
            arm(now + timeout); // the client is waiting for us, or we are closing
            return;
        }
        long deadline = deadline();
        if (now - deadline < 0) {
            arm(deadline);
            return;
        }
        expired = true;
        ctx.fireUserEventTriggered(Expired.EVENT);
    }
}
