package dev.petrel.queue;

/** A recipient that failed permanently, and why, as the bounce message reports it. */
public record Failure(String recipient, String reason) {
}
