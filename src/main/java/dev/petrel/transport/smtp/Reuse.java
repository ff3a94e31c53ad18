package dev.petrel.transport.smtp;

import dev.petrel.config.RetryError;
import dev.petrel.spool.SpooledMessage;
import dev.petrel.transport.DeliveryResult;
import dev.petrel.transport.HostConnectionLimit;
import dev.petrel.transport.RemoteFacts;
import dev.petrel.transport.RemoteHost;
import dev.petrel.transport.WaitingMessages;
import dev.petrel.transport.WaitingMessages.Claim;
import dev.petrel.transport.WaitingMessages.Continuation;
import dev.petrel.transport.WaitingMessages.Group;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Connection reuse for one smtp transport, as Exim does it: after a transaction that disposed of at least one
 * recipient, further messages for the same host go down the open connection, up to
 * {@code connection_max_messages}, then QUIT. They come from deliveries in this process waiting for the host
 * ({@link ConnectionOffers}) and from the {@code wait-<transport>} database ({@link WaitHints}), where messages
 * the host deferred are remembered by host name. A message another attempt holds is skipped; one whose
 * transaction breaks the connection is given back for a fresh attempt on a new one, never lost.
 */
final class Reuse {
    /** How long a delivery waits for an open connection to take its message before opening its own. */
    static final Duration OFFER_PATIENCE = Duration.ofMillis(100);

    /** What the transport knows that reuse needs: where a group may go, and a message's text. */
    interface Targets {
        /** Whether {@code group}'s hosts, as the transport would use them, include {@code host} at {@code port}. */
        boolean reaches(Group group, RemoteHost host, int port);

        Message text(SpooledMessage message, List<String> recipients) throws IOException;
    }

    private final String transport;
    private final int maxMessages;
    private final ConnectionOffers offers;
    private final WaitHints hints;
    private final WaitingMessages waiting;
    private final Consumer<String> log;

    /** @param hints the transport's wait database, null when it could not be opened (reuse then stays in memory) */
    Reuse(String transport, int maxMessages, ConnectionOffers offers, WaitHints hints, WaitingMessages waiting,
          Consumer<String> log) {
        this.transport = transport;
        this.maxMessages = maxMessages;
        this.offers = offers;
        this.hints = hints;
        this.waiting = waiting;
        this.log = log;
    }

    private boolean off() {
        return maxMessages == 1;
    }

    private String key(RemoteHost host, int port) {
        return transport + " " + host.name() + " [" + host.address().getHostAddress() + "]:" + port;
    }

    /** How a delivery gets its message to the host: down another's connection, or on a connection of its own. */
    sealed interface Way {
        /** A connection open to the host took the message; these are its results. */
        record Shared(List<DeliveryResult> results) implements Way {}

        /** A place among the host's connections, for a connection of the caller's own. */
        record Own(HostConnectionLimit.Slot slot) implements Way {}

        /** No connection took the message and none came free within {@code connect_timeout}. */
        record NoRoom() implements Way {}
    }

