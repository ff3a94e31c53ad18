package dev.petrel.smtp;

/**
 * What an SMTP client writes, each encoded by {@link SmtpClientEncoder}: commands, DATA text, BDAT chunks,
 * and a {@link CommandGroup} of them that goes out as one buffer.
 */
public sealed interface ClientOutput permits SmtpCommand, MessageText, BdatChunk, CommandGroup {

    /** How many replies the server owes for this output once it is written. */
    int replies();
}
