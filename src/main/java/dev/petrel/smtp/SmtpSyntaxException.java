package dev.petrel.smtp;

/** A command argument that cannot be accepted, with the reply that says why. */
public final class SmtpSyntaxException extends Exception {
    private final transient Reply reply;

    public SmtpSyntaxException(String reply) {
        super(reply, null, false, false);
        this.reply = Reply.parse(reply);
    }

    public Reply reply() {
        return reply;
    }
}
