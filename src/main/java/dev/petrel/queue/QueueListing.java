package dev.petrel.queue;

import dev.petrel.spool.MessageId;
import dev.petrel.spool.Spool;
import dev.petrel.spool.SpoolFormatException;
import dev.petrel.spool.SpooledMessage;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Locale;

/**
 * The queue as {@code mailq} / {@code exim -bp} show it, so that operators' eyes and scripts that parse
 * that output (exiqsumm, exiqgrep) work unchanged:
 * <pre>
 *  0m   412 1tXyZa-000000001x2-AbCd &lt;alice@example.org&gt;
 *         D bob@localhost
 *           carol@localhost
 *
 *  5m   2.1K 1tXyZc-000000001x4-IjKl &lt;&gt; *** frozen ***
 *           alice@example.org
 *
 *  2h   1.1K 1tXyZb-000000001x3-EfGh
 *     *** spool format error: size=1130 ***
 * </pre>
 */
public final class QueueListing {
    private final Spool spool;

    public QueueListing(Spool spool) {
        this.spool = spool;
    }

    public String render() throws IOException {
        return render(Instant.now());
    }

    public String render(Instant now) throws IOException {
        StringBuilder out = new StringBuilder();
        for (String id : spool.messageIds()) {
            SpooledMessage m;
            try {
                m = spool.read(id);
            } catch (NoSuchFileException e) {
                continue; // delivered while we listed
            } catch (SpoolFormatException e) {
                // Exim's mailq shows such a message, and what is wrong, instead of giving up on the queue.
                Duration age = Duration.between(MessageId.time(id), now);
                out.append(String.format(Locale.ROOT, "%3s %5s %s\n    *** spool format error: size=%d ***\n\n",
                        age(age), size(e.fileSize()), id, e.fileSize()));
                continue;
            }
            Duration age = Duration.between(m.envelope().receivedAt(), now);
            out.append(String.format(Locale.ROOT, "%3s %5s %s <%s>%s\n", age(age), size(m.dataSize()), id,
                    m.envelope().sender(), m.frozen() ? " *** frozen ***" : ""));
            for (String rcpt : new LinkedHashSet<>(m.envelope().recipients())) {
                out.append("        ").append(m.delivered().contains(rcpt) ? "D " : "  ").append(rcpt)
                        .append('\n');
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** Minutes up to 90, then hours up to 72, then days, rounded: the precision an operator glances for. */
    static String age(Duration age) {
        long minutes = Math.max(0, age.toSeconds()) / 60;
        if (minutes <= 90) {
            return minutes + "m";
        }
        long hours = (minutes + 30) / 60;
        if (hours <= 72) {
            return hours + "h";
        }
        return (hours + 12) / 24 + "d";
    }

    /** At most four characters: 412, 1.2K, 34K, 5.6M, 78M, 1.2G. */
    static String size(long bytes) {
        if (bytes < 1024) {
            return Long.toString(bytes);
        }
        String[] units = {"K", "M", "G", "T"};
        double value = bytes / 1024.0;
        int unit = 0;
        while (value >= 999.5 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        if (value < 9.95) { // so that rounding never makes it "10.0K"
            return String.format(Locale.ROOT, "%.1f%s", value, units[unit]);
        }
        return Math.round(value) + units[unit];
    }
}
