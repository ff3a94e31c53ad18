package dev.petrel.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Watches the clear part of a TLS handshake — the ClientHello one way, the server's first flight the other —
 * for the facts behind the resumption bits, without consuming or altering a byte. It goes in front of
 * (nearer the socket than) the {@link io.netty.handler.ssl.SslHandler} and removes itself once both
 * directions have nothing more in clear, or as soon as the bytes turn out not to be TLS (the SslHandler then
 * fails the handshake in its own way).
 *
 * <p>BoringSSL has no per-connection callback for "the client asked for a ticket" or "a ticket was sent";
 * the ClientHello extensions and the TLS 1.2 NewSessionTicket are in clear, so they are read here instead.
 */
public final class HelloInspector extends ChannelDuplexHandler {

    /**
     * Everything seen so far.
     *
     * @param hello the ClientHello's facts, or null if no whole ClientHello was seen
     * @param flight the server flight's facts
     * @param malformed the bytes were not a TLS handshake
     */
    public record Seen(ClientHelloFacts hello, ServerFlightFacts flight, boolean malformed) {
        public static final Seen NOTHING = new Seen(null, ServerFlightFacts.NONE, false);

        public boolean clientRequestedTicket() {
            return hello != null && hello.requestedTicket();
        }

        public boolean clientOfferedSession() {
            return hello != null && hello.offeredSession();
        }
    }

    private final boolean serverSide;
    private final ClientHelloReader helloReader = new ClientHelloReader();
    private final ServerFlightReader flightReader = new ServerFlightReader();
    private final HandshakeStream hello = new HandshakeStream(helloReader);
    private final HandshakeStream flight = new HandshakeStream(flightReader);
    private volatile Seen seen = Seen.NOTHING;
    private boolean malformed;

    private HelloInspector(boolean serverSide) {
        this.serverSide = serverSide;
    }

    /** For a server: the ClientHello arrives, the server flight leaves. */
    public HelloInspector() {
        this(true);
    }

    public static HelloInspector forServer() {
        return new HelloInspector(true);
    }

    /** For a client: the ClientHello leaves, the server flight arrives. */
    public static HelloInspector forClient() {
        return new HelloInspector(false);
    }

    /** A snapshot; safe to call from any thread. */
    public Seen seen() {
        return seen;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof ByteBuf buf) {
            look(serverSide ? hello : flight, buf);
        }
        ctx.fireChannelRead(msg);
        removeWhenDone(ctx);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof ByteBuf buf) {
            look(serverSide ? flight : hello, buf);
        }
        ctx.write(msg, promise);
        removeWhenDone(ctx);
    }

    private void look(HandshakeStream stream, ByteBuf buf) {
        if (malformed || stream.stopped()) {
            return;
        }
        try {
            stream.feed(buf);
        } catch (HandshakeStream.NotTls | RuntimeException e) {
            // Whatever it is, it is the SslHandler's to reject; this handler only stops looking.
            malformed = true;
        }
        seen = new Seen(helloReader.facts(), flightReader.facts(), malformed);
    }

    private void removeWhenDone(ChannelHandlerContext ctx) {
        if ((malformed || (hello.stopped() && flight.stopped())) && !ctx.isRemoved()) {
            ctx.pipeline().remove(this);
        }
    }
}
