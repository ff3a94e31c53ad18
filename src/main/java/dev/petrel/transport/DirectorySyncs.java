package dev.petrel.transport;

import dev.petrel.spool.DirectorySync;

import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * One {@link DirectorySync} per maildir {@code new/}, so that deliveries running together into one mailbox
 * share its directory fsyncs. Forgetting an entry is always safe (a fresh one simply syncs on its own), so the
 * map is cleared rather than allowed to grow past {@link #MAX} mailboxes.
 */
final class DirectorySyncs {
    static final int MAX = 4096;

    private final ConcurrentMap<Path, DirectorySync> syncs = new ConcurrentHashMap<>();

    DirectorySync of(Path directory) {
        if (syncs.size() >= MAX) {
            syncs.clear();
        }
        return syncs.computeIfAbsent(directory, DirectorySync::new);
    }
}
