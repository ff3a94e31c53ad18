package dev.petrel.smtp;

/**
 * Input from a server that is not a reply, or is one too dangerous to read: what the client's handler gets
 * instead of an exception, so that it can defer the host with a log line saying what happened.
 *
 * @param reason what is wrong, for the log line (e.g. "reply line longer than 512 octets")
 * @param received the start of the offending input as received, ISO-8859-1, at most 64 octets
 */
public record MalformedReply(String reason, String received) implements ReplyEvent {
}
