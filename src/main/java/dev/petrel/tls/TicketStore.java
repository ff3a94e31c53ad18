package dev.petrel.tls;

import dev.petrel.hints.Hint;
import dev.petrel.hints.HintsDb;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Client-side ticket records, keyed as docs/behaviour.md, "Client: the ticket store" says, in the {@code tls}
 * hints database (or in memory when there is none, e.g. for the probe). An expired record is deleted when
 * looked up, never offered.
 */
public final class TicketStore {
    private final HintsDb db;
    private final Clock clock;
    private final Map<String, TicketRecord> memory = new ConcurrentHashMap<>();

    /** @param db the {@code tls} hints database, or null to keep records in memory only */
    public TicketStore(HintsDb db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public static TicketStore inMemory() {
        return new TicketStore(null, Clock.systemUTC());
    }

    /**
     * Lowercase hex SHA-256 over everything that selects the server's TLS setup: server name, server IP, port,
     * local IP, protocol and cipher settings, SNI, ALPN, and the client certificate presented (its SHA-256),
     * so a session made under one client identity is never offered under another. Fields are length-prefixed
     * so no two different tuples can produce the same input.
     */
    public static String key(TlsPeer peer, ClientTls.Settings settings) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String field : new String[] {
                    peer.serverName() == null ? "" : peer.serverName().toLowerCase(Locale.ROOT),
                    peer.serverIp().getHostAddress(),
                    Integer.toString(peer.port()),
                    address(peer.localIp()),
                    String.join(",", settings.protocols()),
                    String.join(",", settings.ciphers()),
                    peer.sni() == null ? "" : peer.sni().toLowerCase(Locale.ROOT),
                    String.join(",", settings.alpn()),
                    peer.credentials() == null ? "" : peer.credentials().fingerprint()}) {
                byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
                sha.update(new byte[] {(byte) (bytes.length >> 24), (byte) (bytes.length >> 16),
                        (byte) (bytes.length >> 8), (byte) bytes.length});
                sha.update(bytes);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String address(InetAddress a) {
        return a == null ? "" : a.getHostAddress();
    }

    /** The record, if there is one and it has not expired; an expired one is deleted. */
    public Optional<TicketRecord> usable(String key) throws IOException {
        Optional<TicketRecord> found = lookup(key);
        if (found.isPresent() && found.get().expired(clock.instant())) {
            forget(key);
            return Optional.empty();
        }
        return found;
    }

    private Optional<TicketRecord> lookup(String key) throws IOException {
        if (db == null) {
            return Optional.ofNullable(memory.get(key));
        }
        Optional<Hint> hint = db.get(key);
        return hint.map(h -> TicketRecord.decode(h.stamp(), h.value()));
    }

    public void remember(String key, TicketRecord record) throws IOException {
        if (db == null) {
            memory.put(key, record);
        } else {
            db.put(key, record.stamp(), record.encode());
        }
    }

    public void forget(String key) throws IOException {
        if (db == null) {
            memory.remove(key);
        } else {
            db.delete(key);
        }
    }

    Clock clock() {
        return clock;
    }

    /** For messages: a record's value as text. */
    static String describe(TicketRecord r) {
        return new String(r.encode(), StandardCharsets.UTF_8).replace('\n', ' ').strip();
    }
}
