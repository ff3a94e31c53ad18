package dev.petrel.transport.smtp;

/**
 * A host could not take the message (no connection, a 421, a 4xx before any recipient, a broken reply, a
 * timeout): the transport tries the next host, and when none is left the recipients are deferred.
 *
 * @see SmtpTransaction
 */
final class HostFailure extends Exception {
    private final int errno;
    private final int moreErrno;
    private final boolean messageError;

    /** @param errno Exim's errno for the {@code defer (n)} field: a system error number or a negative ERRNO_ */
    HostFailure(String message, int errno) {
        this(message, errno, 0);
    }

    /** @param moreErrno Exim's {@code more_errno}, for retry rules: the SMTP code of a 4xx */
    HostFailure(String message, int errno, int moreErrno) {
        this(message, errno, moreErrno, false);
    }

    /**
     * @param messageError the refusal concerns this message, not the host (Exim's "message error": a 4xx to
     *     MAIL), so that only this message waits for the host
     */
    HostFailure(String message, int errno, int moreErrno, boolean messageError) {
        super(message, null, false, false);
        this.errno = errno;
        this.moreErrno = moreErrno;
        this.messageError = messageError;
    }

    HostFailure asMessageError() {
        return new HostFailure(getMessage(), errno, moreErrno, true);
    }

    boolean messageError() {
        return messageError;
    }

    int errno() {
        return errno;
    }

    int moreErrno() {
        return moreErrno;
    }
}
