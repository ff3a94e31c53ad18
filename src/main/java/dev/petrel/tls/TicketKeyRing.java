package dev.petrel.tls;

import io.netty.handler.ssl.OpenSslServerSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Session-ticket encryption keys, in memory only: a new key every {@code rotate}, older keys still accepted
 * until {@code lifetime} after their creation. A ticket under an older key resumes and BoringSSL answers it
 * with a ticket under the newest key; a ticket whose key is gone gets a full handshake.
 *
 * <p>A ticket lives at most {@code lifetime} after its key's creation, because the key is dropped then; and at
 * most {@code lifetime} after the full handshake its session came from, resumptions included, because
 * {@link SessionLifetime} caps the session. Key bytes are zeroed when a key is retired. Netty clones the arrays it is given
 * into objects that become garbage at the next install; those copies and BoringSSL's own are out of reach.
 */
public final class TicketKeyRing implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Duration lifetime;
    private final ScheduledExecutorService timer;
    private final List<OpenSslServerSessionContext> contexts = new ArrayList<>();
    /** Newest first: the head encrypts. */
    private final Deque<Key> keys = new ArrayDeque<>();
    private ScheduledFuture<?> rotation;
    private boolean closed;

    /** Key material. Not a record: its arrays are zeroed in place, and it must never print its bytes. */
    private static final class Key {
        final byte[] name = new byte[OpenSslSessionTicketKey.NAME_SIZE];
        final byte[] hmac = new byte[OpenSslSessionTicketKey.HMAC_KEY_SIZE];
        final byte[] aes = new byte[OpenSslSessionTicketKey.AES_KEY_SIZE];

        Key() {
            RANDOM.nextBytes(name);
            RANDOM.nextBytes(hmac);
            RANDOM.nextBytes(aes);
        }

        OpenSslSessionTicketKey forNetty() {
            return new OpenSslSessionTicketKey(name, hmac, aes);
        }

        void wipe() {
            Arrays.fill(name, (byte) 0);
            Arrays.fill(hmac, (byte) 0);
            Arrays.fill(aes, (byte) 0);
        }

        @Override
        public String toString() {
            return "TicketKey[redacted]";
        }
    }

    private TicketKeyRing(Duration lifetime, ScheduledExecutorService timer) {
        this.lifetime = lifetime;
        this.timer = timer;
    }

    /**
     * Creates the first key and schedules the rotations.
     *
     * @param rotate how often a new key takes over encryption (default 1h)
     * @param lifetime how long after its creation a key still decrypts (default 2h); must exceed {@code rotate},
     *     or a ticket would die the moment its key stopped encrypting
     */
    public static TicketKeyRing start(Duration rotate, Duration lifetime, ScheduledExecutorService timer) {
        if (rotate.isNegative() || rotate.isZero()) {
            throw new IllegalArgumentException("tls_ticket_key_rotate must be positive");
        }
        if (lifetime.compareTo(rotate) <= 0) {
            throw new IllegalArgumentException("tls_ticket_lifetime (" + lifetime + ") must be longer than "
                    + "tls_ticket_key_rotate (" + rotate + ")");
        }
        TicketKeyRing ring = new TicketKeyRing(lifetime, timer);
        ring.rotate();
        long period = rotate.toNanos();
        ring.rotation = timer.scheduleAtFixedRate(ring::rotate, period, period, TimeUnit.NANOSECONDS);
        return ring;
    }

    /** Installs the current keys into the context now and at every change. */
    public synchronized void attach(OpenSslServerSessionContext ctx) {
        if (closed) {
            throw new IllegalStateException("ticket key ring closed");
        }
        contexts.add(ctx);
        ctx.setTicketKeys(nettyKeys());
    }

    /** How many keys currently decrypt (1 right after start, then 2 with the defaults). */
    public synchronized int size() {
        return keys.size();
    }

    synchronized void rotate() {
        if (closed) {
            return;
        }
        Key key = new Key();
        keys.addFirst(key);
        install();
        timer.schedule(() -> expire(key), lifetime.toNanos(), TimeUnit.NANOSECONDS);
    }

    private synchronized void expire(Key key) {
        if (keys.remove(key)) {
            // Never leave a context with no key: that would silently turn TLS 1.2 tickets off altogether.
            if (keys.isEmpty()) {
                keys.addFirst(new Key());
            }
            install();
            key.wipe();
        }
    }

    private void install() {
        OpenSslSessionTicketKey[] current = nettyKeys();
        for (OpenSslServerSessionContext ctx : contexts) {
            ctx.setTicketKeys(current);
        }
    }

    private OpenSslSessionTicketKey[] nettyKeys() {
        return keys.stream().map(Key::forNetty).toArray(OpenSslSessionTicketKey[]::new);
    }

    /**
     * Stops rotating and installs one throwaway key (a context cannot be told "no keys" without turning
     * tickets off altogether), so no ticket issued so far resumes afterwards. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (rotation != null) {
            rotation.cancel(false);
        }
        Key last = new Key();
        OpenSslSessionTicketKey[] only = {last.forNetty()};
        for (OpenSslServerSessionContext ctx : contexts) {
            ctx.setTicketKeys(only);
        }
        last.wipe();
        keys.forEach(Key::wipe);
        keys.clear();
        contexts.clear();
    }

    @Override
    public String toString() {
        return "TicketKeyRing[keys=" + size() + "]";
    }
}
