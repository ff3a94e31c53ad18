package dev.petrel.server;

import dev.petrel.config.MainConfig;
import dev.petrel.smtp.BdatArgument;
import dev.petrel.smtp.DataFlaw;
import dev.petrel.smtp.InboundEvent;
import dev.petrel.smtp.Reply;
import dev.petrel.smtp.SmtpCommand;
import dev.petrel.smtp.SmtpInboundDecoder;
import dev.petrel.smtp.SmtpSyntaxException;
import dev.petrel.smtp.Verb;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;

/**
 * One inbound SMTP connection: decides what to answer to each command. Replies are written as commands are
 * handled and flushed when the input that arrived together has been handled (RFC 2920), so a pipelined
 * group gets its replies in one write.
 *
 * <p>Early pipelining (PIPECONNECT): the banner is written only after the event loop has once more polled
 * the socket; if the client has already spoken by then and may pipeline early, banner and replies leave in
 * one write; if it may not, it gets Exim's 554 for input sent without waiting for the greeting.
 *
 * <p>The session dispatches commands and owns the connection's life; the ideas have their own classes:
 * {@link Synchronisation} (RFC 2920), {@link Capabilities} (what EHLO offered), {@link TransactionCommands}
 * and {@link Transaction} (MAIL to the complete message), {@link SessionTls}, {@link ErrorBudget}, and
 * {@link SessionLog} for every log line.
 */
final class SmtpSession extends ChannelInboundHandlerAdapter {

    private final SessionServices services;
    private final MainConfig config;
    private final SmtpInboundDecoder decoder;
    private final ErrorBudget errors;
    private final TransactionCommands mail;
    private final SessionTls tls;
    private final ReceiveDeadline deadline;

    private ChannelHandlerContext ctx;
    private SessionLog log;
    private Synchronisation sync;
    private Capabilities offered = Capabilities.NONE;
    private String fastOpen;          // Exim's TFO field, until the first <= line has carried it

    private boolean closing;
    /** The client shut down its sending side; close once everything it sent is answered. */
    private boolean inputShutdown;
    /** A message is being made durable; input waits in the decoder meanwhile. */
    private boolean committing;

    SmtpSession(SessionServices services, SmtpInboundDecoder decoder) {
        this.services = services;
        this.config = services.config();
        this.decoder = decoder;
        this.errors = new ErrorBudget(config.smtpMaxUnknownCommands(), config.smtpMaxSynprotErrors());
        this.mail = new TransactionCommands(config, services.spool());
        this.tls = new SessionTls(services.tls());
        this.deadline = new ReceiveDeadline(config.smtpReceiveTimeout(), config.smtpReceiveMinRate(), decoder,
                mail::receiving);
    }

    /** The handler that times this session's input; it goes in front of the decoder. */
    ReceiveDeadline receiveDeadline() {
        return deadline;
    }

