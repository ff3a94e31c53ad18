package dev.petrel.transport;

/**
 * What one attempt to deliver one recipient came to. {@code localPart} is the form the transport used
 * (lowercased), which is what the {@code =>} line shows for a local delivery; {@code errno} only matters for
 * the {@code ==} line's {@code defer (n)} field, where -1 means "no system error behind it".
 */
public record DeliveryResult(Status status, String localPart, String reason, int errno) {

    public enum Status { DELIVERED, FAILED, DEFERRED }

    public static DeliveryResult delivered(String localPart) {
        return new DeliveryResult(Status.DELIVERED, localPart, null, 0);
    }

    /** Permanent: the recipient is bounced and never tried again. */
    public static DeliveryResult failed(String reason) {
        return new DeliveryResult(Status.FAILED, null, reason, 0);
    }

    /** Temporary: the recipient stays in the queue for the next run. */
    public static DeliveryResult deferred(int errno, String reason) {
        return new DeliveryResult(Status.DEFERRED, null, reason, errno);
    }
}
