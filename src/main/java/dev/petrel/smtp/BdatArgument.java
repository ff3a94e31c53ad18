package dev.petrel.smtp;

/** The argument of BDAT (RFC 3030): the chunk size in octets, and whether the chunk is the last. */
public record BdatArgument(long size, boolean last) {

    /** @throws SmtpSyntaxException without a usable size: the end of the chunk cannot be found */
    public static BdatArgument parse(String argument) throws SmtpSyntaxException {
        String[] words = argument.split(" +");
        boolean last = words.length == 2 && words[1].equalsIgnoreCase("LAST");
        if (words.length > 2 || (words.length == 2 && !last) || !words[0].matches("[0-9]{1,18}")) {
            throw new SmtpSyntaxException("501 5.5.4 BDAT: invalid chunk size; closing connection");
        }
        return new BdatArgument(Long.parseLong(words[0]), last);
    }
}
