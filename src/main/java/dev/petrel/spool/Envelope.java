package dev.petrel.spool;

import java.time.Instant;
import java.util.List;

/**
 * Everything about a message that is not its content: who sent it, to whom, and from where it came.
 * {@code sender} is the bare reverse path ("" for bounces); recipients are bare addresses.
 */
public record Envelope(
        String sender,
        List<String> recipients,
        Instant receivedAt,
        String heloName,
        String hostAddress,
        int hostPort,
        String receivedProtocol,
        String tlsCipher) {

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
    }

    /** Locally submitted mail has no host. */
    public static Envelope local(String sender, List<String> recipients) {
        return new Envelope(sender, recipients, Instant.now(), null, null, 0, "local", null);
    }

    private static void requireOneLine(String value) {
        if (value != null && (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0)) {
            throw new IllegalArgumentException("envelope fields are single lines");
        }
    }
}
