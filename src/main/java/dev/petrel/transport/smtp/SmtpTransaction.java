package dev.petrel.transport.smtp;

import dev.petrel.config.RetryError;
import dev.petrel.smtp.BdatChunk;
import dev.petrel.smtp.ClientOutput;
import dev.petrel.smtp.CommandGroup;
import dev.petrel.smtp.MessageText;
import dev.petrel.smtp.Reply;
import dev.petrel.smtp.SmtpCommand;
import dev.petrel.smtp.Verb;
import dev.petrel.tls.ClientOutcome;
import dev.petrel.tls.ClientTls;
import dev.petrel.tls.TlsPeer;
import dev.petrel.transport.DeliveryResult;
import dev.petrel.transport.RemoteFacts;
import dev.petrel.transport.RemoteHost;

import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One message to one host over an open connection: greeting, EHLO (HELO when EHLO gets a 5xx), STARTTLS,
 * then MAIL, the RCPTs and DATA or {@code BDAT n LAST}, pipelined in one write when the server allows it.
 * Whatever concerns the host as a whole ends in a {@link HostFailure}; what concerns one address is that
 * address's {@link DeliveryResult}.
 */
final class SmtpTransaction {
    static final int ERRNO_RCPT4XX = RetryError.RCPT_4XX;
    static final int ERRNO_MAIL4XX = RetryError.MAIL_4XX;
    static final int ERRNO_DATA4XX = RetryError.DATA_4XX;
    static final int ERRNO_SMTPCLOSED = RetryError.LOST_CONNECTION;
    static final int ERRNO_TLSREQUIRED = RetryError.TLS_REQUIRED;

    private final ClientSession session;
    private final RemoteHost host;
    private final int port;
    private final HostPolicy policy;
    private final ClientTls clientTls;
    /** When the message in progress began: the connect for the first, its transaction for a later one. */
    private long started;
    /** Null for a host not in {@code hosts_pipe_connect}. */
    private final EarlyPipelining early;
    private final OutgoingHeaders headers;
    private ClientOutcome tls;
    private boolean tlsUp;
    private boolean tlsFailed;
    private boolean dsnOffered;
    private boolean earlyUsed;
    private boolean reconnect;
    /** The server's extensions as the first transaction used them, for the later ones (connection reuse). */
    private ServerExtensions ext = ServerExtensions.NONE;
    private int transactions;
    /** The last transaction ended with its message taken (or never began): no RSET is needed before the next. */
    private boolean endedCleanly = true;

    /**
     * @param started {@link System#nanoTime()} before the connect, for the delivery time ({@code DT=})
     * @param headers {@code headers_add}, applied where each way of sending writes the message
     */
    SmtpTransaction(ClientSession session, RemoteHost host, int port, HostPolicy policy, ClientTls clientTls,
            EarlyPipelining early, long started, OutgoingHeaders headers) {
        this.session = session;
        this.headers = headers;
        this.started = started;
        this.host = host;
        this.port = port;
        this.policy = policy;
        this.clientTls = clientTls;
        this.early = early;
    }

    /** STARTTLS was answered 220 but no TLS session came of it. */
    boolean tlsFailed() {
        return tlsFailed;
    }

    /** An early {@code EHLO,STARTTLS} met a refused banner or EHLO: connect again at once, without it. */
    boolean reconnectWithoutEarlyPipelining() {
        return reconnect;
    }

    /** Whether {@link #written} needs nothing of a TLS session: the message may then go while its handshake runs. */
    boolean writableBeforeTls() {
        return !headers.usesTls();
    }

    /** The message with {@code headers_add} expanded now (TLS facts worked out only for it); a failure is the message's. */
    Message written(Message message) throws HostFailure {
        if (headers.isEmpty()) {
            return message;
        }
        try {
            return headers.apply(message, host, session.connection().localAddress(),
                    () -> tls != null ? tls.info() : session.tlsNow(), policy.sni(), transactions > 1);
        } catch (IllegalArgumentException e) {
            throw new HostFailure(e.getMessage(), -1).asMessageError();
        }
    }

    /**
     * The connection's opening and its first message; one result per recipient, in order. The session is left
     * open: {@link #send} may follow (connection reuse), then {@link #quit}.
     */
    List<DeliveryResult> run(Message message) throws HostFailure {
        transactions = 1;
        try {
            return converse(message);
        } catch (IOException e) {
            throw new HostFailure(SmtpErrors.describe(e), SmtpErrors.errno(e));
        }
    }

