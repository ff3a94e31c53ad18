package dev.petrel.transport;

import dev.petrel.spool.SpooledMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Takes a spooled message to a group of its recipients: those routed to this transport with the same host
 * list, which a remote transport sends in one SMTP transaction. Implementations are shared by delivery
 * workers.
 */
public interface Transport {

    /**
     * One outcome per recipient, in the order given. Never throws for a delivery problem: every outcome,
     * including I/O errors and hostile servers, is a {@link DeliveryResult}.
     *
     * @param hosts where routing sent the group, in the order to try them; empty for a local delivery
     */
    List<DeliveryResult> deliver(SpooledMessage message, List<String> recipients, List<RemoteHost> hosts);

    /**
     * As {@link #deliver(SpooledMessage, List, List)}, skipping hosts whose retry time has not come and
     * reporting each host's outcome to {@code retry} (a transport without hosts ignores it), and telling
     * {@code settled} the outcomes as soon as they are known, when the transport has more to do before it
     * returns (an smtp transport carrying other messages on the connection), so that the message's own log
     * lines come first. {@code settled} is called at most once, with the outcomes that are then returned.
     */
    default List<DeliveryResult> deliver(SpooledMessage message, List<String> recipients, List<RemoteHost> hosts,
                                         HostRetry retry, Consumer<List<DeliveryResult>> settled) {
        return deliver(message, recipients, hosts);
    }

    /** A transport that delivers each recipient on its own (maildir), whatever the hosts. */
    @FunctionalInterface
    interface PerRecipient extends Transport {
        DeliveryResult deliver(SpooledMessage message, String recipient);

        @Override
        default List<DeliveryResult> deliver(SpooledMessage message, List<String> recipients, List<RemoteHost> hosts) {
            List<DeliveryResult> out = new ArrayList<>(recipients.size());
            for (String rcpt : recipients) {
                DeliveryResult result;
                try {
                    result = deliver(message, rcpt);
                } catch (RuntimeException e) {
                    result = DeliveryResult.deferred(-1, "internal error: " + e);
                }
                out.add(result);
            }
            return out;
        }
    }
}
