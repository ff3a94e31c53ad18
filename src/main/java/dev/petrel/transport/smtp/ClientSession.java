package dev.petrel.transport.smtp;

import dev.petrel.smtp.ClientOutput;
import dev.petrel.smtp.CommandGroup;
import dev.petrel.smtp.Reply;
import dev.petrel.smtp.SmtpCommand;
import dev.petrel.smtp.Verb;
import dev.petrel.tls.ClientOutcome;
import dev.petrel.tls.ClientTls;
import dev.petrel.tls.TlsPeer;
import dev.petrel.tls.TlsSessionInfo;
import dev.petrel.tls.Verification;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The opening of a client SMTP session, step by step for a caller that reads it as a sequence (the probe on
 * its own thread, the transport on a virtual thread): greeting, EHLO, STARTTLS with its handshake, EHLO
 * again, QUIT. It remembers what the steps established (the EHLO reply in force, the TLS attempt) and the
 * rules between them: knowledge from before STARTTLS is forgotten once TLS starts (RFC 3207 4.2), and TLS
 * starts at most once. What a reply means is left to the caller.
 */
public final class ClientSession implements AutoCloseable {
    private final SmtpClientConnection connection;
    private final String heloName;
    /** The connection's own timers end every wait; this bound only guards against a bug in them. */
    private final Duration longestWait;
    private Reply ehlo;
    private CompletableFuture<List<Reply>> early;
    private ClientTls.Attempt tls;
    private ClientOutcome tlsOutcome;
    /** TLS prepared for the 220 that will end an early {@code EHLO,STARTTLS}, and its handshake. */
    private ClientTls.Attempt tlsAfterEarly;
    private CompletableFuture<Void> handshakeAfterEarly;

    public ClientSession(SmtpClientConnection connection, String heloName, Duration replyTimeout) {
        this(connection, heloName, replyTimeout, null);
    }

    private ClientSession(SmtpClientConnection connection, String heloName, Duration replyTimeout,
            ClientTls.Attempt implicitTls) {
        this.connection = connection;
        this.tls = implicitTls;
        this.heloName = heloName;
        this.longestWait = replyTimeout.multipliedBy(2).plusSeconds(5);
        this.early = connection.earlyReplies();
    }

    /** Connects, blocking until TCP is up; the greeting is for {@link #greeting()}. */
    public static ClientSession connect(EventLoopGroup group, Class<? extends Channel> type, InetSocketAddress remote,
            String heloName, Duration connectTimeout, Duration replyTimeout) throws IOException {
        return connect(group, type, remote, heloName, connectTimeout, replyTimeout, null);
    }

    /**
     * Connects with {@code early} written as soon as the channel exists, ahead of the greeting (early
     * pipelining; its first command is the EHLO, whose reply {@link #early()} puts in force).
     */
    public static ClientSession connect(EventLoopGroup group, Class<? extends Channel> type, InetSocketAddress remote,
            String heloName, Duration connectTimeout, Duration replyTimeout, ClientOutput early) throws IOException {
        return connect(group, type, remote, heloName, connectTimeout, replyTimeout, false, early);
    }

    /** As above, and with {@code fastOpen} a TCP Fast Open connect: {@code early} then rides in the SYN where it can. */
    public static ClientSession connect(EventLoopGroup group, Class<? extends Channel> type, InetSocketAddress remote,
            String heloName, Duration connectTimeout, Duration replyTimeout, boolean fastOpen, ClientOutput early)
            throws IOException {
        return connect(group, type, remote, null, local -> heloName, connectTimeout, replyTimeout, fastOpen, early,
                null);
    }

