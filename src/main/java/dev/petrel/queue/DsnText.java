package dev.petrel.queue;

import static dev.petrel.queue.DsnMessage.line;
import static dev.petrel.queue.DsnMessage.safe;

import dev.petrel.spool.SpooledMessage;
import dev.petrel.transport.RemoteFacts;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The human-readable part of a DSN, in the words Exim's bounces and delay warnings use, so that people and the
 * scripts that read Exim's texts recognise it: each address, the host that answered, and its reply.
 */
final class DsnText {
    private DsnText() {
    }

    /** @param note a last paragraph, or null */
    static void explain(StringBuilder out, DsnMessage.Kind kind, SpooledMessage original, List<Failure> recipients,
                        String primaryHostname, byte[] headers, String note) {
        line(out, "This message was created automatically by mail delivery software.");
        line(out, "");
        switch (kind) {
            case FAILED -> {
                line(out, "A message that you sent could not be delivered to one or more of its");
                line(out, "recipients. This is a permanent error. The following address(es) failed:");
                line(out, "");
                addresses(out, recipients);
            }
            case DELAYED -> {
                line(out, "A message that you sent has not yet been delivered to one or more of its");
                line(out, "recipients after more than " + age(original.envelope().receivedAt()) + " on the queue on "
                        + primaryHostname + ".");
                line(out, "");
                line(out, "The message identifier is:     " + original.id());
                String subject = DsnMessage.header(headers, "Subject");
                if (subject != null) {
                    line(out, "The subject of the message is: " + subject);
                }
                String date = DsnMessage.header(headers, "Date");
                if (date != null) {
                    line(out, "The date of the message is:    " + date);
                }
                line(out, "");
                line(out, recipients.size() == 1 ? "The address to which the message has not yet been delivered is:"
                        : "The addresses to which the message has not yet been delivered are:");
                line(out, "");
                addresses(out, recipients);
                line(out, "No action is required on your part. Delivery attempts will continue for");
                line(out, "some time, and this warning may be repeated at intervals if the message");
                line(out, "remains undelivered. Eventually the mail delivery software will give up,");
                line(out, "and when that happens, the message will be returned to you.");
            }
            case DELIVERED -> {
                line(out, "Your message has been delivered to the following addresses, or passed on to");
                line(out, "servers that do not report on delivery (\"relayed\"):");
                line(out, "");
                for (Failure f : recipients) {
                    RemoteFacts remote = f.remote();
                    line(out, "  " + f.recipient() + (remote == null ? "" : " (relayed to " + host(remote) + ")"));
                }
            }
        }
        if (note != null) {
            line(out, "");
            line(out, note);
        }
    }

    private static void addresses(StringBuilder out, List<Failure> recipients) {
        for (Failure f : recipients) {
            line(out, "  " + f.recipient());
            if (f.remote() != null) {
                line(out, "    host " + host(f.remote()));
            }
            if (f.reason() != null) {
                line(out, "    " + safe(f.reason()));
            }
            line(out, "");
        }
    }

    private static String host(RemoteFacts remote) {
        return remote.host() + " [" + remote.address() + "]";
    }

    /** How long a message has waited, as Exim's warning subject says it: minutes, hours or days. */
    static String age(Instant receivedAt) {
        long minutes = Math.max(0, Duration.between(receivedAt, Instant.now()).toMinutes());
        if (minutes < 120) {
            return minutes + (minutes == 1 ? " minute" : " minutes");
        }
        long hours = minutes / 60;
        return hours < 48 ? hours + " hours" : hours / 24 + " days";
    }
}
