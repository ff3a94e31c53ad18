package dev.petrel.transport;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The names in maildirs' {@code cur/}, without the suffix a client adds when it moves a message there
 * ({@code :2,FLAGS}, Dovecot's {@code ,S=size}), so a delivery can ask whether its file was delivered and seen
 * before. Reading a large {@code cur/} for every delivery would cost more than the delivery, so a listing is
 * kept while the directory's modification time stays what it was.
 *
 * <p>A directory's time has a coarse granularity: a change within the same tick as the listing leaves the time
 * unchanged. So a listing is kept only when the time was the same before and after it and is at least
 * {@link #SETTLED} old; any later change then gives the directory a time of its own. A name that went away since
 * the listing does no harm: it was delivered once already.
 */
final class SeenNames {
    static final Duration SETTLED = Duration.ofSeconds(2);
    /** Names kept over all directories; past it, the listings are dropped and read afresh. */
    static final long MAX_NAMES = 500_000;

    private record Listing(FileTime modified, Set<String> names) {}

    private final Map<Path, Listing> listings = new ConcurrentHashMap<>();
    private final AtomicLong kept = new AtomicLong();

    /** True when {@code cur} holds {@code fileName}, bare or with a client's suffix. */
    boolean contains(Path cur, String fileName) throws IOException {
        FileTime before = Files.getLastModifiedTime(cur);
        Listing listing = listings.get(cur);
        if (listing != null && listing.modified().equals(before)) {
            return listing.names().contains(fileName);
        }
        Set<String> names = read(cur);
        FileTime after = Files.getLastModifiedTime(cur);
        if (after.equals(before) && before.toInstant().isBefore(Instant.now().minus(SETTLED))) {
            if (kept.addAndGet(names.size()) > MAX_NAMES) {
                listings.clear();
                kept.set(names.size());
            }
            listings.put(cur, new Listing(before, names));
        }
        return names.contains(fileName);
    }

    private static Set<String> read(Path dir) throws IOException {
        Set<String> names = new HashSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                names.add(baseName(entry.getFileName().toString()));
            }
        }
        return names;
    }

    /**
     * The name as delivered: up to the client's info separator (":" by the maildir convention, ";" or "!" where a
     * filesystem cannot have ":") or the "," that starts Dovecot's size fields. Petrel's own names have none of
     * these (the host part escapes ":"), so a name of Petrel's survives whole.
     */
    static String baseName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == ':' || c == ',' || c == ';' || c == '!') {
                return name.substring(0, i);
            }
        }
        return name;
    }
}
