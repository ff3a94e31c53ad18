package dev.petrel.transport.smtp;

import dev.petrel.hints.Hint;
import dev.petrel.hints.HintsDb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Exim's {@code wait-<transport>} hints database: for each host name, the ids of messages that could not be
 * delivered to it (the host deferred, or its connections were all taken), so that a later delivery holding a
 * connection to that host can send them down it. One record per host, its value the ids separated by spaces,
 * oldest first, as {@code petrel dumpdb} shows them. Exim splits long lists over continuation records; here
 * one record is bounded instead, the oldest ids giving way (they stay queued; only the hint is lost).
 *
 * <p>It is a hint: two processes updating one host's record at once can lose an id, which costs only a
 * connection; a message is never found through it alone.
 */
public final class WaitHints implements AutoCloseable {
    static final int MAX_IDS = 1000;

    private final HintsDb db;

    public WaitHints(HintsDb db) {
        this.db = db;
    }

    /** {@code wait-TRANSPORT} under the spool directory. */
    public static WaitHints open(Path spoolDirectory, String transport) throws IOException {
        return new WaitHints(HintsDb.open(spoolDirectory, name(transport)));
    }

    public static String name(String transport) {
        return "wait-" + transport;
    }

    /** Adds {@code id} to the record of each host named. */
    public synchronized void add(Collection<String> hostNames, String id) throws IOException {
        for (String host : new LinkedHashSet<>(hostNames)) {
            List<String> ids = read(host);
            if (ids.contains(id)) {
                continue;
            }
            ids.add(id);
            if (ids.size() > MAX_IDS) {
                ids.subList(0, ids.size() - MAX_IDS).clear();
            }
            write(host, ids);
        }
    }

    /** The ids waiting for {@code host}, newest first (Exim scans its record from the end). */
    public synchronized List<String> waiting(String host) throws IOException {
        return read(host).reversed();
    }

    /** Takes {@code ids} out of {@code host}'s record, deleting the record when it empties. */
    public synchronized void remove(String host, Collection<String> ids) throws IOException {
        List<String> now = read(host);
        if (now.removeAll(Set.copyOf(ids))) {
            write(host, now);
        }
    }

    private List<String> read(String host) throws IOException {
        Optional<Hint> hint = db.get(host);
        return hint.map(h -> parse(h.valueText())).orElseGet(ArrayList::new);
    }

    private void write(String host, List<String> ids) throws IOException {
        if (ids.isEmpty()) {
            db.delete(host);
        } else {
            db.put(host, String.join(" ", ids).getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static List<String> parse(String value) {
        List<String> ids = new ArrayList<>();
        for (String id : value.split(" ")) {
            if (!id.isEmpty()) {
                ids.add(id);
            }
        }
        return ids;
    }

    /**
     * Exim's exim_tidydb for a wait database: ids of messages no longer in the spool are removed, and records
     * left empty deleted. Returns the lines to show the operator ({@code updated HOST}, {@code deleted HOST (empty)}).
     */
    public static List<String> tidy(HintsDb db, Predicate<String> messageExists) throws IOException {
        List<String> lines = new ArrayList<>();
        for (Hint hint : db.dump()) {
            List<String> ids = parse(hint.valueText());
            List<String> kept = ids.stream().filter(messageExists).toList();
            if (kept.isEmpty()) {
                db.delete(hint.key());
                lines.add("deleted " + hint.key() + " (empty)");
            } else if (kept.size() < ids.size()) {
                // The stamp is kept: tidying is not news about the host.
                db.put(hint.key(), hint.stamp(), String.join(" ", kept).getBytes(StandardCharsets.US_ASCII));
                lines.add("updated " + hint.key());
            }
        }
        return lines;
    }

    @Override
    public void close() throws IOException {
        db.close();
    }
}
