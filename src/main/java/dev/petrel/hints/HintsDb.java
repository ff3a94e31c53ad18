package dev.petrel.hints;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * A hints database ({@code misc}, {@code tls}, {@code retry}, {@code wait-<transport>}): an SQLite file under
 * {@code spool_directory/db/} that operators can open with {@code sqlite3}.
 *
 * <p>Every statement is prepared with bound parameters: keys come from the network (host names, addresses,
 * message ids), and Exim's CVE-2025-26794 was exactly a key pasted into SQL. WAL mode and a busy timeout let
 * the daemon and a command-line tool use one file at the same time.
 */
public final class HintsDb implements AutoCloseable {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*(-[A-Za-z0-9_.]+)?");
    private static final int BUSY_TIMEOUT_MS = 5_000;

    /** Beyond this many records the keys are not kept in memory: reading them again would cost more than it saves. */
    private static final int KEYS_KEPT = 10_000;

    private final Path file;
    private final Path wal;
    private final Connection connection;
    private final Clock clock;
    /** The keys as last read (null: too many to keep); valid while the files' stamps are these. Guarded by this. */
    private Set<String> keys;
    private FileStamp fileRead;
    private FileStamp walRead;

    private HintsDb(Path file, Connection connection, Clock clock) {
        this.file = file;
        this.wal = file.resolveSibling(file.getFileName() + "-wal");
        this.connection = connection;
        this.clock = clock;
    }

    /** Opens (creating if needed) {@code spoolDir/db/name}. */
    public static HintsDb open(Path spoolDir, String name) throws IOException {
        return open(spoolDir, name, Clock.systemUTC());
    }

