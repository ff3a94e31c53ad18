package dev.petrel.server;

import dev.petrel.config.MainConfig;
import dev.petrel.log.LogText;
import dev.petrel.smtp.DataFlaw;
import dev.petrel.smtp.InboundEvent;
import dev.petrel.smtp.MailParameters;
import dev.petrel.smtp.PathArgument;
import dev.petrel.smtp.Reply;
import dev.petrel.smtp.SmtpCommand;
import dev.petrel.smtp.SmtpInboundDecoder;
import dev.petrel.smtp.SmtpSyntaxException;
import dev.petrel.smtp.Verb;
import dev.petrel.spool.Envelope;
import dev.petrel.spool.Reception;
import dev.petrel.tls.ServerTls;
import dev.petrel.tls.TlsErrors;
import dev.petrel.tls.TlsSessionInfo;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
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
 */
final class SmtpSession extends ChannelInboundHandlerAdapter {

    private final SessionServices services;
    private final MainConfig config;
    private final SmtpInboundDecoder decoder;
    private final ReceiveDeadline deadline;

    private ChannelHandlerContext ctx;
    private InetSocketAddress remote;
    private long connectedAt;
    private String fastOpen;          // Exim's TFO field, until the first <= line has carried it

    /** The client may send before the banner (pipelining_connect_advertise_hosts matched). */
    private boolean earlyAllowed;
    private boolean bannerSent;
    private boolean earlyPipeliningUsed;
    private boolean dataSeen;

    private String helo;
    private boolean esmtp;
    private boolean pipeliningAdvertised;
    private boolean pipeconnectAdvertised;
    private boolean chunkingAdvertised;
    private boolean starttlsAdvertised;
    /** TLS handlers once STARTTLS was accepted or on a tls_on_connect port; null in cleartext. */
    private ServerTls.Handlers tls;
    /** The handshake finished; {@link #tlsInfo} is read at the first command after it. */
    private boolean tlsUp;
    /** The handshake's facts, read once the server's whole flight (tickets included) has gone out. */
    private TlsSessionInfo tlsInfo;
    private boolean implicitTls;
    /** Some command since the last message arrived while another's reply was pending. */
    private boolean pipelinedInMessage;

    private Transaction transaction;
    /** The reply owed at the end of a BDAT chunk that is being read only to be thrown away. */
    private Reply chunkRefusal;
    private boolean chunkLast;

    private int unknownCommands;
    private int protocolErrors;
    private boolean closing;
    /** The client shut down its sending side; close once everything it sent is answered. */
    private boolean inputShutdown;
    /** A message is being made durable; input waits in the decoder meanwhile. */
    private boolean committing;

    SmtpSession(SessionServices services, SmtpInboundDecoder decoder) {
        this.services = services;
        this.config = services.config();
        this.decoder = decoder;
        this.deadline = new ReceiveDeadline(config.smtpReceiveTimeout(), config.smtpReceiveMinRate(), decoder,
                this::receivingMessage);
    }

    /** The handler that times this session's input; it goes in front of the decoder. */
    ReceiveDeadline receiveDeadline() {
        return deadline;
    }

    /** A message is being received: DATA, or BDAT from the first chunk to the last. */
    private boolean receivingMessage() {
        return transaction != null && transaction.receiving();
    }

