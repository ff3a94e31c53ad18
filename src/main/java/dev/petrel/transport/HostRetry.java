package dev.petrel.transport;

/**
 * What a remote transport asks of retry state for one delivery, and tells it: whether a host may be tried
 * now, and how trying it went. The queue, which owns the retry rules and the {@code retry} hints database,
 * passes one in for each delivery; the transport knows nothing of rules or keys.
 */
public interface HostRetry {

    /** May be tried; or not yet, and whether the host is past its final cutoff ({@code expired}). */
    enum Status { USABLE, NOT_DUE, NOT_DUE_EXPIRED }

    /** @param port the port the transport would connect to */
    Status check(RemoteHost host, int port);

    /**
     * A host was skipped because it refused this message in particular and its time has not come (a message
     * error's record), not because the host itself is held back: connection reuse must not carry the message.
     */
    default boolean heldForThisMessage() {
        return false;
    }

    /** The host could not take the message ({@code failure} is deferred and {@code hostProblem}). */
    void failed(RemoteHost host, int port, DeliveryResult failure);

    /**
     * The host refused this message, not every message (Exim's "message error", a 4xx to MAIL): only this
     * message waits for the host.
     */
    void messageFailed(RemoteHost host, int port, DeliveryResult failure);

    /** The host took the message: its failures are forgotten. */
    void succeeded(RemoteHost host, int port);

    /**
     * With every host unusable and all of them past their cutoff: whether a host was last tried before the
     * message arrived (so that {@code delay_after_cutoff = false} tries it once more).
     */
    boolean triedBeforeArrival(RemoteHost host, int port);

    /** Every host may be tried and nothing is remembered: for callers without retry state. */
    HostRetry NONE = new HostRetry() {
        @Override
        public Status check(RemoteHost host, int port) {
            return Status.USABLE;
        }

        @Override
        public void failed(RemoteHost host, int port, DeliveryResult failure) {
        }

        @Override
        public void messageFailed(RemoteHost host, int port, DeliveryResult failure) {
        }

        @Override
        public void succeeded(RemoteHost host, int port) {
        }

        @Override
        public boolean triedBeforeArrival(RemoteHost host, int port) {
            return true;
        }
    };
}
