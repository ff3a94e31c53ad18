package dev.petrel.transport.smtp;

import dev.petrel.smtp.BdatChunk;
import dev.petrel.smtp.ClientOutput;
import dev.petrel.smtp.CommandGroup;
import dev.petrel.smtp.SmtpCommand;
import dev.petrel.smtp.Verb;
import dev.petrel.spool.MailOptions;
import dev.petrel.spool.RecipientOptions;
import dev.petrel.spool.Xtext;

import io.netty.buffer.Unpooled;

import java.util.ArrayList;
import java.util.List;

/**
 * The commands of a transaction, built from what the server offers (as just read, or as recorded for early
 * pipelining): MAIL with its parameters, the RCPTs, DATA or {@code BDAT n LAST} with the message, and the
 * early groups that put EHLO in front.
 */
final class TransactionCommands {
    private TransactionCommands() {}

    /** MAIL and the RCPTs for a server offering {@code ext}. */
    static List<SmtpCommand> envelope(Message message, ServerExtensions ext) {
        List<SmtpCommand> envelope = new ArrayList<>();
        envelope.add(SmtpCommand.of(Verb.MAIL, mailArgument(message, ext)));
        for (int i = 0; i < message.recipients().size(); i++) {
            envelope.add(SmtpCommand.of(Verb.RCPT, rcptArgument(message, i, ext)));
        }
        return envelope;
    }

    /** The pipelined transaction: MAIL, the RCPTs, then DATA or the message as {@code BDAT n LAST}. */
    static List<ClientOutput> group(Message message, ServerExtensions ext, HostPolicy policy) {
        List<ClientOutput> group = new ArrayList<>(envelope(message, ext));
        group.add(ext.chunking() && policy.chunking() ? new BdatChunk(Unpooled.wrappedBuffer(message.data()), true)
                : SmtpCommand.of(Verb.DATA));
        return group;
    }

    /**
     * The group an early-pipelined connection starts with: EHLO and the whole transaction, built from the
     * record (cleartext, and implicit TLS after the handshake), or EHLO and STARTTLS.
     */
    static CommandGroup early(EarlyPipelining.Path path, ServerExtensions recorded, HostPolicy policy,
            Message message) {
        SmtpCommand ehlo = SmtpCommand.of(Verb.EHLO, policy.heloName());
        if (path == EarlyPipelining.Path.STARTTLS) {
            return CommandGroup.of(ehlo, SmtpCommand.of(Verb.STARTTLS));
        }
        List<ClientOutput> out = new ArrayList<>();
        out.add(ehlo);
        out.addAll(group(message, recorded, policy));
        return new CommandGroup(out);
    }

    private static String mailArgument(Message message, ServerExtensions ext) {
        StringBuilder arg = new StringBuilder("FROM:<").append(message.sender()).append('>');
        if (ext.size() >= 0) {
            arg.append(" SIZE=").append(message.data().length);
        }
        MailOptions received = message.options();
        if ((message.eightBit() || received.body() == MailOptions.Body.EIGHT_BIT_MIME) && ext.eightBitMime()) {
            arg.append(" BODY=8BITMIME");
        }
        if (message.needsUtf8() || (received.smtputf8() && ext.smtpUtf8())) {
            arg.append(" SMTPUTF8");
        }
        if (ext.dsn()) {
            if (received.ret() != null) {
                arg.append(" RET=").append(received.ret().name());
            }
            if (received.envid() != null) {
                arg.append(" ENVID=").append(received.envid());
            }
        }
        return arg.toString();
    }

    /** RCPT TO, with NOTIFY and ORCPT for a server that offers DSN (an ORCPT of the address when none came). */
    private static String rcptArgument(Message message, int i, ServerExtensions ext) {
        String rcpt = message.recipients().get(i);
        StringBuilder arg = new StringBuilder("TO:<").append(rcpt).append('>');
        if (ext.dsn()) {
            RecipientOptions o = message.recipientOptions().get(i);
            if (o.notifyParameter() != null) {
                arg.append(" NOTIFY=").append(o.notifyParameter());
            }
            arg.append(" ORCPT=").append(o.orcpt() != null ? o.orcpt() : "rfc822;" + Xtext.encode(rcpt));
        }
        return arg.toString();
    }
}