    // ---------------------------------------------------------------- connection

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        remote = (InetSocketAddress) ctx.channel().remoteAddress();
        connectedAt = System.nanoTime();
        fastOpen = FastOpen.logField(ctx.channel());
        InetAddress address = remote.getAddress();
        earlyAllowed = config.pipeliningAdvertiseHosts().matches(address)
                && config.pipeliningConnectAdvertiseHosts().matches(address);
        int localPort = ((InetSocketAddress) ctx.channel().localAddress()).getPort();
        if (services.tls() != null && config.tlsOnConnectPorts().contains(localPort)) {
            // Implicit TLS: the banner follows the handshake (see userEventTriggered).
            implicitTls = true;
            tls = services.tls().newHandlers(ctx.alloc(), address);
            tls.addFirst(ctx.pipeline());
            ctx.fireChannelActive();
            return;
        }
        scheduleBanner();
        ctx.fireChannelActive();
    }

    private void scheduleBanner() {
        // A zero-delay scheduled task runs after the loop's next poll of the socket, so input that came with
        // the connection is seen first and the banner can go out together with the replies to it.
        ctx.executor().schedule(this::sendBannerIfNotYet, 0, TimeUnit.NANOSECONDS);
    }

    private void sendBannerIfNotYet() {
        if (!bannerSent && !closing && ctx.channel().isActive()) {
            writeBanner();
            ctx.flush();
        }
    }

    private void writeBanner() {
        bannerSent = true;
        write(Reply.of(220, config.primaryHostname() + " ESMTP Petrel " + services.version() + " "
                + ZonedDateTime.now(ZoneId.systemDefault()).format(ReceivedHeader.RFC_5322)));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (transaction != null && transaction.receiving()) {
            transaction.reception.discard();
            services.log().main("SMTP connection from " + hostDescriptionNoPort() + " lost while reading message data");
        } else if (!closing && services.log().selected("smtp_connection")) {
            services.log().main("SMTP connection from " + hostDescriptionNoPort() + ":" + remote.getPort()
                    + " lost D=" + elapsed());
        }
        transaction = null;
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent handshake) {
            handshakeDone(handshake);
            return;
        }
        if (evt == ReceiveDeadline.Expired.EVENT && !closing) {
            if (receivingMessage()) {
                services.log().main("SMTP data timeout (message abandoned) on connection from "
                        + hostDescription() + " F=<" + transaction.sender + ">");
                closeWith(Reply.of(421, config.primaryHostname() + " SMTP incoming data timeout - closing connection."));
            } else {
                services.log().main("SMTP command timeout on" + (tlsUp ? " TLS" : "") + " connection from "
                        + hostDescription());
                closeWith(Reply.of(421, config.primaryHostname() + ": SMTP command timeout - closing connection"));
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (peerWentAway(cause)) {
            // Not our error: the client reset the connection (often one that closed with replies unread).
            // channelInactive reports it as a lost connection, like a close without QUIT.
            ctx.close();
            return;
        }
        if (!closing) {
            services.log().main("SMTP connection from " + hostDescription() + " closed after error: "
                    + TlsErrors.describe(cause));
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
                Throwable cause = handshake.cause();
                services.log().main("TLS error on connection from " + hostDescriptionNoPort() + " ("
                        + (implicitTls ? "tls_on_connect" : "STARTTLS") + "): " + TlsErrors.describe(cause));
            }
            ctx.close();
            return;
        }
        tlsUp = true;
        if (implicitTls) {
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
        if (services.log().selected("smtp_connection")) {
            services.log().main("SMTP connection from " + hostDescriptionNoPort() + ":" + remote.getPort()
                    + " closed by client (end of input) D=" + elapsed());
        }
        resetTransaction();
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (bannerSent) {
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
                case InboundEvent.Content content -> content(content.content());
                case InboundEvent.DataEnd end -> endOfData(end.flaws());
                case InboundEvent.ChunkEnd ignored -> endOfChunk();
                default -> throw new IllegalStateException("unexpected " + msg);
            }
        } finally {
            InboundEvent.release(msg);
        }
    }

    private void commandLine(InboundEvent.CommandLine line) {
        if (!bannerSent) {
            if (!earlyAllowed) {
                String input = line.text() + (line.bareLf() ? "\n" : "\r\n") + decoder.peekBuffered(128);
                services.log().reject("SMTP protocol synchronization error (input sent without waiting for greeting):"
                        + " rejected connection from H=" + hostBracket() + " input=\"" + LogText.printable(input, 128) + "\"");
                closeWith(Reply.of(554, "SMTP synchronization error"));
                return;
            }
            earlyPipeliningUsed = true;
            writeBanner();
        }
        if (tlsUp && tlsInfo == null) {
            tlsInfo = tls.info();
        }
        if (line.tooLong()) {
            protocolError(Reply.of(500, "5.5.2 Line too long (more than 512 octets)"), "line too long");
            return;
        }
        SmtpCommand command = SmtpCommand.parse(line.text());
        Verb verb = command.verb();
        boolean more = decoder.hasBufferedInput();
        switch (verb) {
            case EHLO, HELO -> hello(command);
            case MAIL -> mail(command);
            case RCPT -> rcpt(command);
            case DATA -> data();
            case BDAT -> bdat(command);
            case RSET -> {
                resetTransaction();
                write(Reply.of(250, "2.0.0 Reset OK"));
            }
            case NOOP -> write(Reply.of(250, "2.0.0 OK"));
            case QUIT -> {
                if (services.log().selected("smtp_connection")) {
                    services.log().main("SMTP connection from " + hostDescriptionNoPort() + ":" + remote.getPort()
                            + " closed by QUIT");
                }
                closeWith(Reply.of(221, config.primaryHostname() + " closing connection"));
                return;
            }
            case VRFY -> write(Reply.of(252, "2.1.0 Cannot VRFY user, but will accept message and attempt delivery"));
            case EXPN -> write(Reply.of(502, "5.5.1 EXPN not available"));
            case HELP -> write(new Reply(214, List.of("Commands supported:",
                    "AUTH HELO EHLO MAIL RCPT DATA BDAT NOOP QUIT RSET HELP")));
            case STARTTLS -> startTls(command);
            case AUTH -> protocolError(Reply.of(503, "5.5.1 AUTH not advertised"), "AUTH not advertised");
            case UNKNOWN -> unknownCommand(line.text());
        }
        // What follows BDAT is its chunk; what followed STARTTLS was thrown away (RFC 3207).
        if (!closing && more && verb != Verb.BDAT && verb != Verb.STARTTLS) {
            checkSynchronisation(command);
        }
    }

    /**
     * RFC 2920: a command that ends a group must be the last of the input, and without PIPELINING every
     * command must be. The exception is early pipelining: a host that may use it sends EHLO and what follows
     * before any reply, up to its first DATA or BDAT.
     */
    private void checkSynchronisation(SmtpCommand command) {
        Verb verb = command.verb();
        boolean groupEnd = verb.endsGroup() || !pipeliningAdvertised;
        if (!groupEnd) {
            pipelinedInMessage = true;
            return;
        }
        boolean early = earlyAllowed && !dataSeen && verb != Verb.DATA && verb != Verb.QUIT;
        if (early) {
            if (verb == Verb.EHLO || verb == Verb.HELO) {
                earlyPipeliningUsed = true;
            }
            pipelinedInMessage = true;
            return;
        }
        if (!config.smtpEnforceSync()) {
            pipelinedInMessage = true;
            return;
        }
        services.log().reject("SMTP protocol synchronization error (next input sent too soon: pipelining was "
                + (pipeliningAdvertised ? "" : "not ") + "advertised): rejected \"" + LogText.printable(command.line(), 128)
                + "\" " + hostDescription() + " next input=\"" + LogText.printable(decoder.peekBuffered(128), 128) + "\"");
        closeWith(Reply.of(554, "SMTP synchronization error"));
    }

    /**
     * RFC 3207. Input pipelined behind STARTTLS is discarded, never read as commands inside TLS (the
     * CVE-2011-0411 class of injection), and everything learnt before TLS is forgotten.
     */
    private void startTls(SmtpCommand command) {
        if (tls != null) {
            protocolError(Reply.of(503, "5.5.1 TLS already active"), "STARTTLS inside TLS");
            return;
        }
        if (!starttlsAdvertised) {
            protocolError(Reply.of(503, "5.5.1 STARTTLS not advertised"), "STARTTLS not advertised");
            return;
        }
        if (!command.argument().isEmpty()) {
            syntaxError(Reply.of(501, "5.5.4 STARTTLS takes no argument"), command);
            return;
        }
        write(Reply.of(220, "2.0.0 Ready to start TLS"));
        ctx.flush();
        String sample = decoder.peekBuffered(128);
        int discarded = decoder.discardBuffered();
        if (discarded > 0) {
            services.log().reject("SMTP protocol error: " + discarded + " octets pipelined after STARTTLS discarded,"
                    + " " + hostDescription() + " input=\"" + LogText.printable(sample, 128) + "\"");
        }
        resetTransaction();
        helo = null;
        esmtp = false;
        pipeliningAdvertised = false;
        pipeconnectAdvertised = false;
        chunkingAdvertised = false;
        starttlsAdvertised = false;
        tls = services.tls().newHandlers(ctx.alloc(), remote.getAddress());
        tls.addFirst(ctx.pipeline());
    }

    private void hello(SmtpCommand command) {
        String name = command.argument();
        if (name.isEmpty() || name.chars().anyMatch(c -> c < 33 || c == 127)) {
            protocolError(Reply.of(501, "5.5.4 Syntactic error in " + command.verb() + " argument"),
                    "bad " + command.verb() + " argument");
            return;
        }
        resetTransaction();
        helo = name;
        esmtp = command.verb() == Verb.EHLO;
        if (!esmtp) {
            pipeliningAdvertised = false;
            pipeconnectAdvertised = false;
            chunkingAdvertised = false;
            starttlsAdvertised = false;
            write(Reply.of(250, config.primaryHostname() + " Hello " + name + " " + hostBracket()));
            return;
        }
        InetAddress address = remote.getAddress();
        pipeliningAdvertised = config.pipeliningAdvertiseHosts().matches(address);
        pipeconnectAdvertised = pipeliningAdvertised && earlyAllowed;
        chunkingAdvertised = config.chunkingAdvertiseHosts().matches(address);
        starttlsAdvertised = tls == null && services.tls() != null && config.tlsAdvertiseHosts().matches(address);
        List<String> lines = new ArrayList<>();
        lines.add(config.primaryHostname() + " Hello " + name + " " + hostBracket());
        lines.add(config.messageSizeLimit() > 0 ? "SIZE " + config.messageSizeLimit() : "SIZE");
        lines.add("8BITMIME");
        if (pipeliningAdvertised) {
            lines.add("PIPELINING");
        }
        if (pipeconnectAdvertised) {
            lines.add("PIPECONNECT");
        }
        if (chunkingAdvertised) {
            lines.add("CHUNKING");
        }
        if (starttlsAdvertised) {
            lines.add("STARTTLS");
        }
        lines.add("SMTPUTF8");
        lines.add("ENHANCEDSTATUSCODES");
        lines.add("HELP");
        write(new Reply(250, lines));
    }

    private void mail(SmtpCommand command) {
        if (helo == null) {
            protocolError(Reply.of(503, "5.5.1 EHLO or HELO first"), "MAIL before HELO");
            return;
        }
        if (transaction != null) {
            protocolError(Reply.of(503, "5.5.1 Sender already given"), "second MAIL");
            return;
        }
        PathArgument from;
        try {
            from = PathArgument.parse(command.argument(), "FROM", true);
            MailParameters.check(from.parameters(), esmtp);
        } catch (SmtpSyntaxException e) {
            syntaxError(e.reply(), command);
            return;
        }
        String size = from.parameters().get("SIZE");
        if (size != null && config.messageSizeLimit() > 0 && MailParameters.sizeExceeds(size, config.messageSizeLimit())) {
            services.log().reject(hostDescription() + " F=<" + from.address() + "> rejected MAIL: message too big:"
                    + " SIZE=" + size);
            write(Reply.of(552, "5.3.4 Message size exceeds maximum permitted"));
            return;
        }
        transaction = new Transaction(from.address(), from.parameters().containsKey("SMTPUTF8"));
        write(Reply.of(250, "2.1.0 OK"));
    }

    private void rcpt(SmtpCommand command) {
        if (transaction == null) {
            protocolError(Reply.of(503, "5.5.1 sender not yet given"), "RCPT before MAIL");
            return;
        }
        if (transaction.receiving() || chunkRefusal != null) {
            protocolError(Reply.of(503, "5.5.1 RCPT not allowed during message transfer"), "RCPT during BDAT");
            return;
        }
        PathArgument to;
        try {
            to = PathArgument.parse(command.argument(), "TO", false);
            if (!to.parameters().isEmpty()) {
                throw new SmtpSyntaxException("555 5.5.4 Unsupported parameter "
                        + to.parameters().keySet().iterator().next());
            }
        } catch (SmtpSyntaxException e) {
            syntaxError(e.reply(), command);
            return;
        }
        if (transaction.recipients.size() >= config.recipientsMax()) {
            services.log().reject(hostDescription() + " F=<" + transaction.sender + "> rejected RCPT <"
                    + to.address() + ">: too many recipients");
            write(Reply.of(452, "4.5.3 Too many recipients"));
            return;
        }
        String recipient = to.postmaster() ? "postmaster@" + config.primaryHostname() : to.address();
        String domain = to.postmaster() ? config.primaryHostname() : to.mailbox().domainLowerCase();
        boolean local = config.localDomains().matches(domain);
        boolean relayAllowed = local || config.relayToDomains().matches(domain)
                || config.relayFromHosts().matches(remote.getAddress());
        if (!relayAllowed) {
            services.log().reject(hostDescription() + " F=<" + transaction.sender + "> rejected RCPT <" + recipient
                    + ">: relay not permitted");
            write(Reply.of(550, "5.7.1 relay not permitted"));
            return;
        }
        transaction.recipients.add(recipient);
        write(Reply.of(250, "2.1.5 Accepted"));
    }

    private void data() {
        Reply refusal = transactionRefusal("DATA");
        if (refusal == null && transaction.chunking) {
            refusal = Reply.of(503, "5.5.1 DATA not permitted after BDAT");
        }
        dataSeen = true;
        if (refusal != null) {
            protocolError(refusal, "DATA refused");
            return;
        }
        startReception();
        write(Reply.of(354, "Enter message, ending with \".\" on a line by itself"));
        decoder.expectData();
    }

    /** Why DATA or BDAT cannot start a message now, or null when it can. */
    private Reply transactionRefusal(String verb) {
        if (transaction == null) {
            return Reply.of(503, "5.5.1 " + verb + " without MAIL (sender not yet given)");
        }
        if (transaction.recipients.isEmpty()) {
            return Reply.of(503, "5.5.1 valid RCPT command must precede " + verb);
        }
        return null;
    }

    private void bdat(SmtpCommand command) {
        dataSeen = true;
        String[] words = command.argument().split(" +");
        boolean last = words.length == 2 && words[1].equalsIgnoreCase("LAST");
        if (words.length < 1 || words.length > 2 || (words.length == 2 && !last) || !words[0].matches("[0-9]{1,18}")) {
            // Without a size we cannot find the end of the chunk, so the rest of the input is meaningless.
            services.log().reject("SMTP protocol error in \"" + LogText.printable(command.line(), 128) + "\" "
                    + hostDescription() + ": invalid BDAT size, connection dropped");
            closeWith(Reply.of(501, "5.5.4 BDAT: invalid chunk size; closing connection"));
            return;
        }
        long size = Long.parseLong(words[0]);
        Reply refusal = transactionRefusal("BDAT");
        if (!chunkingAdvertised && refusal == null) {
            refusal = Reply.of(503, "5.5.1 CHUNKING not advertised");
        }
        chunkLast = last;
        if (refusal == null) {
            transaction.chunking = true;
            if (!transaction.receiving()) {
                startReception();
            }
        }
        chunkRefusal = refusal;
        if (size == 0) {
            endOfChunk();
        } else {
            decoder.expectChunk(size);
        }
    }

    private void content(ByteBuf data) {
        Transaction t = transaction;
        if (t == null || !t.receiving() || chunkRefusal != null) {
            return; // read only to keep in step with the client
        }
        if (t.oversize) {
            return;
        }
        t.headers.feed(data);
        t.dataSize += data.readableBytes();
        long limit = config.messageSizeLimit();
        if (limit > 0 && t.dataSize > limit) {
            t.oversize = true;
            return;
        }
        try {
            for (ByteBuffer b : data.nioBuffers()) {
                t.reception.append(b);
            }
        } catch (IOException e) {
            services.log().panic("cannot buffer message from " + hostDescription() + ": " + e.getMessage());
            t.oversize = true;
        }
    }

    private void endOfChunk() {
        if (chunkRefusal != null) {
            Reply refusal = chunkRefusal;
            chunkRefusal = null;
            protocolError(refusal, "BDAT refused");
            return;
        }
        if (chunkLast) {
            finishMessage(Set.of());
        } else {
            write(Reply.of(250, "2.0.0 chunk received"));
        }
    }

    private void endOfData(Set<DataFlaw> flaws) {
        finishMessage(flaws);
    }

    private void finishMessage(Set<DataFlaw> flaws) {
        Transaction t = transaction;
        if (!flaws.isEmpty()) {
            DataFlaw flaw = flaws.iterator().next();
            services.log().reject(hostDescription() + " F=<" + t.sender + "> rejected after DATA: "
                    + flaw.reply().substring(4));
            refuseMessage(Reply.parse(flaw.reply()));
            return;
        }
        if (t.oversize) {
            services.log().reject(hostDescription() + " F=<" + t.sender + "> rejected after DATA: message too big: "
                    + "read=" + t.reception.size() + " max=" + config.messageSizeLimit());
            refuseMessage(Reply.of(552, "5.3.4 Message size exceeds maximum permitted"));
            return;
        }
        Reception reception = t.reception;
        Envelope envelope = new Envelope(t.sender, t.recipients, Instant.now(), helo,
                remote.getAddress().getHostAddress(), remote.getPort(), protocolName(),
                tlsInfo == null ? null : tlsInfo.eximCipherField());
        String lField = pipeliningField();
        // Input pipelined behind the message waits in the decoder until the 250 (or 451) is written.
        transaction = null;
        decoder.pause();
        committing = true;
        reception.commit(envelope).whenComplete((ok, failure) -> ctx.executor().execute(() -> {
            if (failure == null) {
                services.log().main(new Arrival(reception.messageId(), t.sender, hostDescriptionNoPort(),
                        remote.getPort(), fastOpen, protocolName(), lField, tlsInfo, t.chunking, reception.size(),
                        t.headers.messageId(), t.headers.header("Subject"), t.recipients).logLine(services.log()));
                fastOpen = null; // Exim logs it once a connection
                write(Reply.of(250, "OK id=" + reception.messageId()));
                services.accepted().accept(reception.messageId());
            } else {
                services.log().panic("failed to spool message from " + hostDescription() + ": "
                        + failure.getMessage());
                write(Reply.of(451, "4.3.0 Temporary local problem - please try again later"));
            }
            pipelinedInMessage = false;
            resumeInput();
        }));
    }

    private void refuseMessage(Reply reply) {
        transaction.reception.discard();
        transaction = null;
        pipelinedInMessage = false;
        write(reply);
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

    private void startReception() {
        String id = services.spool().newMessageId();
        Reception reception = services.spool().receive(id);
        transaction.reception = reception;
        try {
            reception.append(ReceivedHeader.text(helo, hostBracket(), config.primaryHostname(), protocolName(),
                    services.version(), tlsInfo, transaction.sender, id, transaction.recipients,
                    ZonedDateTime.now(ZoneId.systemDefault())).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            transaction.oversize = true;
        }
    }

    private String protocolName() {
        return (esmtp ? "esmtp" : "smtp") + (tlsUp ? "s" : "");
    }

    /** Exim's L field: L, then * (early pipelining used) or . (offered, not used), then - if not pipelined. */
    private String pipeliningField() {
        if (!pipeliningAdvertised) {
            return null;
        }
        return "L" + (earlyPipeliningUsed ? "*" : pipeconnectAdvertised ? "." : "") + (pipelinedInMessage ? "" : "-");
    }

    // ---------------------------------------------------------------- errors

    private void unknownCommand(String text) {
        unknownCommands++;
        services.log().reject("unknown command \"" + LogText.printable(text, 64) + "\" from " + hostDescription());
        if (unknownCommands > config.smtpMaxUnknownCommands()) {
            services.log().reject("SMTP call from " + hostDescription()
                    + " dropped: too many unrecognized commands (last was \"" + LogText.printable(text, 64) + "\")");
            closeWith(Reply.of(500, "5.5.1 Too many unrecognized commands"));
            return;
        }
        write(Reply.of(500, "5.5.1 Unrecognized command"));
    }

    private void syntaxError(Reply reply, SmtpCommand command) {
        services.log().reject("SMTP syntax error in \"" + LogText.printable(command.line(), 128) + "\" " + hostDescription()
                + " " + reply.logText());
        countProtocolError(reply);
    }

    private void protocolError(Reply reply, String what) {
        services.log().reject("SMTP protocol error in \"" + what + "\" " + hostDescription() + " " + reply.logText());
        countProtocolError(reply);
    }

    private void countProtocolError(Reply reply) {
        if (++protocolErrors > config.smtpMaxSynprotErrors()) {
            services.log().reject("SMTP call from " + hostDescription()
                    + " dropped: too many syntax or protocol errors");
            write(reply);
            closeWith(Reply.of(421, config.primaryHostname() + " too many syntax or protocol errors"));
            return;
        }
        write(reply);
    }

    private void resetTransaction() {
        if (transaction != null && transaction.receiving()) {
            transaction.reception.discard();
        }
        transaction = null;
    }

    // ---------------------------------------------------------------- output

    private void write(Reply reply) {
        ctx.write(Unpooled.wrappedBuffer(reply.encode()));
    }

    private void closeWith(Reply reply) {
        closing = true;
        resetTransaction();
        decoder.pause();
        write(reply);
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private String hostBracket() {
        return "[" + remote.getAddress().getHostAddress() + "]";
    }

    private String hostDescriptionNoPort() {
        return (helo != null ? "(" + LogText.printable(helo, 64) + ") " : "") + hostBracket();
    }

    private String hostDescription() {
        return "H=" + hostDescriptionNoPort();
    }

    private String elapsed() {
        return Duration.ofNanos(System.nanoTime() - connectedAt).toSeconds() + "s";
    }
}
