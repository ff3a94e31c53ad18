package dev.petrel.transport.smtp;

import dev.petrel.log.LogText;
import dev.petrel.smtp.ClientOutput;
import dev.petrel.smtp.CommandGroup;
import dev.petrel.smtp.MalformedReply;
import dev.petrel.smtp.Reply;
import dev.petrel.smtp.SmtpClientEncoder;
import dev.petrel.smtp.SmtpCommand;
import dev.petrel.smtp.SmtpReplyDecoder;
import dev.petrel.smtp.Verb;
import dev.petrel.tls.ClientTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One client connection to an SMTP server: the reply decoder and command encoder on a Netty channel, and
 * the bookkeeping that pairs each reply with what asked for it. Writes may run ahead of replies (pipelining,
 * and early pipelining: a group sent before the greeting has arrived waits behind it in the queue).
 *
 * <p>Whatever goes wrong ends the connection and fails every outstanding future with an {@link IOException}
 * whose message says what happened, for the log line: a malformed reply, a reply nobody asked for, no reply
 * within the reply timeout, a close, a TLS failure. Nothing here decides what a reply means.
 */
public final class SmtpClientConnection implements AutoCloseable {

    /**
     * Replies owed for one write, and the TLS to start if the last of them is STARTTLS's 220; without one,
     * {@code pauseAt220} stops reading at that 220 until {@link #startTlsAfterEarly} brings it.
     */
    private record Awaited(int count, List<Reply> replies, CompletableFuture<List<Reply>> done,
            ClientTls.Attempt tls, boolean pauseAt220) {
    }

    private final SmtpReplyDecoder decoder = new SmtpReplyDecoder();
    private volatile long replyTimeoutNanos;
    private final CompletableFuture<Reply> greeting;
    /** The group written as soon as the channel exists (early pipelining), null for none. */
    private final ClientOutput early;
    private final CompletableFuture<List<Reply>> earlyReplies = new CompletableFuture<>();
    /** The handshake of implicit TLS, begun with the connect; never completes without one. */
    private final CompletableFuture<Void> implicitTls = new CompletableFuture<>();
    private volatile Channel channel;
    private volatile FastOpenProbe fastOpen = FastOpenProbe.NOT_USED;

    // Touched on the channel's event loop only.
    private final ArrayDeque<Awaited> awaited = new ArrayDeque<>();
    private IOException broken;
    private ScheduledFuture<?> timer;
    private Reply lastReply;
    private int discardedAfterStartTls;
    private final ClientHandshakes handshakes = new ClientHandshakes(this::fail);

    private SmtpClientConnection(Duration replyTimeout, ClientOutput early) {
        this.replyTimeoutNanos = replyTimeout.toNanos();
        this.early = early;
        Awaited first = new Awaited(1, new ArrayList<>(1), new CompletableFuture<>(), null, false);
        awaited.add(first);
        greeting = first.done().thenApply(List::getFirst);
        if (early != null) {
            // Its replies come after the greeting's, and a STARTTLS at its end waits for its TLS to be supplied.
            awaited.add(new Awaited(early.replies(), new ArrayList<>(), earlyReplies, null, endsInStartTls(early)));
        }
    }

