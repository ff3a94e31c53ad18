package dev.petrel.queue;

import dev.petrel.log.MainLog;
import dev.petrel.queue.routing.RoutingResult;
import dev.petrel.spool.Envelope;
import dev.petrel.spool.Reception;
import dev.petrel.spool.Spool;
import dev.petrel.spool.SpoolFormatException;
import dev.petrel.spool.SpooledMessage;
import dev.petrel.transport.DeliveryResult;
import dev.petrel.transport.Transport;
import dev.petrel.transport.Transports;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * One delivery attempt of one message: every outstanding recipient routed and handed to its transport,
 * the outcome journalled and logged, failures bounced, and the message removed once nothing is left.
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
    }

    void deliver(String id) {
        SpooledMessage message;
        try {
            message = spool.read(id);
        } catch (NoSuchFileException e) {
            return; // delivered by an earlier attempt, or removed by the operator
        } catch (SpoolFormatException e) {
            // Left for the operator, as Exim leaves it; said once per process, not at every queue run.
            if (reportedBroken.add(id)) {
                log.main(id + " Format error in spool file " + id + ": size=" + e.fileSize());
            }
            return;
        } catch (IOException e) {
            log.panic(id + " cannot read spool file: " + e.getMessage());
            return;
        }
        List<String> outstanding = new ArrayList<>(new LinkedHashSet<>(message.envelope().recipients()));
        outstanding.removeAll(message.delivered());
        Deliveries deliveries = Deliveries.of(outstanding, router);

        List<Failure> failures = new ArrayList<>();
        List<String> notJournalled = new ArrayList<>();
        List<String> failedDuplicates = new ArrayList<>(); // one bounce says it for them
        boolean deferred = false;
        List<String> unique = deliveries.unique();
        for (int i = 0; i < unique.size(); i++) {
            String rcpt = unique.get(i);
            List<String> same = deliveries.sameDelivery(rcpt);
            DeliveryResult result = deliverOne(message, rcpt, deliveries.routing(rcpt));
            switch (result.status()) {
                case DELIVERED -> {
                    // The last outstanding delivery of a message about to be removed needs no journal entry:
                    // removing the spool file says the same thing with one fsync fewer.
                    boolean last = i == unique.size() - 1 && !deferred;
                    if (last) {
                        notJournalled.addAll(same);
                    } else {
                        same.forEach(r -> journal(id, r));
                    }
                }
                case FAILED -> {
                    failures.add(new Failure(rcpt, result.reason()));
                    failedDuplicates.addAll(same.subList(1, same.size()));
                }
                case DEFERRED -> deferred = true;
            }
        }

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

    private DeliveryResult deliverOne(SpooledMessage message, String rcpt, RoutingResult routing) {
        String id = message.id();
        Transport transport;
        String rt;
        switch (routing) {
            case RoutingResult.Routed routed -> {
                // Remote routes are computed in full (hosts resolved) but wait for the smtp transport.
                transport = routed.hosts().isEmpty() ? transports.get(routed.transport())
                        : Transports.unavailable(Transports.SMTP_UNAVAILABLE);
                rt = "R=" + routed.router() + " T=" + routed.transport();
            }
            case RoutingResult.Deferred deferred -> {
                log.main(id + " == " + rcpt + " R=" + deferred.router() + " defer (-1): " + deferred.reason());
                return DeliveryResult.deferred(-1, deferred.reason());
            }
            case RoutingResult.Failed failed -> {
                log.main(id + " ** " + rcpt + (failed.router() == null ? "" : " R=" + failed.router()) + ": "
                        + failed.reason());
                return DeliveryResult.failed(failed.reason());
            }
            case RoutingResult.Declined declined -> throw new IllegalStateException("the router chain declined " + rcpt);
        }
        DeliveryResult result;
        try {
            result = transport.deliver(message, rcpt);
        } catch (RuntimeException e) {
            result = DeliveryResult.deferred(-1, "internal error: " + e);
        }
        switch (result.status()) {
            case DELIVERED -> log.main(id + " => " + result.localPart() + " <" + rcpt + "> " + rt);
            case FAILED -> log.main(id + " ** " + rcpt + " " + rt + ": " + result.reason());
            case DEFERRED -> log.main(id + " == " + rcpt + " " + rt + " defer (" + result.errno() + "): "
                    + result.reason());
        }
        return result;
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
