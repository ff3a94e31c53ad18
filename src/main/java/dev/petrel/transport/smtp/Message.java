package dev.petrel.transport.smtp;

import dev.petrel.spool.MailOptions;
import dev.petrel.transport.DeliveryResult;
import dev.petrel.transport.RemoteFacts;
import dev.petrel.spool.RecipientOptions;

import java.util.Collections;
import java.util.List;

/**
 * A message the smtp transport sends, and what it needs from the server.
 *
 * @param data the text as it goes out: as spooled, then with {@code headers_add} ({@link OutgoingHeaders})
 * @param options MAIL's parameters as received, passed on where the server allows
 * @param recipientOptions each recipient's DSN parameters, in order
 */
record Message(String id, String sender, List<String> recipients, byte[] data, boolean eightBit, boolean needsUtf8,
               MailOptions options, List<RecipientOptions> recipientOptions) {

    /** The same outcome for every recipient: the server refused the message itself, not an address. */
    List<DeliveryResult> forEveryRecipient(DeliveryResult result, RemoteFacts facts) {
        return Collections.nCopies(recipients.size(), result.withRemote(facts, false));
    }

    Message withData(byte[] text) {
        return text == data ? this
                : new Message(id, sender, recipients, text, eightBit, needsUtf8, options, recipientOptions);
    }
}
