package dev.petrel.transport.smtp;

import dev.petrel.transport.DeliveryResult;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Deliveries in this process waiting to go down a connection another delivery has open to the same host: the
 * in-memory half of connection reuse (the {@code wait-<transport>} database is the other, for messages no
 * attempt is running for). A delivery that finds a connection to its host open posts an {@link Offer} and
 * waits; the delivery holding the connection takes offers between its transactions and sends them, and the
 * poster logs the outcome as its own. The poster keeps its message's lock throughout, so a message is never
 * in two attempts' hands.
 *
 * <p>Keys name the transport, host and port: only a connection made under the same options takes an offer.
 */
public final class ConnectionOffers {
    private final Map<String, Deque<Offer>> waiting = new HashMap<>();

    /** Posts message {@code id} for a connection to {@code key}. */
    synchronized Offer post(String key, String id, Message message) {
        Offer offer = new Offer(key, id, message);
        waiting.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(offer);
        return offer;
    }

    /** The oldest offer for {@code key} still waiting, now taken by the caller; empty when there is none. */
    synchronized Optional<Offer> take(String key) {
        Deque<Offer> queue = waiting.get(key);
        while (queue != null && !queue.isEmpty()) {
            Offer o = queue.pollFirst();
            if (o.state.compareAndSet(Offer.POSTED, Offer.TAKEN)) {
                o.taken.complete(null);
                drop(key, queue);
                return Optional.of(o);
            }
        }
        drop(key, queue);
        return Optional.empty();
    }

    private synchronized void withdraw(Offer offer) {
        Deque<Offer> queue = waiting.get(offer.key);
        if (queue != null) {
            queue.remove(offer);
            drop(offer.key, queue);
        }
    }

    /** Only keys with offers stay, so the map does not grow with every host ever seen. */
    private void drop(String key, Deque<Offer> queue) {
        if (queue != null && queue.isEmpty()) {
            waiting.remove(key);
        }
    }

    /** One message waiting for a connection; taken at most once, or withdrawn. */
    final class Offer {
        private static final int POSTED = 0;
        private static final int TAKEN = 1;
        private static final int WITHDRAWN = 2;

        private final String key;
        final String id;
        final Message message;
        private final AtomicInteger state = new AtomicInteger(POSTED);
        private final CompletableFuture<Void> taken = new CompletableFuture<>();
        /** The results, or null when the connection broke before the message went and the poster must try itself. */
        private final CompletableFuture<List<DeliveryResult>> done = new CompletableFuture<>();

        private Offer(String key, String id, Message message) {
            this.key = key;
            this.id = id;
            this.message = message;
        }

        /** Waits up to {@code patience} for a connection to take this offer; true if one did. */
        boolean awaitTaken(Duration patience) throws InterruptedException {
            try {
                Watchdog.get(taken, patience);
                return true;
            } catch (TimeoutException e) {
                return false;
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }

        /**
         * As {@link #awaitTaken}, for the short waits repeated while no connection comes free: a timer of the
         * JDK's for each, since a wait bounded by the {@link Watchdog} leaves a little garbage on the future
         * each time it runs out.
         */
        boolean awaitTakenAgain(Duration patience) throws InterruptedException {
            try {
                taken.get(patience.toNanos(), TimeUnit.NANOSECONDS);
                return true;
            } catch (TimeoutException e) {
                return false;
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Takes the offer back unless a connection has it already; true when withdrawn. */
        boolean withdraw() {
            if (state.compareAndSet(POSTED, WITHDRAWN)) {
                ConnectionOffers.this.withdraw(this);
                return true;
            }
            return false;
        }

        /**
         * The outcome once the connection that took the offer is done with it: the results, or empty when it
         * gave the message back unsent. Bounded by {@code limit}, beyond the connection's own timeouts.
         */
        Optional<List<DeliveryResult>> awaitDone(Duration limit) throws InterruptedException, TimeoutException {
            try {
                return Optional.ofNullable(Watchdog.get(done, limit));
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }

        void complete(List<DeliveryResult> results) {
            done.complete(List.copyOf(results));
        }

        /** The message did not go: its poster sends it on a connection of its own. */
        void giveBack() {
            done.complete(null);
        }
    }
}