    /**
     * A later message on the open connection (Exim's continued delivery): {@code RSET} first when the last
     * transaction did not end at its data's reply; its facts carry the log's {@code *}. One result per
     * recipient, in order.
     */
    List<DeliveryResult> send(Message message) throws HostFailure {
        transactions++;
        started = System.nanoTime();
        try {
            if (!endedCleanly) {
                expect(session.send(SmtpCommand.of(Verb.RSET)).getFirst(), 250, "RSET");
                endedCleanly = true;
            }
            return checked(message, ext);
        } catch (IOException e) {
            throw new HostFailure(SmtpErrors.describe(e), SmtpErrors.errno(e));
        }
    }

    /** Messages this connection has carried, counting the one in progress. */
    int transactions() {
        return transactions;
    }

    /** On the early cleartext path {@code message} is written already: it left with the connect. */
    private List<DeliveryResult> converse(Message message) throws IOException, HostFailure {
        EarlyPipelining.Path path = early == null ? null : early.path().orElse(null);
        if (policy.smtps()) {
            message = EarlyConversation.implicitTls(this, session, policy, early, message,
                    path == EarlyPipelining.Path.IMPLICIT_TLS);
        }
        if (path != null) {
            earlyUsed = true;
            return new EarlyConversation(this, session, policy, early).run(message, path);
        }
        expect(session.greeting(), 220, "initial connection");
        if (policy.smtps()) {
            tlsUp = true;
            tlsEstablished();
        }
        ServerExtensions ext = hello();
        if (early != null) {
            Reply first = session.ehloInForce();
            if (tlsUp) {
                early.tlsEhlo(first);
            } else {
                early.clearEhlo(first);
            }
        }
        if (!tlsUp && ext.startTls() && (policy.tryTls() || policy.requireTls())) {
            Reply r;
            try {
                r = session.startTls(clientTls, peer(), policy.resumption());
            } catch (IOException e) {
                tlsFailed = true;
                throw e;
            }
            if (r.code() == 220) {
                tlsUp = true;
                ext = hello();
                // After the first reply over TLS: a TLS 1.3 ticket arrives after the handshake.
                tlsEstablished();
                if (early != null) {
                    early.tlsEhlo(session.ehloInForce());
                }
            } else if (r.code() == 421) {
                throw SmtpErrors.smtpError("STARTTLS", r, ERRNO_SMTPCLOSED);
            }
        }
        if (early != null) {
            early.settle();
        }
        return transactionChecked(message, ext);
    }

    /** The TLS for an early {@code EHLO,STARTTLS}'s 220, prepared while the group is in flight. */
    void prepareTlsAfterEarly() {
        session.prepareTlsAfterEarly(clientTls, peer(), policy.resumption());
    }

    /** TLS after an early {@code EHLO,STARTTLS}'s 220. */
    void startTlsAfterEarly() throws IOException, HostFailure {
        try {
            session.startTlsAfterEarly();
        } catch (IOException e) {
            tlsFailed = true;
            throw e;
        }
        tlsUp = true;
        verifiedBeforeSending();
    }

    /** With {@code tls_verify_hosts}, nothing of the message goes to a server whose certificate failed. */
    void verifiedBeforeSending() throws HostFailure {
        if (policy.requireVerify() && !session.tlsVerification().verified()) {
            throw verificationFailed(session.tlsVerification().detail());
        }
    }

    private static HostFailure verificationFailed(String detail) {
        return new HostFailure("TLS session: certificate verification failed: " + detail, ERRNO_TLSREQUIRED);
    }

    /** Implicit TLS is up: its facts are known once the banner has come. */
    void implicitTlsUp() throws HostFailure {
        tlsUp = true;
        tlsEstablished();
    }

    /** The refusal of an early {@code EHLO,STARTTLS} connection: tried again at once without it. */
    HostFailure reconnect(Reply r) {
        reconnect = true;
        return SmtpErrors.smtpError("initial connection", r, ERRNO_SMTPCLOSED);
    }

    /**
     * The rest of a transaction whose MAIL, RCPTs and DATA or BDAT went together; the session stays open for
     * {@link #send} or {@link #quit}.
     */
    List<DeliveryResult> pipelined(Message message, ServerExtensions ext, List<Reply> replies)
            throws IOException, HostFailure {
        this.ext = ext;
        return outcome(message, ext, replies, true);
    }

