package dev.petrel.queue;

import dev.petrel.log.MainLog;
import dev.petrel.queue.routing.RoutingResult;
import dev.petrel.spool.Envelope;
import dev.petrel.spool.Reception;
import dev.petrel.spool.Spool;
import dev.petrel.spool.SpoolFormatException;
import dev.petrel.spool.SpooledMessage;
import dev.petrel.transport.DeliveryResult;
import dev.petrel.transport.Transports;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * One delivery attempt of one message: every outstanding recipient routed, the recipients grouped by
 * (transport, hosts) and each group handed to its transport in one go, the outcomes journalled and logged, failures bounced, and the message removed once nothing is left.
 * The caller guarantees that no other attempt on the same message runs at the same time.
 */
final class MessageDelivery {
    private final Spool spool;
    private final MainLog log;
    private final Router router;
    private final Transports transports;
    private final String primaryHostname;
    private final String qualifyDomain;
    private final Consumer<String> submitBounce;
    private final DeliveryLines lines;
    private final Set<String> reportedBroken = ConcurrentHashMap.newKeySet();

    MessageDelivery(Spool spool, MainLog log, Router router, Transports transports, String primaryHostname,
                    String qualifyDomain, Consumer<String> submitBounce) {
        this.spool = spool;
        this.log = log;
        this.router = router;
        this.transports = transports;
        this.primaryHostname = primaryHostname;
        this.qualifyDomain = qualifyDomain;
        this.submitBounce = submitBounce;
        this.lines = new DeliveryLines(log);
    }

    void deliver(String id) {
        SpooledMessage message;
        try {
            message = read(id);
        } catch (NoSuchFileException e) {
            return; // delivered by an earlier attempt, or removed by the operator
        }
        if (message != null) {
            attempt(message, route(message));
        }
    }

