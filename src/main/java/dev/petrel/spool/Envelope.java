package dev.petrel.spool;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Everything about a message that is not its content: who sent it, to whom, from where it came, and the MAIL
 * and RCPT parameters to pass on and honour. {@code sender} is the bare reverse path ("" for bounces);
 * recipients are bare addresses, {@code recipientOptions} their DSN parameters in the same order.
 */
public record Envelope(
        String sender,
        List<String> recipients,
        Instant receivedAt,
        String heloName,
        String hostAddress,
        int hostPort,
        String receivedProtocol,
        String tlsCipher,
        MailOptions mail,
        List<RecipientOptions> recipientOptions) {

    public Envelope {
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("an envelope needs at least one recipient");
        }
        for (String field : recipients) {
            requireOneLine(field);
        }
        requireOneLine(sender);
        requireOneLine(heloName);
        requireOneLine(hostAddress);
        mail = mail == null ? MailOptions.NONE : mail;
        recipientOptions = recipientOptions == null || recipientOptions.isEmpty()
                ? Collections.nCopies(recipients.size(), RecipientOptions.NONE) : List.copyOf(recipientOptions);
        if (recipientOptions.size() != recipients.size()) {
            throw new IllegalArgumentException("one set of recipient options per recipient");
        }
    }

    /** An envelope without MAIL or RCPT parameters. */
    public Envelope(String sender, List<String> recipients, Instant receivedAt, String heloName, String hostAddress,
                    int hostPort, String receivedProtocol, String tlsCipher) {
        this(sender, recipients, receivedAt, heloName, hostAddress, hostPort, receivedProtocol, tlsCipher,
                MailOptions.NONE, List.of());
    }

    /** Locally submitted mail has no host. */
    public static Envelope local(String sender, List<String> recipients) {
        return new Envelope(sender, recipients, Instant.now(), null, null, 0, "local", null);
    }

    /** The DSN parameters given with {@code recipient} (its first occurrence), NONE when it has none. */
    public RecipientOptions optionsOf(String recipient) {
        int i = recipients.indexOf(recipient);
        return i < 0 ? RecipientOptions.NONE : recipientOptions.get(i);
    }

    /** The DSN parameters of each of {@code rcpts}, in order. */
    public List<RecipientOptions> optionsOf(List<String> rcpts) {
        List<RecipientOptions> out = new ArrayList<>(rcpts.size());
        rcpts.forEach(r -> out.add(optionsOf(r)));
        return out;
    }

    private static void requireOneLine(String value) {
        if (value != null && (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0)) {
            throw new IllegalArgumentException("envelope fields are single lines");
        }
    }
}
