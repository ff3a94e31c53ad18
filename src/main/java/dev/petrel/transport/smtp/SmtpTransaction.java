package dev.petrel.transport.smtp;

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
import java.util.ArrayList;
import java.util.List;

/**
 * One message to one host over an open connection: greeting, EHLO (HELO when EHLO gets a 5xx), STARTTLS,
 * then MAIL, the RCPTs and DATA or {@code BDAT n LAST}, pipelined in one write when the server allows it.
 * Whatever concerns the host as a whole ends in a {@link HostFailure}; what concerns one address is that
 * address's {@link DeliveryResult}.
 */
final class SmtpTransaction {
    static final int ERRNO_RCPT4XX = -44;
    static final int ERRNO_MAIL4XX = -45;
    static final int ERRNO_DATA4XX = -46;
    static final int ERRNO_SMTPCLOSED = -18;
    static final int ERRNO_TLSREQUIRED = -38;

    private final ClientSession session;
    private final RemoteHost host;
    private final int port;
    private final HostPolicy policy;
    private final ClientTls clientTls;
    private ClientOutcome tls;
    private boolean tlsUp;
    private boolean tlsFailed;
    private ServerExtensions ext = ServerExtensions.NONE;
    private int transactions;
    /** The last transaction ended with the reply to its message text (or never began): no RSET is needed. */
    private boolean endedCleanly = true;

    SmtpTransaction(ClientSession session, RemoteHost host, int port, HostPolicy policy, ClientTls clientTls) {
        this.session = session;
        this.host = host;
        this.port = port;
        this.policy = policy;
        this.clientTls = clientTls;
    }

    /** STARTTLS was answered 220 but no TLS session came of it. */
    boolean tlsFailed() {
        return tlsFailed;
    }

    /** The message to send and what it needs from the server. */
    record Message(String sender, List<String> recipients, byte[] data, boolean eightBit, boolean needsUtf8) {}

    /** The connection's opening: greeting, EHLO, STARTTLS and EHLO again, as the policy asks. */
    void open() throws HostFailure {
        try {
            ext = converseOpening();
        } catch (IOException e) {
            throw new HostFailure(describe(e), errno(e));
        }
    }

    /**
     * One transaction on the open connection; the first, or a later one (Exim's continued delivery: RSET first
     * when the last transaction did not end at its data's reply, and the log's {@code *}). One result per
     * recipient, in order.
     */
    List<DeliveryResult> send(Message message) throws HostFailure {
        try {
            if (++transactions > 1 && !endedCleanly) {
                expect(session.send(SmtpCommand.of(Verb.RSET)).getFirst(), 250, "RSET");
            }
            return converseMessage(message);
        } catch (IOException e) {
            throw new HostFailure(describe(e), errno(e));
        }
    }

    /** Messages this connection has carried, counting the one in progress. */
    int transactions() {
        return transactions;
    }

