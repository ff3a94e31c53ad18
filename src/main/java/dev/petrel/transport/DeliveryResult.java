package dev.petrel.transport;

/**
 * What one attempt to deliver one recipient came to. {@code localPart} is the form the transport used
 * (lowercased), which is what the {@code =>} line shows for a local delivery; {@code errno} only matters for
 * the {@code ==} line's {@code defer (n)} field, where -1 means "no system error behind it".
 *
 * @param remote the host and session facts of a remote delivery (for {@code H=}, {@code X=}, {@code C=}...),
 *     null for a local one or when no host was reached
 * @param hostProblem the failure belongs to the host (connection, greeting, EHLO, MAIL, DATA...), not to
 *     this address: retry the host, not the address
 * @param moreErrno Exim's {@code more_errno}, which retry rules look at: the SMTP code of a 4xx, or whether
 *     the host came from an MX record and timed out while connecting (see {@code RetryError})
 */
public record DeliveryResult(Status status, String localPart, String reason, int errno, RemoteFacts remote,
                             boolean hostProblem, int moreErrno) {

    public DeliveryResult(Status status, String localPart, String reason, int errno, RemoteFacts remote,
                          boolean hostProblem) {
        this(status, localPart, reason, errno, remote, hostProblem, 0);
    }

    public enum Status { DELIVERED, FAILED, DEFERRED }

    public static DeliveryResult delivered(String localPart) {
        return new DeliveryResult(Status.DELIVERED, localPart, null, 0, null, false);
    }

    /** Permanent: the recipient is bounced and never tried again. */
    public static DeliveryResult failed(String reason) {
        return new DeliveryResult(Status.FAILED, null, reason, 0, null, false);
    }

    /** Temporary: the recipient stays in the queue for the next run. */
    public static DeliveryResult deferred(int errno, String reason) {
        return new DeliveryResult(Status.DEFERRED, null, reason, errno, null, false);
    }

    public DeliveryResult withRemote(RemoteFacts facts, boolean ofHost) {
        return new DeliveryResult(status, localPart, reason, errno, facts, ofHost, moreErrno);
    }

    public DeliveryResult withMoreErrno(int more) {
        return new DeliveryResult(status, localPart, reason, errno, remote, hostProblem, more);
    }

    /** The same failure made permanent, e.g. when its retry rules have timed out; {@code reason} replaces the reason. */
    public DeliveryResult asFailure(String newReason) {
        return new DeliveryResult(Status.FAILED, localPart, newReason, errno, remote, hostProblem, moreErrno);
    }
}