    /** The transaction after the checks that need no server: TLS required, SMTPUTF8, SIZE. */
    List<DeliveryResult> transactionChecked(Message message, ServerExtensions ext) throws IOException, HostFailure {
        if (tls == null && policy.requireTls()) {
            throw new HostFailure("a TLS session is required, but "
                    + (ext.startTls() ? "an attempt to start TLS failed" : "the server did not offer TLS support"),
                    ERRNO_TLSREQUIRED);
        }
        dsnOffered = ext.dsn();
        this.ext = ext;
        return checked(message, ext);
    }

    /** The message written (if that fails, nothing is sent: the connection stays fit), SMTPUTF8, SIZE, the transaction. */
    private List<DeliveryResult> checked(Message spooled, ServerExtensions ext) throws IOException, HostFailure {
        Message message;
        try {
            message = written(spooled);
        } catch (HostFailure f) {
            return spooled.forEveryRecipient(DeliveryResult.deferred(-1, f.getMessage()), facts(false, false, null));
        }
        if (message.needsUtf8() && !ext.smtpUtf8()) {
            return message.forEveryRecipient(DeliveryResult.failed(
                    "message needs SMTPUTF8 (an address is not ASCII), but the server does not offer it"),
                    facts(false, false, null));
        }
        if (ext.tooBig(message.data().length)) {
            return message.forEveryRecipient(DeliveryResult.failed("message is too big for the remote server ("
                    + message.data().length + " octets; its SIZE limit is " + ext.size() + ")"), facts(false, false, null));
        }
        return transaction(message, ext);
    }

    /** Ends the session politely; the connection is closed by its owner. */
    void quit() {
        try {
            session.quit();
        } catch (IOException e) {
            // The message is done with; a server that drops the connection at QUIT changes nothing.
        }
    }

    ServerExtensions hello() throws IOException, HostFailure {
        Reply r = session.ehlo();
        if (r.code() == 250) {
            return ServerExtensions.of(r);
        }
        if (r.code() >= 500 && !tlsUp) {
            Reply helo = session.send(SmtpCommand.of(Verb.HELO, session.heloName())).getFirst();
            expect(helo, 250, "HELO " + session.heloName());
            return ServerExtensions.NONE;
        }
        throw SmtpErrors.smtpError("EHLO " + session.heloName(), r, r.code() >= 500 ? ERRNO_SMTPCLOSED : ERRNO_MAIL4XX);
    }

    void tlsEstablished() throws HostFailure {
        tls = session.tlsOutcome();
        if (policy.requireVerify() && !tls.verification().verified()) {
            throw verificationFailed(tls.verification().detail());
        }
    }

    private List<DeliveryResult> transaction(Message message, ServerExtensions ext) throws IOException, HostFailure {
        boolean pipelined = ext.pipelining() && policy.pipelining();
        List<Reply> replies;
        if (pipelined) {
            replies = sendWithData(new CommandGroup(TransactionCommands.group(message, ext, policy)),
                    ext.chunking() && policy.chunking());
        } else {
            replies = new ArrayList<>();
            for (SmtpCommand c : TransactionCommands.envelope(message, ext)) {
                Reply r = session.send(c).getFirst();
                replies.add(r);
                if (c.verb() == Verb.MAIL && r.code() >= 400) {
                    break;
                }
            }
        }
        return outcome(message, ext, replies, pipelined);
    }

    /** A group ending in the message itself waits for its last reply under {@code data_timeout}. */
    private List<Reply> sendWithData(ClientOutput group, boolean chunked) throws IOException {
        return chunked ? session.sendUnder(group, policy.dataTimeout(), policy.commandTimeout()) : session.send(group);
    }

