package dev.petrel.smtp;

import java.util.List;

/**
 * Commands (and BDAT chunks) pipelined together (RFC 2920), encoded into a single buffer. One buffer, not
 * one write of several: with TCP Fast Open only the first buffer written before the connect rides in the
 * SYN, so an early-pipelined {@code EHLO,MAIL,RCPT,BDAT n LAST} group must be one.
 */
public record CommandGroup(List<ClientOutput> parts) implements ClientOutput {

    public CommandGroup {
        parts = List.copyOf(parts);
        if (parts.isEmpty() || parts.stream().anyMatch(p -> p instanceof CommandGroup)) {
            throw new IllegalArgumentException("a group holds one or more commands, and no groups");
        }
    }

    public static CommandGroup of(ClientOutput... parts) {
        return new CommandGroup(List.of(parts));
    }

    @Override
    public int replies() {
        return parts.stream().mapToInt(ClientOutput::replies).sum();
    }
}
