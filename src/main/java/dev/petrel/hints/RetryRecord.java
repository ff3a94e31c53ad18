package dev.petrel.hints;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * One record of the {@code retry} hints database, Exim's {@code dbdata_retry}: a host ({@code T:name:ip},
 * {@code T:name:ip:port}) or an address or domain ({@code R:...}) that has been failing.
 *
 * @param errno Exim's {@code basic_errno} of the last failure
 * @param moreErrno Exim's {@code more_errno} (A/M and connect-timeout flags, or the SMTP code)
 * @param text the last failure's message, at most {@link #MAX_TEXT} characters as Exim keeps
 * @param expired the destination is past its final cutoff
 */
public record RetryRecord(Instant firstFailed, Instant lastTry, Instant nextTry, int errno, int moreErrno,
                          String text, boolean expired) {
    public static final int MAX_TEXT = 150;
    private static final DateTimeFormatter EXIM_TIME =
            DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss", Locale.ROOT).withZone(ZoneId.systemDefault());

    public RetryRecord {
        text = printable(text);
    }

    private static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length() && out.length() < MAX_TEXT; i++) {
            char c = s.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return out.toString();
    }

    /** Tab-separated text, so that an operator reading the SQLite file with sqlite3 can make it out. */
    public byte[] encode() {
        return (firstFailed.getEpochSecond() + "\t" + lastTry.getEpochSecond() + "\t" + nextTry.getEpochSecond()
                + "\t" + errno + "\t" + moreErrno + "\t" + (expired ? 1 : 0) + "\t" + text)
                .getBytes(StandardCharsets.UTF_8);
    }

    /** @throws IllegalArgumentException for a value that is not a retry record */
    public static RetryRecord decode(byte[] value) {
        String[] f = new String(value, StandardCharsets.UTF_8).split("\t", 7);
        if (f.length != 7) {
            throw new IllegalArgumentException("not a retry record");
        }
        return new RetryRecord(Instant.ofEpochSecond(Long.parseLong(f[0])), Instant.ofEpochSecond(Long.parseLong(f[1])),
                Instant.ofEpochSecond(Long.parseLong(f[2])), Integer.parseInt(f[3]), Integer.parseInt(f[4]), f[6],
                f[5].equals("1"));
    }

    /**
     * exim_dumpdb's two lines for a retry record: the key, errno, more_errno and message, then first failed,
     * last tried and next try, with {@code *} when past the final cutoff.
     */
    public String dump(String key) {
        return "  " + key + " " + errno + " " + moreErrno + " " + text + "\n"
                + EXIM_TIME.format(firstFailed) + "  " + EXIM_TIME.format(lastTry) + "  " + EXIM_TIME.format(nextTry)
                + " " + (expired ? "*" : "");
    }
}
