package dev.petrel.server;

import dev.petrel.spool.Envelope;
import dev.petrel.spool.MailOptions;
import dev.petrel.spool.RecipientOptions;
import dev.petrel.spool.Reception;
import dev.petrel.tls.TlsSessionInfo;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * One mail transaction, from MAIL to the end of its message (or RSET): the envelope, and once DATA or the first
 * BDAT is accepted, the message as it is received. A message over the size limit is still read to its end
 * (the client cannot be stopped mid-message) and then refused.
 */
final class Transaction {
    final String sender;
    final MailOptions options;
    final List<String> recipients = new ArrayList<>();
    /** The DSN parameters of each of {@link #recipients}, in the same order. */
    final List<RecipientOptions> recipientOptions = new ArrayList<>();
    final HeaderScanner headers = new HeaderScanner();
    private Reception reception;
    /** BDAT was used: DATA is no longer allowed in this transaction. */
    private boolean chunking;
    private boolean lastChunk;
    /** The message passed the size limit (or could not be buffered); it is read to its end and refused. */
    private boolean oversize;
    /** Octets of message data received so far (all of them, kept or not), without Petrel's Received header. */
    private long received;

    Transaction(String sender, MailOptions options) {
        this.sender = sender;
        this.options = options;
    }

    /** Message data is being received into the spool. */
    boolean receiving() {
        return reception != null;
    }

    /** Starts the message in the spool with Petrel's Received header on top. */
    void startReception(Reception into, ReceivedHeader received) {
        reception = into;
        try {
            into.append(received.text(sender, into.messageId(), recipients, ZonedDateTime.now(ZoneId.systemDefault()))
                    .getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            oversize = true;
        }
    }

    /** A BDAT chunk was accepted; {@code last} says it ends the message. */
    void chunk(boolean last) {
        chunking = true;
        lastChunk = last;
    }

    boolean chunking() {
        return chunking;
    }

    boolean lastChunk() {
        return lastChunk;
    }

    /**
     * Appends message content (for DATA, with dot-stuffing undone). Past {@code limit} (0: none) it is only counted.
     *
     * @throws IOException the spool could not take it: the message is refused at its end
     */
    void receive(ByteBuf data, long limit) throws IOException {
        received += data.readableBytes();
        if (oversize) {
            return;
        }
        headers.feed(data);
        if (limit > 0 && received > limit) {
            oversize = true;
            return;
        }
        try {
            for (ByteBuffer b : data.nioBuffers()) {
                reception.append(b);
            }
        } catch (IOException e) {
            oversize = true;
            throw e;
        }
    }

    boolean oversize() {
        return oversize;
    }

    /** What {@code message too big} reports as read: every octet of the message the client sent. */
    long read() {
        return received;
    }

    /** The message being received, to commit once it is complete. */
    Reception reception() {
        return reception;
    }

    /** The envelope to spool with the complete message. */
    Envelope envelope(SessionLog client, String protocol, TlsSessionInfo tls) {
        return new Envelope(sender, recipients, Instant.now(), client.helo(),
                client.remote().getAddress().getHostAddress(), client.remote().getPort(), protocol,
                tls == null ? null : tls.eximCipherField(), options, recipientOptions);
    }

    /** What the {@code <=} line says once the message is spooled. */
    Arrival arrival(SessionLog client, String fastOpen, String protocol, String lField, TlsSessionInfo tls) {
        return new Arrival(reception.messageId(), sender, client.host(), client.remote().getPort(), fastOpen, protocol,
                lField, tls, chunking, reception.size(), headers.messageId(), headers.header("Subject"), recipients);
    }

    /** Throws away a message that was being received. */
    void abandon() {
        if (reception != null) {
            reception.discard();
        }
    }
}
