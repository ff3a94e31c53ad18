package dev.petrel.smtp;

/**
 * What {@link SmtpReplyDecoder} produces: a {@link Reply}, or once, a {@link MalformedReply} after which the
 * reply stream cannot be trusted and nothing more is decoded.
 */
public sealed interface ReplyEvent permits Reply, MalformedReply {
}