    /**
     * Finds a way for message {@code id} to the host: when connections to it are open, the message is offered
     * to them (a delivery that finishes a transaction takes it), for {@link #OFFER_PATIENCE} first and then for
     * as long as no connection of its own can be had, up to {@code patience}; otherwise, or when a place comes
     * free first, a connection of its own.
     *
     * @param bound how long a taking connection may need for the message, beyond which its outcome is unknown
     */
    Way shareOrConnect(String id, RemoteHost host, int port, Message text, HostConnectionLimit perHost,
                       Duration patience, Duration bound) throws InterruptedException {
        String slotKey = host.address().getHostAddress() + ":" + port;
        if (off() || perHost.open(slotKey) == 0) {
            return perHost.acquire(slotKey, patience).<Way>map(Way.Own::new).orElseGet(Way.NoRoom::new);
        }
        ConnectionOffers.Offer offer = offers.post(key(host, port), id, text);
        long deadline = System.nanoTime() + patience.toNanos();
        try {
            boolean taken = offer.awaitTaken(OFFER_PATIENCE);
            while (!taken) {
                Optional<HostConnectionLimit.Slot> slot = perHost.tryAcquire(slotKey);
                if (slot.isPresent()) {
                    if (offer.withdraw()) {
                        return new Way.Own(slot.get());
                    }
                    slot.get().close(); // taken meanwhile: that connection has it
                    break;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    if (offer.withdraw()) {
                        return new Way.NoRoom();
                    }
                    break;
                }
                taken = offer.awaitTakenAgain(Duration.ofNanos(Math.min(left, RECHECK.toNanos())));
            }
            Optional<List<DeliveryResult>> done = offer.awaitDone(bound);
            if (done.isPresent()) {
                return new Way.Shared(done.get());
            }
            // Given back: the connection broke before the message went. A connection of its own, then.
            return perHost.acquire(slotKey, patience).<Way>map(Way.Own::new).orElseGet(Way.NoRoom::new);
        } catch (InterruptedException e) {
            if (offer.withdraw()) {
                throw e;
            }
            Thread.currentThread().interrupt();
            return new Way.Shared(unknown(text));
        } catch (TimeoutException e) {
            return new Way.Shared(unknown(text));
        }
    }

    /** How often a delivery whose offer waits looks for a free place among the host's connections. */
    private static final Duration RECHECK = Duration.ofMillis(20);

    /** The taking connection may have sent the message: deferring (not sending now) is the safe side. */
    private static List<DeliveryResult> unknown(Message text) {
        return Collections.nCopies(text.recipients().size(),
                DeliveryResult.deferred(-1, "no outcome from the connection the message was handed to"));
    }

    /** Whether a first transaction with {@code results} may be followed by others on its connection. */
    boolean mayCarryOn(List<DeliveryResult> results) {
        return !off() && disposedOf(results);
    }

    /**
     * Sends further messages for {@code host} down the connection after a first transaction with
     * {@code firstResults}. Never throws: the first message's results stand whatever happens here.
     */
    void carryOn(SmtpTransaction tx, String firstId, RemoteHost host, int port, List<DeliveryResult> firstResults,
                 Targets targets) {
        if (off()) {
            return;
        }
        Set<String> done = new HashSet<>(Set.of(firstId));
        List<DeliveryResult> last = firstResults;
        try {
            while (disposedOf(last) && (maxMessages == 0 || tx.transactions() < maxMessages)) {
                Optional<ConnectionOffers.Offer> offer = offers.take(key(host, port));
                if (offer.isPresent()) {
                    last = sendOffer(tx, offer.get(), host, port);
                    if (last == null) {
                        return;
                    }
                    continue;
                }
                Optional<Next> next = nextWaiting(host, port, done, targets);
                if (next.isEmpty()) {
                    return;
                }
                done.add(next.get().continuation().message().id());
                last = sendClaimed(tx, next.get(), host, port, targets);
                if (last == null) {
                    return;
                }
            }
        } catch (RuntimeException e) {
            log.accept(firstId + " " + hostField(host, port) + ": internal error on a continued connection: " + e);
        }
    }

    /** Null when the connection broke, the message given back to its poster. */
    private List<DeliveryResult> sendOffer(SmtpTransaction tx, ConnectionOffers.Offer offer, RemoteHost host, int port) {
        try {
            List<DeliveryResult> results = tx.send(offer.message);
            offer.complete(results);
            return results;
        } catch (HostFailure f) {
            broken(offer.id, host, port, f);
            offer.giveBack();
            return null;
        } catch (RuntimeException e) {
            offer.complete(unknown(offer.message));
            throw e;
        }
    }