    /**
     * The spooled message; null (said in the logs) when it cannot be read now.
     *
     * @throws NoSuchFileException when it is no longer in the spool
     */
    SpooledMessage read(String id) throws NoSuchFileException {
        try {
            return spool.read(id);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (SpoolFormatException e) {
            // Left for the operator, as Exim leaves it; said once per process, not at every queue run.
            if (reportedBroken.add(id)) {
                log.main(id + " Format error in spool file " + id + ": size=" + e.fileSize());
            }
            return null;
        } catch (IOException e) {
            log.panic(id + " cannot read spool file: " + e.getMessage());
            return null;
        }
    }

    /** Every outstanding recipient routed, duplicates put together. */
    Deliveries route(SpooledMessage message) {
        List<String> outstanding = new ArrayList<>(new LinkedHashSet<>(message.envelope().recipients()));
        outstanding.removeAll(message.delivered());
        return Deliveries.of(outstanding, router);
    }

    /**
     * The end of an attempt: journal, bounce, or remove the message with {@code Completed} when nothing is left.
     *
     * @param othersLeft recipients not in {@code outcomes} are still to be delivered (a continued delivery took
     *     only those for its host)
     */
    void conclude(SpooledMessage message, List<Outcome> outcomes, boolean othersLeft) {
        String id = message.id();
        List<Failure> failures = new ArrayList<>();
        List<String> delivered = new ArrayList<>();
        List<String> failedDuplicates = new ArrayList<>(); // one bounce says it for them
        boolean deferred = othersLeft;
        for (Outcome o : outcomes) {
            switch (o.result().status()) {
                case DELIVERED -> {
                    if (!o.journalled()) {
                        delivered.addAll(o.covers());
                    }
                }
                case FAILED -> {
                    failures.add(new Failure(o.covers().getFirst(), o.result().reason()));
                    failedDuplicates.addAll(o.covers().subList(1, o.covers().size()));
                }
                case DEFERRED -> deferred = true;
            }
        }
        // The last group's deliveries need no journal entry if the message is about to be removed: removing the
        // spool file says the same thing with fewer fsyncs. Journal them only if the message stays.
        List<String> notJournalled = new ArrayList<>(delivered);
        boolean bounced = failures.isEmpty() || bounce(message, failures);
        if (!bounced) {
            // The sender must hear about the failures: keep them outstanding so the next run tries again.
            deferred = true;
        } else {
            // Failed recipients are done with, like delivered ones; the journal must say so if the message stays.
            failures.forEach(f -> notJournalled.add(f.recipient()));
            notJournalled.addAll(failedDuplicates);
        }
        if (deferred) {
            notJournalled.forEach(rcpt -> journal(id, rcpt));
            return;
        }
        try {
            spool.remove(id);
            log.main(id + " Completed");
        } catch (NoSuchFileException e) {
            // The operator removed it while we delivered; their removal logged Completed.
        } catch (IOException e) {
            notJournalled.forEach(rcpt -> journal(id, rcpt));
            log.panic(id + " cannot remove spool file: " + e.getMessage());
        }
    }

    /**
     * What became of one delivery: {@code covers} is its recipient followed by the duplicates it stands for
     * (see {@link Deliveries}).
     */
    record Outcome(List<String> covers, DeliveryResult result, boolean journalled) {}

    /**
     * Routes every recipient first, then hands each (transport, hosts) group to its transport as Exim does,
     * logging each outcome, and concludes: journal, bounce, {@code Completed}. The last group's outcomes are
     * acted on as soon as its transport knows them, before it carries other messages on its connection.
     */
    private void attempt(SpooledMessage message, Deliveries deliveries) {
        String id = message.id();
        List<Outcome> outcomes = new ArrayList<>();
        for (String rcpt : deliveries.unique()) {
            List<String> covers = deliveries.sameDelivery(rcpt);
            switch (deliveries.routing(rcpt)) {
                case RoutingResult.Routed routed -> { } // delivered below, by group
                case RoutingResult.Deferred d -> {
                    log.main(id + " == " + rcpt + " R=" + d.router() + " defer (-1): " + d.reason());
                    outcomes.add(new Outcome(covers, DeliveryResult.deferred(-1, d.reason()), false));
                }
                case RoutingResult.Failed f -> {
                    log.main(id + " ** " + rcpt + (f.router() == null ? "" : " R=" + f.router()) + ": " + f.reason());
                    outcomes.add(new Outcome(covers, DeliveryResult.failed(f.reason()), false));
                }
                case RoutingResult.Declined declined -> throw new IllegalStateException("the router chain declined " + rcpt);
            }
        }
        Map<Deliveries.Route, List<String>> groups = deliveries.byRoute();
        int left = groups.size();
        if (left == 0) {
            conclude(message, outcomes, false);
        }
        for (Map.Entry<Deliveries.Route, List<String>> g : groups.entrySet()) {
            // Deliveries of all but the last group are journalled at once, so that a crash in a later group
            // cannot send them again.
            boolean last = --left == 0;
            String transport = g.getKey().transport();
            List<String> rcpts = g.getValue();
            boolean[] settled = {false};
            Consumer<List<DeliveryResult>> settle = results -> {
                if (!settled[0]) {
                    settled[0] = true;
                    outcomes.addAll(logged(id, deliveries, transport, rcpts, results, !last));
                    if (last) {
                        conclude(message, outcomes, false);
                    }
                }
            };
            List<DeliveryResult> results;
            try {
                results = transports.get(transport).deliver(message, rcpts, g.getKey().hosts(), settle);
            } catch (RuntimeException e) {
                results = Collections.nCopies(rcpts.size(), DeliveryResult.deferred(-1, "internal error: " + e));
            }
            settle.accept(results);
        }
    }

    /**
     * Logs one group's outcomes ({@code =>}, {@code ->}, {@code **}, {@code ==}); with {@code journalNow}, the
     * deliveries are journalled at once.
     */
    List<Outcome> logged(String id, Deliveries deliveries, String transport, List<String> rcpts,
                         List<DeliveryResult> results, boolean journalNow) {
        List<Outcome> outcomes = new ArrayList<>(rcpts.size());
        boolean further = false;
        for (int i = 0; i < rcpts.size(); i++) {
            String rcpt = rcpts.get(i);
            DeliveryResult result = results.get(i);
            String router = deliveries.routing(rcpt) instanceof RoutingResult.Routed r ? r.router() : null;
            String rt = "R=" + router + " T=" + transport;
            switch (result.status()) {
                case DELIVERED -> {
                    log.main(lines.delivered(id, rcpt, rt, result, further));
                    further = result.remote() != null;
                    if (journalNow) {
                        deliveries.sameDelivery(rcpt).forEach(r -> journal(id, r));
                    }
                }
                case FAILED -> log.main(lines.failed(id, rcpt, rt, result));
                case DEFERRED -> log.main(lines.deferred(id, rcpt, rt, result));
            }
            outcomes.add(new Outcome(deliveries.sameDelivery(rcpt), result, journalNow));
        }
        return outcomes;
    }

    private void journal(String id, String rcpt) {
        try {
            spool.recordDelivered(id, rcpt);
        } catch (IOException e) {
            // Not fatal: a maildir recognises a repeated delivery, so the next run does not duplicate it.
            log.panic(id + " cannot journal delivery to " + rcpt + ": " + e.getMessage());
        }
    }

    /** Spools a bounce to the sender; true when the sender will hear (or, for a bounce, must not). */
    private boolean bounce(SpooledMessage message, List<Failure> failures) {
        String sender = message.envelope().sender();
        if (sender.isEmpty()) {
            return true; // never a bounce of a bounce
        }
        String bounceId = spool.newMessageId();
        Reception reception = spool.receive(bounceId);
        try {
            byte[] text = BounceMessage.render(bounceId, message, failures, primaryHostname, qualifyDomain);
            reception.append(text);
            reception.commit(Envelope.local("", List.of(sender))).join();
            log.main(bounceId + " <= <> R=" + message.id() + " U=petrel P=local S=" + text.length);
        } catch (IOException | CompletionException e) {
            reception.discard();
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            log.panic(message.id() + " cannot spool bounce message: " + cause.getMessage());
            return false;
        }
        submitBounce.accept(bounceId);
        return true;
    }
}
