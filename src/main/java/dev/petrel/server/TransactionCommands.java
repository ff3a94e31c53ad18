package dev.petrel.server;

import dev.petrel.config.MainConfig;
import dev.petrel.smtp.DataFlaw;
import dev.petrel.smtp.MailParameters;
import dev.petrel.smtp.PathArgument;
import dev.petrel.smtp.Reply;
import dev.petrel.smtp.SmtpCommand;
import dev.petrel.smtp.SmtpSyntaxException;
import dev.petrel.spool.MailOptions;
import dev.petrel.spool.RecipientOptions;
import dev.petrel.spool.Spool;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.util.Set;

/**
 * MAIL, RCPT, DATA and BDAT: what each is answered given the transaction so far, up to a complete message
 * to hand to the spool. Refusals of addresses and messages are logged here; the session writes the replies,
 * counts the errors, and tells the decoder what to read next.
 */
final class TransactionCommands {
    private final MainConfig config;
    private final Spool spool;
    private Transaction transaction;
    /** The reply owed at the end of a BDAT chunk that is being read only to be thrown away. */
    private Reply chunkRefusal;

    TransactionCommands(MainConfig config, Spool spool) {
        this.config = config;
        this.spool = spool;
    }

    /** The open transaction, or null. */
    Transaction current() {
        return transaction;
    }

    /** Message data is being received. */
    boolean receiving() {
        return transaction != null && transaction.receiving();
    }

    /** RSET, a new greeting, STARTTLS, or the end of the connection: the transaction is forgotten. */
    void reset() {
        if (transaction != null) {
            transaction.abandon();
        }
        transaction = null;
    }

    Outcome mail(SmtpCommand command, SessionLog log, Capabilities offered) {
        if (log.helo() == null) {
            return Outcome.protocolError(503, "5.5.1 EHLO or HELO first", "MAIL before HELO");
        }
        if (transaction != null) {
            return Outcome.protocolError(503, "5.5.1 Sender already given", "second MAIL");
        }
        PathArgument from;
        MailOptions options;
        try {
            from = PathArgument.parse(command.argument(), "FROM", true);
            options = MailParameters.mail(from.parameters(), offered.esmtp(), offered.dsn());
        } catch (SmtpSyntaxException e) {
            return Outcome.syntaxError(e.reply());
        }
        long limit = config.messageSizeLimit();
        if (limit > 0 && MailParameters.sizeExceeds(options.declaredSize(), limit)) {
            log.sizeRefusedAtMail(from.address(), from.parameters().get("SIZE"));
            return Outcome.ok(552, "5.3.4 Message size exceeds maximum permitted");
        }
        transaction = new Transaction(from.address(), options);
        return Outcome.ok(250, "2.1.0 OK");
    }

    Outcome rcpt(SmtpCommand command, SessionLog log, boolean dsnOffered) {
        if (transaction == null) {
            return Outcome.protocolError(503, "5.5.1 sender not yet given", "RCPT before MAIL");
        }
        if (transaction.receiving() || chunkRefusal != null) {
            return Outcome.protocolError(503, "5.5.1 RCPT not allowed during message transfer", "RCPT during BDAT");
        }
        PathArgument to;
        RecipientOptions options;
        try {
            to = PathArgument.parse(command.argument(), "TO", false);
            options = MailParameters.rcpt(to.parameters(), dsnOffered);
        } catch (SmtpSyntaxException e) {
            return Outcome.syntaxError(e.reply());
        }
        if (transaction.recipients.size() >= config.recipientsMax()) {
            log.tooManyRecipients(transaction.sender, to.address());
            return Outcome.ok(452, "4.5.3 Too many recipients");
        }
        String recipient = to.postmaster() ? "postmaster@" + config.primaryHostname() : to.address();
        String domain = to.postmaster() ? config.primaryHostname() : to.mailbox().domainLowerCase();
        if (!config.localDomains().matches(domain) && !config.relayToDomains().matches(domain)
                && !config.relayFromHosts().matches(log.remote().getAddress())) {
            log.relayRefused(transaction.sender, recipient);
            return Outcome.ok(550, "5.7.1 relay not permitted");
        }
        transaction.recipients.add(recipient);
        transaction.recipientOptions.add(options);
        return Outcome.ok(250, "2.1.5 Accepted");
    }

    /** DATA: a 354 when the message starts (message text follows), else the refusal. */
    Outcome data(ReceivedHeader received) {
        Reply refusal = refusal("DATA");
        if (refusal == null && transaction.chunking()) {
            refusal = Reply.of(503, "5.5.1 DATA not permitted after BDAT");
        }
        if (refusal != null) {
            return Outcome.protocolError(refusal, "DATA refused");
        }
        transaction.startReception(spool.receive(spool.newMessageId()), received);
        return Outcome.ok(354, "Enter message, ending with \".\" on a line by itself");
    }

    /**
     * A BDAT chunk starts: its content belongs to the message, or if BDAT is refused, is read only to be thrown
     * away, the refusal owed at its end.
     */
    void chunk(boolean last, boolean chunkingOffered, ReceivedHeader received) {
        Reply refusal = refusal("BDAT");
        if (refusal == null && !chunkingOffered) {
            refusal = Reply.of(503, "5.5.1 CHUNKING not advertised");
        }
        chunkRefusal = refusal;
        if (refusal == null) {
            if (!transaction.receiving()) {
                transaction.startReception(spool.receive(spool.newMessageId()), received);
            }
            transaction.chunk(last);
        }
    }

    /** Why DATA or BDAT cannot start a message now, or null when it can. */
    private Reply refusal(String verb) {
        if (transaction == null) {
            return Reply.of(503, "5.5.1 " + verb + " without MAIL (sender not yet given)");
        }
        if (transaction.recipients.isEmpty()) {
            return Reply.of(503, "5.5.1 valid RCPT command must precede " + verb);
        }
        return null;
    }

    void content(ByteBuf data, SessionLog log) {
        if (!receiving() || chunkRefusal != null) {
            return; // read only to keep in step with the client
        }
        try {
            transaction.receive(data, config.messageSizeLimit());
        } catch (IOException e) {
            log.cannotBuffer(e.getMessage());
        }
    }

    /** The end of a BDAT chunk: its reply, or null when it was the last and the message is complete. */
    Outcome chunkEnded() {
        if (chunkRefusal != null) {
            Reply refusal = chunkRefusal;
            chunkRefusal = null;
            return Outcome.protocolError(refusal, "BDAT refused");
        }
        return transaction.lastChunk() ? null : Outcome.ok(250, "2.0.0 chunk received");
    }

    /**
     * The message is complete. Returns the refusal (logged, the transaction ended) when it cannot be
     * accepted, or null when it can: {@link #take} then hands it over.
     */
    Reply refusalAtEnd(Set<DataFlaw> flaws, SessionLog log) {
        Reply refusal = null;
        if (!flaws.isEmpty()) {
            DataFlaw flaw = flaws.iterator().next();
            log.rejectedAfterData(transaction.sender, flaw.reply().substring(4));
            refusal = Reply.parse(flaw.reply());
        } else if (transaction.oversize()) {
            log.tooBig(transaction.sender, transaction.read(), config.messageSizeLimit());
            refusal = Reply.of(552, "5.3.4 Message size exceeds maximum permitted");
        }
        if (refusal != null) {
            reset();
        }
        return refusal;
    }

    /** Ends the transaction, handing its complete message over to be committed. */
    Transaction take() {
        Transaction t = transaction;
        transaction = null;
        return t;
    }
}
