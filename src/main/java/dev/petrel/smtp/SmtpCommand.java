package dev.petrel.smtp;

/** A command line split into its verb and the rest; {@code argument} is "" when there is none. */
public record SmtpCommand(Verb verb, String argument, String line) {

    public static SmtpCommand parse(String line) {
        int sp = line.indexOf(' ');
        String word = sp < 0 ? line : line.substring(0, sp);
        String argument = sp < 0 ? "" : line.substring(sp + 1).strip();
        return new SmtpCommand(Verb.of(word), argument, line);
    }
}