    // ---------------------------------------------------------------- connection

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        InetAddress address = remote.getAddress();
        log = new SessionLog(services.log(), remote, System.nanoTime(), null);
        fastOpen = FastOpen.logField(ctx.channel());
        sync = new Synchronisation(config.pipeliningAdvertiseHosts().matches(address)
                && config.pipeliningConnectAdvertiseHosts().matches(address), config.smtpEnforceSync());
        int localPort = ((InetSocketAddress) ctx.channel().localAddress()).getPort();
        if (tls.available() && config.tlsOnConnectPorts().contains(localPort)) {
            tls.start(ctx, address, true); // the banner follows the handshake (see handshakeDone)
        } else {
            scheduleBanner();
        }
        ctx.fireChannelActive();
    }

    private void scheduleBanner() {
        // A zero-delay scheduled task runs after the loop's next poll of the socket, so input that came with
        // the connection is seen first and the banner can go out together with the replies to it.
        ctx.executor().schedule(() -> {
            if (!sync.bannerSent() && !closing && ctx.channel().isActive()) {
                writeBanner();
                ctx.flush();
            }
        }, 0, TimeUnit.NANOSECONDS);
    }

    private void writeBanner() {
        sync.bannerWritten();
        write(Reply.of(220, config.primaryHostname() + " ESMTP Petrel " + services.version() + " "
                + ZonedDateTime.now(ZoneId.systemDefault()).format(ReceivedHeader.RFC_5322)));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (mail.receiving()) {
            log.lostInData();
        } else if (!closing) {
            log.lost();
        }
        mail.reset();
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent handshake) {
            handshakeDone(handshake);
        } else if (evt == ReceiveDeadline.Expired.EVENT) {
            if (closing) {
                return;
            }
            if (mail.receiving()) {
                log.dataTimeout(mail.current().sender);
                closeWith(Reply.of(421, config.primaryHostname() + " SMTP incoming data timeout - closing connection."));
            } else {
                log.commandTimeout(tls.up());
                closeWith(Reply.of(421, config.primaryHostname() + ": SMTP command timeout - closing connection"));
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset is not our error (often a client that closed with replies unread): channelInactive reports
        // it as a lost connection, like a close without QUIT.
        if (!peerWentAway(cause) && !closing) {
            log.closedAfterError(cause);
            closing = true;
        }
        ctx.close();
    }

    private static boolean peerWentAway(Throwable cause) {
        String message = cause.getMessage();
        return cause instanceof IOException && !(cause instanceof SSLException) && message != null
                && (message.endsWith("Connection reset by peer") || message.equals("Connection reset")
                        || message.endsWith("Broken pipe"));
    }

    private void handshakeDone(SslHandshakeCompletionEvent handshake) {
        if (!handshake.isSuccess()) {
            if (!closing) {
                closing = true;
                log.tlsError(tls.how(), handshake.cause());
            }
            ctx.close();
            return;
        }
        tls.handshakeSucceeded();
        if (tls.implicit()) {
            scheduleBanner();
        }
    }

    /** Called by {@link HalfCloseGuard}: every byte the client sent has been read into the decoder. */
    void inputShutdown() {
        inputShutdown = true;
        if (!committing) {
            closeAfterInput();
        }
    }

    private void closeAfterInput() {
        if (closing) {
            return;
        }
        closing = true;
        log.endOfInput();
        mail.reset();
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (sync.bannerSent()) {
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    // ---------------------------------------------------------------- input

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (closing) {
                return;
            }
            switch (msg) {
                case InboundEvent.CommandLine line -> commandLine(line);
                case InboundEvent.Content content -> mail.content(content.content(), log);
                case InboundEvent.DataEnd end -> finishMessage(end.flaws());
                case InboundEvent.ChunkEnd ignored -> endOfChunk();
                default -> throw new IllegalStateException("unexpected " + msg);
            }
        } finally {
            InboundEvent.release(msg);
        }
    }

    private void commandLine(InboundEvent.CommandLine line) {
        if (!sync.bannerSent()) {
            if (!sync.earlyInputAllowed()) {
                log.earlyTalker(line.text() + (line.bareLf() ? "\n" : "\r\n") + decoder.peekBuffered(128));
                closeWith(Reply.of(554, "SMTP synchronization error"));
                return;
            }
            writeBanner();
        }
        tls.settle();
        if (line.tooLong()) {
            respond(Outcome.protocolError(500, "5.5.2 Line too long (more than 512 octets)", "line too long"), null);
            return;
        }
        SmtpCommand command = SmtpCommand.parse(line.text());
        Verb verb = command.verb();
        boolean more = decoder.hasBufferedInput();
        switch (verb) {
            case EHLO, HELO -> respond(hello(command), command);
            case MAIL -> respond(mail.mail(command, log, offered), command);
            case RCPT -> respond(mail.rcpt(command, log, offered.dsn()), command);
            case DATA -> {
                sync.messageStarted();
                Outcome outcome = mail.data(received());
                if (outcome.kind() == Outcome.Kind.OK) {
                    decoder.expectData();
                }
                respond(outcome, command);
            }
            case BDAT -> bdat(command);
            case RSET -> {
                mail.reset();
                write(Reply.of(250, "2.0.0 Reset OK"));
            }
            case NOOP -> write(Reply.of(250, "2.0.0 OK"));
            case QUIT -> {
                log.closedByQuit();
                closeWith(Reply.of(221, config.primaryHostname() + " closing connection"));
            }
            case VRFY -> write(Reply.of(252, "2.1.0 Cannot VRFY user, but will accept message and attempt delivery"));
            case EXPN -> write(Reply.of(502, "5.5.1 EXPN not available"));
            case HELP -> write(new Reply(214, List.of("Commands supported:",
                    "AUTH HELO EHLO MAIL RCPT DATA BDAT NOOP QUIT RSET HELP")));
            case STARTTLS -> startTls(command);
            case AUTH -> respond(Outcome.protocolError(503, "5.5.1 AUTH not advertised", "AUTH not advertised"), null);
            case UNKNOWN -> unknownCommand(command.line());
        }
        // What follows BDAT is its chunk; what followed STARTTLS was thrown away (RFC 3207).
        if (!closing && more && verb != Verb.BDAT && verb != Verb.STARTTLS && !sync.inStep(verb, offered.pipelining())) {
            log.tooSoon(offered.pipelining(), command.line(), decoder.peekBuffered(128));
            closeWith(Reply.of(554, "SMTP synchronization error"));
        }
    }

    /**
     * RFC 3207. Input pipelined behind STARTTLS is discarded, never read as commands inside TLS (the
     * CVE-2011-0411 class of injection), and everything learnt before TLS is forgotten.
     */
    private void startTls(SmtpCommand command) {
        Outcome refusal = tls.started() ? Outcome.protocolError(503, "5.5.1 TLS already active", "STARTTLS inside TLS")
                : !offered.starttls() ? Outcome.protocolError(503, "5.5.1 STARTTLS not advertised", "STARTTLS not advertised")
                : !command.argument().isEmpty() ? Outcome.syntaxError(Reply.of(501, "5.5.4 STARTTLS takes no argument"))
                : null;
        if (refusal != null) {
            respond(refusal, command);
            return;
        }
        write(Reply.of(220, "2.0.0 Ready to start TLS"));
        ctx.flush();
        String sample = decoder.peekBuffered(128);
        int discarded = decoder.discardBuffered();
        if (discarded > 0) {
            log.discardedAfterStarttls(discarded, sample);
        }
        greeted(null, Capabilities.NONE);
        tls.start(ctx, log.remote().getAddress(), false);
    }

    private Outcome hello(SmtpCommand command) {
        String name = command.argument();
        if (name.isEmpty() || name.chars().anyMatch(c -> c == ' ' || Character.isISOControl(c))) {
            return Outcome.protocolError(501, "5.5.4 Syntactic error in " + command.verb() + " argument",
                    "bad " + command.verb() + " argument");
        }
        greeted(name, command.verb() == Verb.EHLO ? Capabilities.ehlo(config, log.remote().getAddress(),
                sync.earlyAllowed(), tls.available()) : Capabilities.NONE);
        return Outcome.ok(offered.reply(config.primaryHostname() + " Hello " + name + " " + log.hostBracket()));
    }

    /** A new greeting (or STARTTLS, which forgets the old one) starts over: no transaction, new extensions. */
    private void greeted(String name, Capabilities capabilities) {
        mail.reset();
        log = log.withHelo(name);
        offered = capabilities;
    }

    private void bdat(SmtpCommand command) {
        sync.messageStarted();
        BdatArgument chunk;
        try {
            chunk = BdatArgument.parse(command.argument());
        } catch (SmtpSyntaxException e) {
            // Without a size the end of the chunk cannot be found: the rest of the input is meaningless.
            log.invalidBdatSize(command.line());
            closeWith(e.reply());
            return;
        }
        mail.chunk(chunk.last(), offered.chunking(), received());
        if (chunk.size() == 0) {
            endOfChunk();
        } else {
            decoder.expectChunk(chunk.size());
        }
    }

    /** What the Received header of a message starting now says about this connection. */
    private ReceivedHeader received() {
        return new ReceivedHeader(log.helo(), log.hostBracket(), config.primaryHostname(), offered.protocol(tls.up()),
                services.version(), tls.info());
    }

    private void endOfChunk() {
        Outcome outcome = mail.chunkEnded();
        if (outcome == null) {
            finishMessage(Set.of());
        } else {
            respond(outcome, null);
        }
    }

    private void finishMessage(Set<DataFlaw> flaws) {
        Reply refusal = mail.refusalAtEnd(flaws, log);
        if (refusal != null) {
            sync.messageEnded();
            write(refusal);
            return;
        }
        Transaction t = mail.take();
        String protocol = offered.protocol(tls.up());
        String lField = sync.lField(offered);
        // Input pipelined behind the message waits in the decoder until the 250 (or 451) is written.
        decoder.pause();
        committing = true;
        t.reception().commit(t.envelope(log, protocol, tls.info())).whenComplete((ok, failure) -> ctx.executor().execute(() -> {
            if (failure == null) {
                log.arrived(t.arrival(log, fastOpen, protocol, lField, tls.info()));
                fastOpen = null; // Exim logs it once a connection
                write(Reply.of(250, "OK id=" + t.reception().messageId()));
                services.accepted().accept(t.reception().messageId());
            } else {
                log.cannotSpool(failure.getMessage());
                write(Reply.of(451, "4.3.0 Temporary local problem - please try again later"));
            }
            sync.messageEnded();
            resumeInput();
        }));
    }

    /** Picks up input that arrived while the decoder was paused, then flushes what it produced. */
    private void resumeInput() {
        committing = false;
        decoder.resume();
        if (!inputShutdown && !ctx.channel().config().isAutoRead()) {
            // The decoder stopped reading because too much arrived meanwhile. (After a half-close there is
            // nothing more to read, and epoll refuses to watch the socket again.)
            ctx.channel().config().setAutoRead(true);
        }
        ctx.pipeline().fireChannelRead(Unpooled.EMPTY_BUFFER);
        deadline.inputResumed();
        if (!closing) {
            ctx.flush();
        }
        if (inputShutdown && !committing) {
            closeAfterInput();
        }
    }

    // ---------------------------------------------------------------- errors

    private void unknownCommand(String text) {
        log.unknownCommand(text);
        if (errors.unknownCommandExhausts()) {
            log.tooManyUnknownCommands(text);
            closeWith(Reply.of(500, "5.5.1 Too many unrecognized commands"));
        } else {
            write(Reply.of(500, "5.5.1 Unrecognized command"));
        }
    }

    /** Writes the reply; an error is logged and counted, and past the budget ends the connection. */
    private void respond(Outcome outcome, SmtpCommand command) {
        switch (outcome.kind()) {
            case OK -> {
                write(outcome.reply());
                return;
            }
            case SYNTAX_ERROR -> log.syntaxError(command.line(), outcome.reply());
            case PROTOCOL_ERROR -> log.protocolError(outcome.what(), outcome.reply());
        }
        write(outcome.reply());
        if (errors.protocolErrorExhausts()) {
            log.tooManyProtocolErrors();
            closeWith(Reply.of(421, config.primaryHostname() + " too many syntax or protocol errors"));
        }
    }

    // ---------------------------------------------------------------- output

    private void write(Reply reply) {
        ctx.write(Unpooled.wrappedBuffer(reply.encode()));
    }

    private void closeWith(Reply reply) {
        closing = true;
        mail.reset();
        decoder.pause();
        write(reply);
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
}
