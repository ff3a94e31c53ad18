package dev.petrel.smtp;

/**
 * A command line split into its verb and the rest; {@code argument} is "" when there is none; {@code line} is
 * the command without the white space that ended it. The server parses them from input; a client builds them
 * with {@link #of} and writes them with {@link SmtpClientEncoder}.
 */
public record SmtpCommand(Verb verb, String argument, String line) implements ClientOutput {

    /**
     * Splits a command line (without its CRLF). White space before the line end, a CR included, is not part
     * of the command: Exim trims it for every verb, so {@code QUIT\r} is QUIT and {@code EHLO x\r} names x.
     */
    public static SmtpCommand parse(String input) {
        String line = withoutTrailingSpace(input);
        int sp = line.indexOf(' ');
        String word = sp < 0 ? line : line.substring(0, sp);
        String argument = sp < 0 ? "" : line.substring(sp + 1).strip();
        return new SmtpCommand(Verb.of(word), argument, line);
    }

    /** C's isspace, as Exim uses it: SP, HT, LF, VT, FF and CR. */
    private static String withoutTrailingSpace(String line) {
        int end = line.length();
        while (end > 0 && isSpace(line.charAt(end - 1))) {
            end--;
        }
        return line.substring(0, end);
    }

    private static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    /**
     * A command to send, e.g. {@code of(Verb.MAIL, "FROM:<a@example.org> SIZE=1234")}. Refuses an argument
     * holding CR, LF or NUL: Petrel never emits a bare CR or LF, and a line break inside an argument would
     * let whoever chose the argument add commands of their own.
     */
    public static SmtpCommand of(Verb verb, String argument) {
        if (verb == Verb.UNKNOWN) {
            throw new IllegalArgumentException("no such command");
        }
        String line = argument.isEmpty() ? verb.name() : verb.name() + " " + argument;
        requireOneLine(line);
        return new SmtpCommand(verb, argument, line);
    }

    public static SmtpCommand of(Verb verb) {
        return of(verb, "");
    }

    static void requireOneLine(String line) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new IllegalArgumentException("CR, LF or NUL at offset " + i + " of a " + line.split(" ", 2)[0]
                        + " command");
            }
        }
    }

    @Override
    public int replies() {
        return 1;
    }
}
