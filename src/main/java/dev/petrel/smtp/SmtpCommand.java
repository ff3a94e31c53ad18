package dev.petrel.smtp;

/**
 * A command line split into its verb and the rest; {@code argument} is "" when there is none. {@code line} is
 * the command as read, without the white space that ended it.
 */
public record SmtpCommand(Verb verb, String argument, String line) {

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
        while (end > 0 && (line.charAt(end - 1) == ' ' || (line.charAt(end - 1) >= '\t' && line.charAt(end - 1) <= '\r'))) {
            end--;
        }
        return line.substring(0, end);
    }
}
