package dev.petrel.transport.smtp;

import dev.petrel.smtp.Reply;
import dev.petrel.transport.DeliveryResult;
import dev.petrel.transport.smtp.EarlyPipelining.Path;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * The other opening of a {@link SmtpTransaction}: a connection whose first group went out before the banner
 * (early pipelining). The banner and the EHLO replies decide what becomes of the EHLO record; the replies
 * already asked for are then read as an ordinary pipelined transaction, which the transaction finishes.
 * See docs/behaviour.md, "Early pipelining (PIPECONNECT)", client side.
 */
final class EarlyConversation {
    private final SmtpTransaction transaction;
    private final ClientSession session;
    private final HostPolicy policy;
    private final EarlyPipelining early;

    EarlyConversation(SmtpTransaction transaction, ClientSession session, HostPolicy policy, EarlyPipelining early) {
        this.transaction = transaction;
        this.session = session;
        this.policy = policy;
        this.early = early;
    }

    /**
     * The opening of implicit TLS: the handshake, begun with the connect, and the early group when
     * {@code withGroup}. Unless the certificate must verify first ({@code tls_verify_hosts}) or the message's
     * {@code headers_add} names the TLS session, the group is written at once: the TLS handler holds it until
     * the handshake is done and sends it with our Finished. Returns the message as written.
     */
    static Message implicitTls(SmtpTransaction transaction, ClientSession session, HostPolicy policy,
            EarlyPipelining early, Message message, boolean withGroup) throws IOException, HostFailure {
        boolean now = withGroup && !policy.requireVerify() && transaction.writableBeforeTls();
        Message written = now ? transaction.written(message) : message;
        if (now) {
            session.sendEarly(TransactionCommands.early(Path.IMPLICIT_TLS, early.recorded(), policy, written));
        }
        session.tlsOnConnect();
        if (withGroup && !now) {
            transaction.verifiedBeforeSending();
            written = transaction.written(message);
            session.sendEarly(TransactionCommands.early(Path.IMPLICIT_TLS, early.recorded(), policy, written));
        }
        return written;
    }

    List<DeliveryResult> run(Message message, Path path) throws IOException, HostFailure {
        // A group ending in the message (BDAT) waits for its last reply under data_timeout.
        session.connection().replyTimeout(path == Path.CLEARTEXT ? policy.dataTimeout() : policy.commandTimeout());
        if (path == Path.STARTTLS) {
            transaction.prepareTlsAfterEarly();
        }
        Reply banner = session.greeting();
        if (banner.code() != 220) {
            return refused(message, path, banner);
        }
        if (path == Path.IMPLICIT_TLS) {
            transaction.implicitTlsUp();
        }
        List<Reply> replies = session.early();
        session.connection().replyTimeout(policy.commandTimeout());
        Reply ehlo = replies.getFirst();
        if (ehlo.code() != 250) {
            return refused(message, path, ehlo);
        }
        if (path == Path.IMPLICIT_TLS) {
            early.tlsEhlo(ehlo);
        } else {
            early.clearEhlo(ehlo);
        }
        if (path != Path.STARTTLS) {
            early.settle();
            return transaction.pipelined(message, early.recorded(), replies.subList(1, replies.size()));
        }
        return afterStartTls(message, ehlo, replies.getLast());
    }

    /** After {@code EHLO,STARTTLS}: TLS, then EHLO with the transaction when the record allows, else EHLO alone. */
    private List<DeliveryResult> afterStartTls(Message message, Reply ehlo, Reply startTls)
            throws IOException, HostFailure {
        if (startTls.code() != 220) {
            // Refused: on in cleartext, as any connection whose STARTTLS is refused.
            if (startTls.code() == 421) {
                throw SmtpErrors.smtpError("STARTTLS", startTls, SmtpTransaction.ERRNO_SMTPCLOSED);
            }
            early.settle();
            return transaction.transactionChecked(message, ServerExtensions.of(ehlo));
        }
        boolean inside = early.afterStartTls(message);
        boolean now = inside && !policy.requireVerify() && transaction.writableBeforeTls();
        if (now) {
            // Written now, held by the TLS handler until the handshake is done, and sent with our Finished.
            message = transaction.written(message);
            session.sendEarly(session.withEhlo(TransactionCommands.group(message, early.recorded(), policy)));
        }
        transaction.startTlsAfterEarly();
        if (!inside) {
            ServerExtensions ext = transaction.hello();
            transaction.tlsEstablished();
            early.tlsEhlo(session.ehloInForce());
            early.settle();
            return transaction.transactionChecked(message, ext);
        }
        ServerExtensions recorded = early.recorded();
        if (!now) {
            message = transaction.written(message);
            session.sendEarly(session.withEhlo(TransactionCommands.group(message, recorded, policy)));
        }
        List<Reply> replies = session.early();
        transaction.tlsEstablished();
        if (replies.getFirst().code() != 250) {
            return refused(message, Path.STARTTLS, replies.getFirst());
        }
        early.tlsEhlo(replies.getFirst());
        early.settle();
        return transaction.pipelined(message, recorded, replies.subList(1, replies.size()));
    }

    /**
     * A banner or EHLO refused: the record goes. With STARTTLS nothing of the message has been sent, and the
     * host is tried again at once without early pipelining; in cleartext the whole transaction has gone, and
     * the refusal is its outcome: a 5xx fails it, anything else defers it. A server that no longer lets us
     * talk first says so with a synchronisation error: that refuses the early pipelining, not the message, so
     * it too is tried again at once.
     */
    private List<DeliveryResult> refused(Message message, Path path, Reply r) throws HostFailure {
        early.refused();
        boolean syncError = r.code() == 554 && r.logText().toLowerCase(Locale.ROOT).contains("synchronization error");
        if (path == Path.STARTTLS || syncError) {
            throw transaction.reconnect(r);
        }
        boolean chunked = early.recorded().chunking() && policy.chunking();
        HostFailure f = SmtpErrors.smtpError("pipelined " + (chunked ? "BDAT " + message.data().length + " LAST"
                : "DATA"), r, r.code() >= 500 ? SmtpTransaction.ERRNO_SMTPCLOSED : SmtpTransaction.ERRNO_DATA4XX);
        if (r.code() >= 500) {
            return message.forEveryRecipient(DeliveryResult.failed(f.getMessage()),
                    transaction.facts(true, chunked, r.logText()));
        }
        throw f;
    }
}
