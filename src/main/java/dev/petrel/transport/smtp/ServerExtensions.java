package dev.petrel.transport.smtp;

import dev.petrel.smtp.Reply;

import java.util.Locale;

/**
 * What a server's EHLO reply offers, as far as the transport uses it. A HELO session offers nothing.
 *
 * @param size the SIZE limit in octets; 0 for none given, -1 when SIZE is not offered
 */
record ServerExtensions(boolean pipelining, boolean chunking, long size, boolean eightBitMime, boolean smtpUtf8,
                        boolean startTls, boolean dsn) {

    static final ServerExtensions NONE = new ServerExtensions(false, false, -1, false, false, false, false);

    static ServerExtensions of(Reply ehlo) {
        if (ehlo == null) {
            return NONE;
        }
        boolean pipelining = false;
        boolean chunking = false;
        long size = -1;
        boolean eightBit = false;
        boolean utf8 = false;
        boolean startTls = false;
        boolean dsn = false;
        for (String line : ehlo.lines().subList(1, ehlo.lines().size())) {
            String[] words = line.strip().split("\\s+");
            switch (words[0].toUpperCase(Locale.ROOT)) {
                case "PIPELINING" -> pipelining = true;
                case "CHUNKING" -> chunking = true;
                case "SIZE" -> size = words.length > 1 ? sizeLimit(words[1]) : 0;
                case "8BITMIME" -> eightBit = true;
                case "SMTPUTF8" -> utf8 = true;
                case "STARTTLS" -> startTls = true;
                case "DSN" -> dsn = true;
                default -> { }
            }
        }
        return new ServerExtensions(pipelining, chunking, size, eightBit, utf8, startTls, dsn);
    }

    /** A limit that does not parse is no limit: the server will say so at MAIL if it cares. */
    private static long sizeLimit(String word) {
        try {
            return Math.max(0, Long.parseLong(word));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    boolean tooBig(long octets) {
        return size > 0 && octets > size;
    }
}