    /**
     * Connects; the future completes once TCP is up (a refused or timed-out connect fails it), and the greeting
     * is then awaited like any reply. Writes {@code early} (null: nothing) as soon as the channel exists, before
     * the connect, without waiting for the greeting (early pipelining: {@code EHLO,MAIL,RCPT,DATA} or
     * {@code EHLO,STARTTLS}); its replies are {@link #earlyReplies()}. This is the one place the first write leaves from: with
     * {@code fastOpen} on a native epoll channel the connect is TCP Fast Open (Netty sends what is queued
     * with {@code sendto(MSG_FASTOPEN)}), so the group rides in the SYN once the kernel holds a cookie for the
     * server; without a group the SYN still asks for a cookie (or carries the one it has), as Exim's does.
     * When {@code early} ends in STARTTLS, reading stops at its 220 until {@link #startTlsAfterEarly}
     * supplies the TLS attempt (which needs the local address). {@code local} (the transport's
     * {@code interface}) is bound before the connect; null leaves the choice to the kernel.
     *
     * <p>{@code tls} (null: none) is implicit TLS ({@code protocol = smtps}), begun before the connect: the
     * caller prepares it while the channel registers, and the connect waits for it. Netty's TLS handler, added
     * to a channel set for Fast Open, queues its ClientHello unflushed, and the connect takes it along in the
     * SYN; on any other connect it writes the ClientHello once connected. Its handshake is
     * {@link #implicitTls()}; {@code early} must then be null (the group goes after the handshake).
     */
    public static CompletableFuture<SmtpClientConnection> connect(EventLoopGroup group, Class<? extends Channel> type,
            InetSocketAddress remote, InetAddress local, Duration connectTimeout, Duration replyTimeout,
            boolean fastOpen, ClientOutput early, CompletableFuture<ClientTls.Attempt> tls) {
        SmtpClientConnection connection = new SmtpClientConnection(replyTimeout, early);
        CompletableFuture<SmtpClientConnection> result = new CompletableFuture<>();
        Bootstrap bootstrap = new Bootstrap().group(group).channel(type)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connection.channel = ch;
                        connection.handshakes.channel(ch);
                        ch.pipeline().addLast("replies", connection.decoder)
                                .addLast("commands", new SmtpClientEncoder())
                                .addLast("session", connection.new Events());
                    }
                });
        boolean tfo = fastOpen && FastOpenProbe.possible(type);
        if (tfo) {
            bootstrap.option(ChannelOption.TCP_FASTOPEN_CONNECT, true);
        }
        bootstrap.register().addListener(registered -> {
            if (!registered.isSuccess()) {
                release(early);
                if (tls != null) {
                    tls.thenAccept(ClientHandshakes::unused);
                }
                result.completeExceptionally(new IOException(registered.cause().getMessage(), registered.cause()));
            } else if (tls == null) {
                connection.open(remote, local, early, null, tfo, connectTimeout.plus(replyTimeout), result);
            } else {
                tls.whenComplete((attempt, error) -> connection.channel.eventLoop().execute(() -> {
                    if (error == null) {
                        connection.open(remote, local, null, attempt, tfo, connectTimeout.plus(replyTimeout), result);
                    } else {
                        connection.channel.close();
                        result.completeExceptionally(error);
                    }
                }));
            }
        });
        return result;
    }

    /**
     * On the event loop, once registered: the first write queued (not flushed: that would fail before the
     * connect) so that the connect can take it along; what the SYN could not carry is flushed once connected.
     */
    private void open(InetSocketAddress remote, InetAddress local, ClientOutput early, ClientTls.Attempt tls,
            boolean tfo, Duration handshakeTimeout, CompletableFuture<SmtpClientConnection> result) {
        if (tls != null) {
            // Its wait starts now, so it includes the connect.
            handshakes.start(tls, handshakeTimeout, implicitTls);
        } else if (early != null) {
            channel.write(early).addListener(f -> {
                if (!f.isSuccess()) {
                    fail(new IOException("write failed: " + f.cause().getMessage(), f.cause()));
                }
            });
        } else if (tfo) {
            channel.write(Unpooled.EMPTY_BUFFER);
        }
        (local == null ? channel.connect(remote) : channel.connect(remote, new InetSocketAddress(local, 0)))
                .addListener(f -> {
            if (f.isSuccess()) {
                channel.flush();
                result.complete(this);
            } else {
                fail(new IOException(f.cause().getMessage(), f.cause()));
                // Netty's message already names the address ("Connection refused: /192.0.2.1:25").
                result.completeExceptionally(new IOException(f.cause().getMessage(), f.cause()));
            }
        });
        if (tfo) {
            fastOpen = FastOpenProbe.afterConnect(channel, early != null || tls != null);
        }
    }

    /**
     * Exim's {@code TFO} field for this connection, known once the greeting has arrived: {@code TFO*} when the
     * data in the SYN was acknowledged, {@code TFO} when the SYN carried a cookie without data, else null.
     */
    public String fastOpen() {
        return fastOpen.field();
    }

    /** The server's greeting (banner). */
    public CompletableFuture<Reply> greeting() {
        return greeting;
    }

    /** The replies to the group given to {@code connect}, after the greeting; never completes without one. */
    public CompletableFuture<List<Reply>> earlyReplies() {
        return earlyReplies;
    }

    /**
     * TLS for the 220 that ends the early group ({@code EHLO,STARTTLS}), best supplied before that 220 comes
     * (it is prepared while the group is in flight): the handshake then starts on the 220 itself, without
     * waiting for the caller; if the 220 came first, reading resumed inside TLS now. The future completes once
     * the handshake has succeeded; it fails, and the attempt is released, when the group ends otherwise.
     */
    public CompletableFuture<Void> startTlsAfterEarly(ClientTls.Attempt tls) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        boolean queued = onLoop(() -> {
            if (broken != null) {
                ClientHandshakes.unused(tls);
                done.completeExceptionally(broken);
            } else {
                handshakes.supplyForEarly220(tls, Duration.ofNanos(replyTimeoutNanos), done, earlyReplies.isDone());
            }
        }, done);
        if (!queued) {
            ClientHandshakes.unused(tls);
        }
        return done;
    }


    private static boolean endsInStartTls(ClientOutput out) {
        ClientOutput last = out instanceof CommandGroup g ? g.parts().getLast() : out;
        return last instanceof SmtpCommand c && c.verb() == Verb.STARTTLS;
    }

    /** Writes {@code out} in one buffer; completes with the {@link ClientOutput#replies()} replies it asks for. */
    public CompletableFuture<List<Reply>> send(ClientOutput out) {
        return submit(out, null);
    }

    /**
     * Sends STARTTLS, in one write after {@code before} if any (early pipelining's {@code EHLO,STARTTLS}). On
     * a 220 the cleartext already buffered behind it is dropped (never read as replies over TLS, the client
     * side of CVE-2011-0411) and the handshake starts at once; the future completes with every reply, the
     * STARTTLS one last, once the handshake has succeeded, or as soon as STARTTLS is refused.
     */
    public CompletableFuture<List<Reply>> startTls(ClientTls.Attempt tls, ClientOutput... before) {
        SmtpCommand startTls = SmtpCommand.of(Verb.STARTTLS);
        if (before.length == 0) {
            return submit(startTls, tls);
        }
        List<ClientOutput> group = new ArrayList<>(List.of(before));
        group.add(startTls);
        return submit(new CommandGroup(group), tls);
    }

    /** The handshake of implicit TLS given to {@code connect}: completes once it has succeeded. */
    public CompletableFuture<Void> implicitTls() {
        return implicitTls;
    }

    /**
     * The wait for replies to what is written from now on: the smtp transport's {@code data_timeout} for the
     * reply after the message text, {@code command_timeout} otherwise.
     */
    public void replyTimeout(Duration timeout) {
        replyTimeoutNanos = timeout.toNanos();
    }

    public ByteBufAllocator alloc() {
        return channel.alloc();
    }

    public InetAddress localAddress() {
        return ((InetSocketAddress) channel.localAddress()).getAddress();
    }

    /** Octets the server sent in cleartext after its 220 to STARTTLS, dropped unread (0 from honest servers). */
    public int discardedAfterStartTls() {
        return discardedAfterStartTls;
    }

    /** Closes the connection without a QUIT; returns once it is closed unless called on its event loop. */
    @Override
    public void close() {
        Channel ch = channel;
        if (ch == null) {
            return;
        }
        if (ch.eventLoop().inEventLoop()) {
            ch.close();
        } else {
            ch.close().awaitUninterruptibly();
        }
    }

    private CompletableFuture<List<Reply>> submit(ClientOutput out, ClientTls.Attempt tls) {
        CompletableFuture<List<Reply>> done = new CompletableFuture<>();
        if (!onLoop(() -> write(out, tls, done), done)) {
            release(out);
            ClientHandshakes.unused(tls);
        }
        return done;
    }

    private boolean onLoop(Runnable task, CompletableFuture<?> done) {
        try {
            if (channel.eventLoop().inEventLoop()) {
                task.run();
            } else {
                channel.eventLoop().execute(task);
            }
            return true;
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(new IOException("connection already shut down", e));
            return false;
        }
    }

    private void write(ClientOutput out, ClientTls.Attempt tls, CompletableFuture<List<Reply>> done) {
        if (broken != null) {
            release(out);
            ClientHandshakes.unused(tls);
            done.completeExceptionally(broken);
            return;
        }
        int count = out.replies();
        if (count > 0) {
            awaited.add(new Awaited(count, new ArrayList<>(count), done, tls, false));
            if (awaited.size() == 1) {
                armTimer();
            }
        }
        channel.writeAndFlush(out).addListener(f -> {
            if (!f.isSuccess()) {
                fail(new IOException("write failed: " + f.cause().getMessage(), f.cause()));
            } else if (count == 0) {
                done.complete(List.of());
            }
        });
    }

    private static void release(ClientOutput out) {
        if (out == null) {
            return;
        }
        if (out instanceof CommandGroup group) {
            group.parts().forEach(ReferenceCountUtil::release);
        } else {
            ReferenceCountUtil.release(out);
        }
    }

    private void onReply(Reply reply) {
        if (lastReply == null) {
            // The first reply (the greeting) came after the SYN's data was acknowledged, or not at all.
            fastOpen = fastOpen.afterGreeting(channel);
        }
        lastReply = reply;
        Awaited head = awaited.peek();
        if (head == null) {
            fail(new IOException("unexpected reply (no command outstanding): " + LogText.printable(reply.logText(), 128)));
            return;
        }
        head.replies().add(reply);
        if (head.replies().size() < head.count()) {
            armTimer();
            return;
        }
        awaited.poll();
        cancelTimer();
        if (!awaited.isEmpty()) {
            armTimer();
        }
        if (head.tls() != null && reply.code() == 220) {
            discardedAfterStartTls += decoder.discardBuffered();
            handshakes.start(head.tls(), Duration.ofNanos(replyTimeoutNanos));
            head.tls().ssl().handshakeFuture().addListener(f -> {
                if (f.isSuccess()) {
                    head.done().complete(List.copyOf(head.replies()));
                } else {
                    head.done().completeExceptionally(ClientHandshakes.failure(f.cause()));
                }
            });
        } else if (head.pauseAt220() && reply.code() == 220) {
            // Nothing the server sends before our ClientHello is to be read: drop it, read no more until TLS.
            discardedAfterStartTls += decoder.discardBuffered();
            handshakes.onEarly220(Duration.ofNanos(replyTimeoutNanos));
            head.done().complete(List.copyOf(head.replies()));
        } else {
            ClientHandshakes.unused(head.tls());
            if (head.pauseAt220()) {
                handshakes.noEarly220(new IOException("no 220 to STARTTLS"));
            }
            head.done().complete(List.copyOf(head.replies()));
        }
    }

    private void armTimer() {
        cancelTimer();
        timer = channel.eventLoop().schedule(() -> fail(new IOException("timed out waiting for a reply")),
                replyTimeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** Ends the connection: every outstanding and later request fails with the first cause. */
    private void fail(IOException cause) {
        if (broken == null) {
            broken = cause;
        }
        cancelTimer();
        handshakes.noEarly220(broken);
        for (Awaited a; (a = awaited.poll()) != null; ) {
            ClientHandshakes.unused(a.tls());
            a.done().completeExceptionally(broken);
        }
        channel.close();
    }

    /** The last handler in the pipeline: turns decoded replies and channel events into the calls above. */
    private final class Events extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            armTimer();
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            switch (msg) {
                case Reply reply -> onReply(reply);
                case MalformedReply bad -> fail(new IOException("malformed reply: " + bad.reason()
                        + (bad.received().isEmpty() ? "" : ": \"" + LogText.printable(bad.received(), 64) + "\"")));
                default -> {
                    ReferenceCountUtil.release(msg);
                    fail(new IOException("unexpected input " + msg.getClass().getSimpleName()));
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            fail(new IOException("connection closed"
                    + (lastReply == null ? "" : " after " + LogText.printable(lastReply.logText(), 128))));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(cause instanceof IOException io ? io : new IOException(String.valueOf(cause.getMessage()), cause));
        }
    }
}