    /** As {@link #open(Path, String)}, with a clock for tests of {@link #tidy}. */
    public static HintsDb open(Path spoolDir, String name, Clock clock) throws IOException {
        if (!NAME.matcher(name).matches()) {
            // The name becomes a file name; anything path-like is refused rather than normalised.
            throw new IllegalArgumentException("bad hints database name \"" + name + "\"");
        }
        Path dir = spoolDir.resolve("db");
        Files.createDirectories(dir);
        Path file = dir.resolve(name);
        if (!Files.exists(file)) {
            Files.createFile(file);
            trySetOwnerOnly(file);
        }
        try {
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = c.createStatement()) {
                // busy_timeout first: switching to WAL itself needs a lock another process may hold.
                s.execute("PRAGMA busy_timeout = " + BUSY_TIMEOUT_MS);
                s.execute("PRAGMA journal_mode = WAL");
                s.execute("PRAGMA synchronous = NORMAL");
                s.execute("CREATE TABLE IF NOT EXISTS hints (key TEXT PRIMARY KEY, stamp INTEGER NOT NULL, value BLOB)");
            }
            return new HintsDb(file, c, clock);
        } catch (SQLException e) {
            throw new IOException("cannot open hints database " + file + ": " + e.getMessage(), e);
        }
    }

    private static void trySetOwnerOnly(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException | IOException e) {
            // Not a POSIX file system: the spool directory's own permissions are all there is.
        }
    }

    public Path file() {
        return file;
    }

    public synchronized Optional<Hint> get(String key) throws IOException {
        if (!mayContain(key)) {
            return Optional.empty();
        }
        try (PreparedStatement p = connection.prepareStatement("SELECT stamp, value FROM hints WHERE key = ?")) {
            p.setString(1, key);
            try (ResultSet r = p.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                byte[] value = r.getBytes(2);
                return Optional.of(new Hint(key, Instant.ofEpochSecond(r.getLong(1)), value == null ? new byte[0] : value));
            }
        } catch (SQLException e) {
            throw failure("read", e);
        }
    }

    /** Writes the record, stamped now, replacing any record with the same key. */
    public void put(String key, byte[] value) throws IOException {
        put(key, clock.instant(), value);
    }

    public synchronized void put(String key, Instant stamp, byte[] value) throws IOException {
        try (PreparedStatement p = connection.prepareStatement(
                "INSERT INTO hints (key, stamp, value) VALUES (?, ?, ?) "
                        + "ON CONFLICT(key) DO UPDATE SET stamp = excluded.stamp, value = excluded.value")) {
            p.setString(1, key);
            p.setLong(2, stamp.getEpochSecond());
            p.setBytes(3, value);
            p.executeUpdate();
        } catch (SQLException e) {
            throw failure("write", e);
        }
    }

    /**
     * Reads, changes and writes one record as one SQLite transaction that holds the database's write lock
     * throughout ({@code BEGIN IMMEDIATE}), so that another thread or process updating the same record waits
     * instead of overwriting: {@code change} gets the current record (if any) and returns the new one, or
     * empty to delete it.
     *
     * @return what was written
     */
    public synchronized Optional<Hint> update(String key, UnaryOperator<Optional<Hint>> change) throws IOException {
        try {
            boolean autoCommit = connection.getAutoCommit();
            try (Statement s = connection.createStatement()) {
                connection.setAutoCommit(true);
                s.execute("BEGIN IMMEDIATE");
                try {
                    Optional<Hint> now = change.apply(get(key));
                    if (now.isPresent()) {
                        put(key, now.get().stamp(), now.get().value());
                    } else {
                        delete(key);
                    }
                    s.execute("COMMIT");
                    return now;
                } catch (IOException | RuntimeException e) {
                    s.execute("ROLLBACK");
                    throw e;
                }
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw failure("update", e);
        }
    }

    /** @return whether a record was there */
    public synchronized boolean delete(String key) throws IOException {
        try (PreparedStatement p = connection.prepareStatement("DELETE FROM hints WHERE key = ?")) {
            p.setString(1, key);
            return p.executeUpdate() > 0;
        } catch (SQLException e) {
            throw failure("delete from", e);
        }
    }

    /**
     * Deletes records stamped more than {@code olderThan} ago ({@code petrel tidydb}).
     *
     * @return how many were deleted
     */
    public synchronized int tidy(Duration olderThan) throws IOException {
        long cutoff = clock.instant().minus(olderThan).getEpochSecond();
        try (PreparedStatement p = connection.prepareStatement("DELETE FROM hints WHERE stamp < ?")) {
            p.setLong(1, cutoff);
            return p.executeUpdate();
        } catch (SQLException e) {
            throw failure("tidy", e);
        }
    }

    /** Every record, ordered by key ({@code petrel dumpdb NAME}). */
    public synchronized List<Hint> dump() throws IOException {
        List<Hint> out = new ArrayList<>();
        try (PreparedStatement p = connection.prepareStatement("SELECT key, stamp, value FROM hints ORDER BY key");
                ResultSet r = p.executeQuery()) {
            while (r.next()) {
                byte[] value = r.getBytes(3);
                out.add(new Hint(r.getString(1), Instant.ofEpochSecond(r.getLong(2)), value == null ? new byte[0] : value));
            }
            return out;
        } catch (SQLException e) {
            throw failure("dump", e);
        }
    }

    /**
     * False when {@code key} is certainly not in the database. Most lookups are misses (a delivery asks the
     * retry database about its domain, address and host, which have no records while all goes well), and a
     * miss answered from memory costs two {@code stat} calls instead of an SQLite read transaction. Every
     * commit, by this process or another, changes the database file or its write-ahead log (their size or
     * modification time), and then the keys are read again. (A commit can escape this only by rewriting a
     * log of the same size in the same clock tick as the last look; a record missed so is seen at the next
     * commit, and meanwhile a delivery is merely tried once more than its retry time says.)
     */
    private boolean mayContain(String key) throws IOException {
        // Stamped before the read, so that a commit during it shows next time.
        FileStamp fileNow = FileStamp.of(file);
        FileStamp walNow = FileStamp.of(wal);
        if (!fileNow.equals(fileRead) || !walNow.equals(walRead)) {
            fileRead = fileNow;
            walRead = walNow;
            keys = readKeys();
        }
        return keys == null || keys.contains(key);
    }

    /** The keys; null when there are more than {@link #KEYS_KEPT}. */
    private Set<String> readKeys() throws IOException {
        Set<String> read = new HashSet<>();
        try (PreparedStatement p = connection.prepareStatement("SELECT key FROM hints LIMIT " + (KEYS_KEPT + 1));
                ResultSet r = p.executeQuery()) {
            while (r.next()) {
                read.add(r.getString(1));
            }
        } catch (SQLException e) {
            throw failure("read", e);
        }
        return read.size() > KEYS_KEPT ? null : read;
    }

    private IOException failure(String what, SQLException e) {
        return new IOException("cannot " + what + " hints database " + file + ": " + e.getMessage(), e);
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            connection.close();
        } catch (SQLException e) {
            throw failure("close", e);
        }
    }
}
