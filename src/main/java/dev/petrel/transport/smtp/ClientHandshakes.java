package dev.petrel.transport.smtp;

import dev.petrel.tls.ClientTls;
import dev.petrel.tls.TlsErrors;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Where a client connection's TLS handshakes start, on its event loop: implicit TLS with the connect, STARTTLS
 * on its 220, and the 220 ending an early {@code EHLO,STARTTLS}, whose TLS is prepared while the group is in
 * flight and may come before that 220 (the handshake then starts on it) or after it (reading stops there
 * until it comes). A failed handshake ends the connection through {@code fail}.
 */
final class ClientHandshakes {
    private final Consumer<IOException> fail;
    private Channel channel;
    /** TLS for the early group's 220, supplied before it came, and the future of its handshake. */
    private ClientTls.Attempt atEarly220;
    private CompletableFuture<Void> atEarly220Done;
    /** The early group's 220 came before its TLS: reading stopped there. */
    private boolean pausedAtEarly220;

    ClientHandshakes(Consumer<IOException> fail) {
        this.fail = fail;
    }

    void channel(Channel channel) {
        this.channel = channel;
    }

    /** Adds the handshake's handlers at the head of the pipeline; it starts now, or at the connect. */
    void start(ClientTls.Attempt tls, Duration timeout) {
        tls.ssl().setHandshakeTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS);
        tls.ssl().handshakeFuture().addListener(f -> {
            if (!f.isSuccess()) {
                fail.accept(failure(f.cause()));
            }
        });
        tls.addFirst(channel.pipeline());
    }

    /** As above; {@code done} completes when the handshake has succeeded or failed. */
    void start(ClientTls.Attempt tls, Duration timeout, CompletableFuture<Void> done) {
        start(tls, timeout);
        tls.ssl().handshakeFuture().addListener(f -> {
            if (f.isSuccess()) {
                done.complete(null);
            } else {
                done.completeExceptionally(failure(f.cause()));
            }
        });
    }

    /**
     * The TLS for the early group's 220: started now if reading stopped at that 220, else kept for it.
     * {@code groupDone}: the group's replies are all in, and did not end in a 220.
     */
    void supplyForEarly220(ClientTls.Attempt tls, Duration timeout, CompletableFuture<Void> done, boolean groupDone) {
        if (pausedAtEarly220) {
            pausedAtEarly220 = false;
            start(tls, timeout, done);
            channel.config().setAutoRead(true);
        } else if (groupDone) {
            unused(tls);
            done.completeExceptionally(new IOException("no 220 to STARTTLS"));
        } else {
            atEarly220 = tls;
            atEarly220Done = done;
        }
    }

    /** The early group's 220 has come: its TLS starts, or reading stops until it is supplied. */
    void onEarly220(Duration timeout) {
        if (atEarly220 != null) {
            start(atEarly220, timeout, atEarly220Done);
            atEarly220 = null;
        } else {
            channel.config().setAutoRead(false);
            pausedAtEarly220 = true;
        }
    }

    /** The early group ended otherwise than in a 220, or the connection did: TLS kept for it is released. */
    void noEarly220(IOException why) {
        if (atEarly220 != null) {
            unused(atEarly220);
            atEarly220Done.completeExceptionally(why);
            atEarly220 = null;
        }
    }

    /** A TLS attempt that never reached the pipeline: its engine holds native memory until released. */
    static void unused(ClientTls.Attempt tls) {
        if (tls != null) {
            ReferenceCountUtil.release(tls.ssl().engine());
        }
    }

    static IOException failure(Throwable cause) {
        return cause instanceof SslHandshakeTimeoutException
                ? new IOException("TLS handshake timed out", cause)
                : new IOException("TLS handshake failed: " + TlsErrors.describe(cause), cause);
    }
}