    /** The replies to MAIL, the RCPTs and DATA or BDAT (all of them when pipelined), and the rest of the transaction. */
    private List<DeliveryResult> outcome(Message message, ServerExtensions ext, List<Reply> replies, boolean pipelined)
            throws IOException, HostFailure {
        boolean chunked = ext.chunking() && policy.chunking();
        List<SmtpCommand> envelope = TransactionCommands.envelope(message, ext);
        String pl = pipelined ? "pipelined " : "";
        endedCleanly = false;
        Reply mail = replies.getFirst();
        if (mail.code() >= 400) {
            if (pipelined && !chunked && replies.getLast().code() == 354) {
                // A server that says 354 after refusing MAIL waits for text: an empty message ends it.
                session.send(MessageText.whole(Unpooled.EMPTY_BUFFER));
            }
            HostFailure f = SmtpErrors.smtpError(pl + envelope.getFirst().line(), mail, ERRNO_MAIL4XX);
            if (mail.code() >= 500) {
                return message.forEveryRecipient(DeliveryResult.failed(f.getMessage()),
                        facts(pipelined, chunked, mail.logText()));
            }
            if (mail.code() != 421) {
                quit(); // the server is still talking: leave it properly before trying the next host
                throw f.asMessageError();
            }
            throw f;
        }
        RemoteFacts facts = facts(pipelined, chunked, null);
        List<DeliveryResult> results = new ArrayList<>();
        boolean anyAccepted = false;
        for (int i = 0; i < message.recipients().size(); i++) {
            Reply r = replies.get(i + 1);
            if (r.code() == 421) {
                throw SmtpErrors.smtpError(pl + envelope.get(i + 1).line(), r, ERRNO_SMTPCLOSED);
            }
            if (r.code() < 400) {
                anyAccepted = true;
                results.add(null);
                continue;
            }
            String reason = SmtpErrors.smtpError(pl + envelope.get(i + 1).line(), r, ERRNO_RCPT4XX).getMessage();
            results.add((r.code() >= 500 ? DeliveryResult.failed(reason)
                    : DeliveryResult.deferred(ERRNO_RCPT4XX, reason).withMoreErrno(SmtpErrors.moreErrno(r)))
                    .withRemote(facts.withReply(r.logText()), false));
        }
        Reply end;
        if (chunked) {
            if (!pipelined && !anyAccepted) {
                return results;
            }
            end = pipelined ? replies.getLast() : sendData(new BdatChunk(Unpooled.wrappedBuffer(message.data()), true));
        } else {
            Reply data = pipelined ? replies.getLast() : anyAccepted ? session.send(SmtpCommand.of(Verb.DATA)).getFirst() : null;
            if (data == null) {
                return results;
            }
            if (data.code() != 354) {
                if (!anyAccepted) {
                    return results;
                }
                return dataFailure(results, SmtpErrors.smtpError(pl + "DATA", data, ERRNO_DATA4XX), data, facts);
            }
            if (!anyAccepted) {
                // RFC 2920: a 354 with no recipient accepted is answered with an empty message.
                session.send(MessageText.whole(Unpooled.EMPTY_BUFFER));
                return results;
            }
            end = sendData(MessageText.whole(Unpooled.wrappedBuffer(message.data())));
        }
        // Only a message taken ends the transaction for certain (Exim's send_rset rule); after a refusal, RSET.
        endedCleanly = anyAccepted && end.code() < 400;
        if (!anyAccepted) {
            return results;
        }
        if (end.code() >= 400) {
            return dataFailure(results, SmtpErrors.smtpError("end of data", end, ERRNO_DATA4XX), end, facts);
        }
        RemoteFacts done = facts.withReply(end.logText()).withDeliveryTime(Duration.ofNanos(System.nanoTime() - started));
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i) == null) {
                results.set(i, DeliveryResult.delivered(message.recipients().get(i)).withRemote(done, false));
            }
        }
        return results;
    }

    /** Message text goes out under {@code data_timeout}; the commands after it under {@code command_timeout}. */
    private Reply sendData(ClientOutput text) throws IOException {
        return session.sendUnder(text, policy.dataTimeout(), policy.commandTimeout()).getFirst();
    }

    /** A refusal of the message itself: 5xx fails the accepted recipients, 4xx defers them. */
    private List<DeliveryResult> dataFailure(List<DeliveryResult> results, HostFailure f, Reply reply, RemoteFacts facts)
            throws HostFailure {
        if (reply.code() == 421) {
            throw f;
        }
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i) == null) {
                DeliveryResult r = reply.code() >= 500 ? DeliveryResult.failed(f.getMessage())
                        : DeliveryResult.deferred(ERRNO_DATA4XX, f.getMessage()).withMoreErrno(SmtpErrors.moreErrno(reply));
                results.set(i, r.withRemote(facts.withReply(reply.logText()), false));
            }
        }
        return results;
    }

    RemoteFacts facts(boolean pipelined, boolean chunked, String reply) {
        RemoteFacts facts = new RemoteFacts(host.name(), host.address().getHostAddress(), port,
                tls == null ? null : tls.info(), tls != null && tls.verification().verified(), pipelined,
                pipelined && earlyUsed, chunked, reply, dsnOffered, session.connection().fastOpen(), null, false);
        return transactions > 1 ? facts.asContinued() : facts;
    }

    private TlsPeer peer() {
        return policy.tlsPeer(host, port, session.connection().localAddress());
    }

    private void expect(Reply r, int code, String after) throws HostFailure {
        if (r.code() != code) {
            throw SmtpErrors.smtpError(after, r, r.code() >= 500 ? ERRNO_SMTPCLOSED : ERRNO_MAIL4XX);
        }
    }
}