    /**
     * As above, from {@code local} when not null (the transport's {@code interface}), with the EHLO name made
     * from the local address once connected ({@code helo_data} using {@code $sending_ip_address}); an
     * {@code early} group, written before that, must then not need it. With {@code implicitTls} (making a
     * {@link #beginImplicitTls}), TLS from the first octet: it is made here, on the caller's thread, while the
     * channel registers on its event loop; its ClientHello goes with the connect, in the SYN where Fast Open
     * allows; {@link #tlsOnConnect()} waits for the handshake.
     */
    public static ClientSession connect(EventLoopGroup group, Class<? extends Channel> type, InetSocketAddress remote,
            InetAddress local, Function<InetAddress, String> heloName, Duration connectTimeout, Duration replyTimeout,
            boolean fastOpen, ClientOutput early, Supplier<ClientTls.Attempt> implicitTls) throws IOException {
        CompletableFuture<ClientTls.Attempt> tls = implicitTls == null ? null : new CompletableFuture<>();
        CompletableFuture<SmtpClientConnection> connecting = SmtpClientConnection.connect(group, type, remote, local,
                connectTimeout, replyTimeout, fastOpen, early, tls);
        if (tls != null) {
            try {
                tls.complete(implicitTls.get());
            } catch (RuntimeException e) {
                tls.completeExceptionally(e);
            }
        }
        SmtpClientConnection connection = await(connecting, connectTimeout.plusSeconds(5),
                () -> connecting.thenAccept(SmtpClientConnection::close));
        try {
            return new ClientSession(connection, heloName.apply(connection.localAddress()), replyTimeout,
                    tls == null ? null : tls.join());
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** What EHLO and HELO say. */
    public String heloName() {
        return heloName;
    }

    public SmtpClientConnection connection() {
        return connection;
    }

    public Reply greeting() throws IOException {
        return await(connection.greeting());
    }

    /** Sends EHLO; a 250 becomes the reply in force, whose lines after the first are the extensions. */
    public Reply ehlo() throws IOException {
        Reply reply = send(SmtpCommand.of(Verb.EHLO, heloName)).getFirst();
        ehlo = reply.code() == 250 ? reply : null;
        return reply;
    }

    /**
     * Writes {@code group} (EHLO first) now, without waiting for the greeting or for a handshake in progress
     * (the TLS handler holds it until the handshake is done): early pipelining inside TLS. Its replies are
     * {@link #early()}.
     */
    public void sendEarly(ClientOutput group) {
        early = connection.send(group);
    }

    /** The replies to the early group, the EHLO's first; read after {@link #greeting()}. */
    public List<Reply> early() throws IOException {
        List<Reply> replies = await(early);
        ehlo = replies.getFirst().code() == 250 ? replies.getFirst() : null;
        return replies;
    }

    /**
     * Prepares the TLS for the 220 that will end an early {@code EHLO,STARTTLS} while the group is in flight
     * (the ticket lookup and the engine), so that the handshake starts the moment the 220 arrives.
     */
    public void prepareTlsAfterEarly(ClientTls clientTls, TlsPeer peer, boolean resumption) {
        tlsAfterEarly = begin(clientTls, peer, resumption);
        handshakeAfterEarly = connection.startTlsAfterEarly(tlsAfterEarly);
    }

    /** Waits for the handshake after the 220 that ended an early {@code EHLO,STARTTLS}. */
    public void startTlsAfterEarly() throws IOException {
        await(handshakeAfterEarly);
        tls = tlsAfterEarly;
        ehlo = null;
    }

    /** EHLO followed by {@code rest} in one group (early pipelining inside TLS): for {@link #sendEarly}. */
    public CommandGroup withEhlo(List<ClientOutput> rest) {
        List<ClientOutput> group = new ArrayList<>(rest.size() + 1);
        group.add(SmtpCommand.of(Verb.EHLO, heloName));
        group.addAll(rest);
        return new CommandGroup(group);
    }

    /** The EHLO reply in force: none before the first, and none again after STARTTLS until the next. */
    public Reply ehloInForce() {
        return ehlo;
    }

    /**
     * Sends STARTTLS and, on its 220, completes the handshake. Returns the reply: 220 when TLS is up, the
     * refusal otherwise (the session then carries on in cleartext).
     */
    public Reply startTls(ClientTls clientTls, TlsPeer peer, boolean resumption) throws IOException {
        ClientTls.Attempt attempt = begin(clientTls, peer, resumption);
        Reply reply = await(connection.startTls(attempt)).getLast();
        if (reply.code() == 220) {
            tls = attempt;
            ehlo = null;
        }
        return reply;
    }

    /**
     * Prepares implicit TLS ({@code protocol = smtps}) for {@link #connect}, before there is a connection: the
     * ticket lookup and the engine, on the caller's thread. {@code peer}'s local address is the one the
     * connection will have ({@link SourceAddress}). With {@code fastOpen} on a channel type that can do it,
     * the ClientHello is made to fit in the SYN.
     */
    public static ClientTls.Attempt beginImplicitTls(ClientTls clientTls, TlsPeer peer, boolean resumption,
            Class<? extends Channel> type, boolean fastOpen) {
        return clientTls.begin(ByteBufAllocator.DEFAULT, peer, resumption, fastOpen && FastOpenProbe.possible(type));
    }

    /** Waits for the handshake of the implicit TLS given to {@link #connect}: call before reading the greeting. */
    public void tlsOnConnect() throws IOException {
        await(connection.implicitTls());
    }

    private ClientTls.Attempt begin(ClientTls clientTls, TlsPeer peer, boolean resumption) {
        if (tls != null) {
            throw new IllegalStateException("TLS is already active");
        }
        return clientTls.begin(connection.alloc(), peer, resumption);
    }

    /**
     * What the TLS session came to, null without TLS. Ask after the first reply read over TLS: TLS 1.3
     * tickets arrive after the handshake, and the resumption bits count them.
     */
    public ClientOutcome tlsOutcome() {
        if (tls != null && tlsOutcome == null) {
            tlsOutcome = tls.finish();
        }
        return tlsOutcome;
    }

    /**
     * The TLS facts as they stand, null without TLS; unlike {@link #tlsOutcome()} this settles nothing, so it
     * may be asked before the first reply over TLS (a TLS 1.3 ticket may still come).
     */
    public TlsSessionInfo tlsNow() {
        return tlsOutcome != null ? tlsOutcome.info() : tls == null ? null : tls.current();
    }

    /** The certificate verification of the TLS session now up, before any reply over it; null without TLS. */
    public Verification tlsVerification() {
        return tls == null ? null : tls.verification();
    }

    /** Sends QUIT and reads its reply; the connection stays for {@link #close()}. */
    public Reply quit() throws IOException {
        return send(SmtpCommand.of(Verb.QUIT)).getFirst();
    }

    @Override
    public void close() {
        connection.close();
    }

    /** Sends {@code out} (a command, a group...) and waits for the replies it asks for. */
    public List<Reply> send(ClientOutput out) throws IOException {
        return await(connection.send(out));
    }

    /** As {@link #send}, its replies awaited under {@code timeout}; {@code after} is the reply timeout then. */
    public List<Reply> sendUnder(ClientOutput out, Duration timeout, Duration after) throws IOException {
        connection.replyTimeout(timeout);
        try {
            return send(out);
        } finally {
            connection.replyTimeout(after);
        }
    }

    private <T> T await(CompletableFuture<T> future) throws IOException {
        return await(future, longestWait, this::close);
    }

    /** The value of {@code future}, or the IOException that ended the connection; {@code giveUp} if none comes. */
    private static <T> T await(CompletableFuture<T> future, Duration bound, Runnable giveUp) throws IOException {
        try {
            return Watchdog.get(future, bound);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? new IOException(io.getMessage(), io)
                    : new IOException(String.valueOf(cause), cause);
        } catch (TimeoutException e) {
            giveUp.run();
            throw new IOException("no answer within " + bound.toSeconds() + "s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            giveUp.run();
            throw new IOException("interrupted", e);
        }
    }
}