    private List<DeliveryResult> sendClaimed(SmtpTransaction tx, Next next, RemoteHost host, int port, Targets targets) {
        Continuation c = next.continuation();
        Message text;
        try {
            text = targets.text(c.message(), next.group().recipients());
        } catch (IOException e) {
            c.release(false);
            return List.of(); // nothing disposed of: stop here, the connection is still sound for QUIT
        }
        List<DeliveryResult> results;
        try {
            results = tx.send(text);
        } catch (HostFailure f) {
            broken(c.message().id(), host, port, f);
            c.release(true);
            return null;
        } catch (RuntimeException e) {
            c.finish(next.group(), unknown(text));
            throw e;
        }
        c.finish(next.group(), results);
        recordIfWaiting(next.group().hosts(), c.message().id(), results, false);
        return results;
    }

    private void broken(String id, RemoteHost host, int port, HostFailure f) {
        log.accept(id + " " + hostField(host, port) + ": " + f.getMessage()
                + " (on a continued connection: the message is tried again on a new one)");
    }

    private static String hostField(RemoteHost host, int port) {
        return RemoteFacts.hostField(host.name(), host.address().getHostAddress(), port, false);
    }

    private record Next(Continuation continuation, Group group) {}

    /**
     * The newest message in the host's record that another attempt does not hold and that has recipients for
     * this host, claimed; ids of messages gone, already done here or no longer routed to the host are dropped
     * from the record, and the claimed one too (a new deferral puts it back).
     */
    private Optional<Next> nextWaiting(RemoteHost host, int port, Set<String> done, Targets targets) {
        if (hints == null) {
            return Optional.empty();
        }
        List<String> stale = new ArrayList<>();
        try {
            for (String id : hints.waiting(host.name())) {
                if (done.contains(id)) {
                    stale.add(id);
                    continue;
                }
                switch (waiting.claim(id, transport)) {
                    case Claim.Busy b -> { }
                    case Claim.Gone g -> stale.add(id);
                    case Claim.Claimed claimed -> {
                        stale.add(id);
                        Continuation c = claimed.continuation();
                        Optional<Group> group = c.groups().stream()
                                .filter(g -> targets.reaches(g, host, port) && c.mayUse(host, port)).findFirst();
                        if (group.isPresent()) {
                            return Optional.of(new Next(c, group.get()));
                        }
                        c.release(false);
                    }
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            log.accept("cannot read hints database " + WaitHints.name(transport) + ": " + e.getMessage());
            return Optional.empty();
        } finally {
            forget(host.name(), stale);
        }
    }

    private void forget(String hostName, List<String> ids) {
        if (ids.isEmpty()) {
            return;
        }
        try {
            hints.remove(hostName, ids);
        } catch (IOException e) {
            log.accept("cannot update hints database " + WaitHints.name(transport) + ": " + e.getMessage());
        }
    }

    /**
     * Remembers message {@code id} under each of {@code hosts}' names when recipients stay deferred for the
     * host's sake (the host failed, or a 4xx to RCPT, or {@code connectionLimit}: its connections were all in
     * use), as Exim's transport_update_waiting does; not when the message's text was refused for now (a 4xx to
     * DATA or its end; the caller leaves out a 4xx to MAIL and a host held back for this message's own retry
     * record), which another connection would not change. A host whose retry time has not come counts as
     * Exim counts it: the message waits for it.
     */
    void recordIfWaiting(List<RemoteHost> hosts, String id, List<DeliveryResult> results, boolean connectionLimit) {
        if (off() || hints == null || hosts.isEmpty()) {
            return;
        }
        boolean waits = results.stream().anyMatch(r -> r.status() == DeliveryResult.Status.DEFERRED
                && (connectionLimit || r.hostProblem() || r.errno() == SmtpTransaction.ERRNO_RCPT4XX
                || r.errno() == RetryError.HOST_RETRY));
        if (!waits) {
            return;
        }
        try {
            hints.add(hosts.stream().map(RemoteHost::name).toList(), id);
        } catch (IOException e) {
            log.accept(id + " cannot update hints database " + WaitHints.name(transport) + ": " + e.getMessage());
        }
    }

    /** Exim continues only after a transaction that settled some recipient, so deferrals cannot loop. */
    private static boolean disposedOf(List<DeliveryResult> results) {
        return results.stream().anyMatch(r -> r.status() != DeliveryResult.Status.DEFERRED);
    }
}