    private ServerExtensions converseOpening() throws IOException, HostFailure {
        if (policy.smtps()) {
            session.tlsOnConnect(clientTls, peer(), policy.resumption());
        }
        expect(session.greeting(), 220, "initial connection");
        if (policy.smtps()) {
            tlsUp = true;
            tlsEstablished();
        }
        ServerExtensions ext = hello();
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
            } else if (r.code() == 421) {
                throw smtpError("STARTTLS", r, ERRNO_SMTPCLOSED);
            }
        }
        if (tls == null && policy.requireTls()) {
            throw new HostFailure("a TLS session is required, but "
                    + (ext.startTls() ? "an attempt to start TLS failed" : "the server did not offer TLS support"),
                    ERRNO_TLSREQUIRED);
        }
        return ext;
    }

    private List<DeliveryResult> converseMessage(Message message) throws IOException, HostFailure {
        if (message.needsUtf8() && !ext.smtpUtf8()) {
            return all(message, DeliveryResult.failed("message needs SMTPUTF8 (an address is not ASCII), but "
                    + "the server does not offer it"), facts(false, false, null));
        }
        if (ext.tooBig(message.data().length)) {
            return all(message, DeliveryResult.failed("message is too big for the remote server ("
                    + message.data().length + " octets; its SIZE limit is " + ext.size() + ")"), facts(false, false, null));
        }
        endedCleanly = false;
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

    private ServerExtensions hello() throws IOException, HostFailure {
        Reply r = session.ehlo();
        if (r.code() == 250) {
            return ServerExtensions.of(r);
        }
        if (r.code() >= 500 && !tlsUp) {
            Reply helo = session.send(SmtpCommand.of(Verb.HELO, policy.heloName())).getFirst();
            expect(helo, 250, "HELO " + policy.heloName());
            return ServerExtensions.NONE;
        }
        throw smtpError("EHLO " + policy.heloName(), r, r.code() >= 500 ? ERRNO_SMTPCLOSED : ERRNO_MAIL4XX);
    }

    private void tlsEstablished() throws HostFailure {
        tls = session.tlsOutcome();
        if (policy.requireVerify() && !tls.verification().verified()) {
            throw new HostFailure("TLS session: certificate verification failed: " + tls.verification().detail(),
                    ERRNO_TLSREQUIRED);
        }
    }

    private List<DeliveryResult> transaction(Message message, ServerExtensions ext) throws IOException, HostFailure {
        boolean pipelined = ext.pipelining() && policy.pipelining();
        boolean chunked = ext.chunking() && policy.chunking();
        List<SmtpCommand> envelope = new ArrayList<>();
        envelope.add(SmtpCommand.of(Verb.MAIL, mailArgument(message, ext)));
        for (String rcpt : message.recipients()) {
            envelope.add(SmtpCommand.of(Verb.RCPT, "TO:<" + rcpt + ">"));
        }
        String pl = pipelined ? "pipelined " : "";
        List<Reply> replies;
        if (pipelined) {
            List<ClientOutput> group = new ArrayList<>(envelope);
            group.add(chunked ? chunk(message) : SmtpCommand.of(Verb.DATA));
            replies = session.send(new CommandGroup(group));
        } else {
            replies = new ArrayList<>();
            for (SmtpCommand c : envelope) {
                Reply r = session.send(c).getFirst();
                replies.add(r);
                if (c.verb() == Verb.MAIL && r.code() >= 400) {
                    break;
                }
            }
        }
        Reply mail = replies.getFirst();
        if (mail.code() >= 400) {
            if (pipelined && !chunked && replies.getLast().code() == 354) {
                // A server that says 354 after refusing MAIL waits for text: an empty message ends it.
                session.send(MessageText.whole(Unpooled.EMPTY_BUFFER));
            }
            HostFailure f = smtpError(pl + envelope.getFirst().line(), mail, ERRNO_MAIL4XX);
            if (mail.code() >= 500) {
                return all(message, DeliveryResult.failed(f.getMessage()), facts(pipelined, chunked, mail.logText()));
            }
            if (mail.code() != 421) {
                quit(); // the server is still talking: leave it properly before trying the next host
            }
            throw f;
        }
        RemoteFacts facts = facts(pipelined, chunked, null);
        List<DeliveryResult> results = new ArrayList<>();
        boolean anyAccepted = false;
        for (int i = 0; i < message.recipients().size(); i++) {
            Reply r = replies.get(i + 1);
            if (r.code() == 421) {
                throw smtpError(pl + envelope.get(i + 1).line(), r, ERRNO_SMTPCLOSED);
            }
            if (r.code() < 400) {
                anyAccepted = true;
                results.add(null);
                continue;
            }
            String reason = smtpError(pl + envelope.get(i + 1).line(), r, ERRNO_RCPT4XX).getMessage();
            results.add((r.code() >= 500 ? DeliveryResult.failed(reason) : DeliveryResult.deferred(ERRNO_RCPT4XX, reason))
                    .withRemote(facts.withReply(r.logText()), false));
        }
        Reply end;
        if (chunked) {
            if (!pipelined && !anyAccepted) {
                return results;
            }
            end = pipelined ? replies.getLast() : sendData(chunk(message));
        } else {
            Reply data = pipelined ? replies.getLast() : anyAccepted ? session.send(SmtpCommand.of(Verb.DATA)).getFirst() : null;
            if (data == null) {
                return results;
            }
            if (data.code() != 354) {
                if (!anyAccepted) {
                    return results;
                }
                return dataFailure(results, smtpError(pl + "DATA", data, ERRNO_DATA4XX), data, facts);
            }
            if (!anyAccepted) {
                // RFC 2920: a 354 with no recipient accepted is answered with an empty message.
                session.send(MessageText.whole(Unpooled.EMPTY_BUFFER));
                endedCleanly = true;
                return results;
            }
            end = sendData(MessageText.whole(Unpooled.wrappedBuffer(message.data())));
        }
        endedCleanly = true;
        if (!anyAccepted) {
            return results;
        }
        if (end.code() >= 400) {
            return dataFailure(results, smtpError("end of data", end, ERRNO_DATA4XX), end, facts);
        }
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i) == null) {
                results.set(i, DeliveryResult.delivered(message.recipients().get(i))
                        .withRemote(facts.withReply(end.logText()), false));
            }
        }
        return results;
    }

    private BdatChunk chunk(Message message) {
        session.connection().replyTimeout(policy.dataTimeout());
        return new BdatChunk(Unpooled.wrappedBuffer(message.data()), true);
    }

    /** Message text goes out under {@code data_timeout}; the commands after it under {@code command_timeout}. */
    private Reply sendData(ClientOutput text) throws IOException {
        session.connection().replyTimeout(policy.dataTimeout());
        try {
            return session.send(text).getFirst();
        } finally {
            session.connection().replyTimeout(policy.commandTimeout());
        }
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
                        : DeliveryResult.deferred(ERRNO_DATA4XX, f.getMessage());
                results.set(i, r.withRemote(facts.withReply(reply.logText()), false));
            }
        }
        return results;
    }

    private String mailArgument(Message message, ServerExtensions ext) {
        StringBuilder arg = new StringBuilder("FROM:<").append(message.sender()).append('>');
        if (ext.size() >= 0) {
            arg.append(" SIZE=").append(message.data().length);
        }
        if (message.eightBit() && ext.eightBitMime()) {
            arg.append(" BODY=8BITMIME");
        }
        if (message.needsUtf8()) {
            arg.append(" SMTPUTF8");
        }
        return arg.toString();
    }

    /** The same outcome for every recipient: the server refused the message itself, not an address. */
    private static List<DeliveryResult> all(Message message, DeliveryResult result, RemoteFacts facts) {
        List<DeliveryResult> out = new ArrayList<>();
        for (int i = 0; i < message.recipients().size(); i++) {
            out.add(result.withRemote(facts, false));
        }
        return out;
    }

    RemoteFacts facts(boolean pipelined, boolean chunked, String reply) {
        RemoteFacts facts = new RemoteFacts(host.name(), host.address().getHostAddress(), port,
                tls == null ? null : tls.info(), tls != null && tls.verification().verified(), pipelined, chunked, reply);
        return transactions > 1 ? facts.asContinued() : facts;
    }

    private TlsPeer peer() {
        String name = host.name().equals(host.address().getHostAddress()) ? null : host.name();
        String sni = policy.sni();
        return new TlsPeer(name, host.address(), port, session.connection().localAddress(), sni);
    }

    private void expect(Reply r, int code, String after) throws HostFailure {
        if (r.code() != code) {
            throw smtpError(after, r, r.code() >= 500 ? ERRNO_SMTPCLOSED : ERRNO_MAIL4XX);
        }
    }

    private HostFailure smtpError(String after, Reply r, int errno) {
        return new HostFailure("SMTP error from remote mail server after " + after + ": " + r.logText(), errno);
    }

    static String describe(IOException e) {
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        // Netty's connect failures end in the address ("Connection refused: mx./127.0.0.1:25"): H= names it.
        return m.replaceFirst(": [^ ]*/[0-9a-fA-F.:%]+:[0-9]+$", "");
    }

    static int errno(IOException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        if (m.contains("refused")) {
            return 111;
        }
        if (m.contains("timed out") || m.contains("no answer within") || m.contains("timeout")) {
            return 110;
        }
        return ERRNO_SMTPCLOSED;
    }
}
