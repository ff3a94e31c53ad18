package dev.petrel.transport;

import dev.petrel.spool.SpooledMessage;

import java.util.List;

/**
 * The queue's side of connection reuse, as the transport sees it: a remote transport that has just delivered
 * over a connection asks for another message waiting for the same host, to send down that connection instead
 * of opening a new one (Exim's continued delivery). The queue implements it; the transport does not reach into
 * the queue.
 */
public interface WaitingMessages {

    /**
     * Message {@code id}, locked for delivery by the caller and routed, with its recipients that route to
     * {@code transport}; {@link Claim.Busy} when another attempt has it, {@link Claim.Gone} when it is no longer
     * in the spool (a stale hint).
     */
    Claim claim(String id, String transport);

    sealed interface Claim {
        record Claimed(Continuation continuation) implements Claim {}

        /** Being delivered by someone else, or unreadable now: leave its hint alone. */
        record Busy() implements Claim {}

        /** Delivered or removed: its hint can go. */
        record Gone() implements Claim {}
    }

    /** Recipients routed to the same hosts, as a transport takes them. */
    record Group(List<String> recipients, List<RemoteHost> hosts) {
        public Group {
            recipients = List.copyOf(recipients);
            hosts = List.copyOf(hosts);
        }
    }

    /**
     * A claimed message. Exactly one of {@link #finish} or {@link #release} ends it, and with it the lock.
     */
    interface Continuation {
        SpooledMessage message();

        /** The message's outstanding recipients routed to the transport, grouped by host list. */
        List<Group> groups();

        /**
         * Whether this message may go to {@code host} now: not when the host refused this very message (a 4xx to
         * MAIL) and the message's retry time there has not come. An open connection does not override that.
         */
        boolean mayUse(RemoteHost host, int port);

        /**
         * The outcomes of {@code group} (one per recipient, in order), to be logged, journalled and acted on as
         * any delivery's are. Recipients of other groups are left for a fresh attempt.
         */
        void finish(Group group, List<DeliveryResult> results);

        /**
         * Gives the message back undelivered; with {@code again}, a fresh attempt of its own follows (the
         * connection broke before the message went), so nothing waits for the next queue run.
         */
        void release(boolean again);
    }
}
