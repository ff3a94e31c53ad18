package dev.petrel.queue;

import dev.petrel.config.RetryError;
import dev.petrel.log.MainLog;
import dev.petrel.queue.routing.RoutingResult;
import dev.petrel.spool.Spool;
import dev.petrel.spool.SpoolFormatException;
import dev.petrel.spool.SpooledMessage;
import dev.petrel.transport.Address;
import dev.petrel.transport.DeliveryResult;
import dev.petrel.transport.RemoteHost;
import dev.petrel.transport.Transports;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One delivery attempt of one message: every outstanding recipient routed, the recipients grouped by
 * (transport, hosts) and each group handed to its transport in one go, the outcomes journalled and logged, the
 * sender notified ({@link Notifications}), and the message removed once nothing is left; a notification that
 * fails is frozen.
 * The caller guarantees that no other attempt on the same message runs at the same time.
 */
final class MessageDelivery {
    private final Spool spool;
    private final MainLog log;
    private final Router router;
    private final Transports transports;
    private final Notifications notifications;
    private final DeliveryLines lines;
    private final Set<String> reportedBroken = ConcurrentHashMap.newKeySet();
    private final RetryState retry;

    MessageDelivery(Spool spool, MainLog log, Router router, Transports transports, Notifications notifications,
                    RetryState retry) {
        this.retry = retry;
        this.spool = spool;
        this.log = log;
        this.router = router;
        this.transports = transports;
        this.notifications = notifications;
        this.lines = new DeliveryLines(log);
    }

    /** @param force retry times are ignored (Exim's {@code -qf}, {@code -M}) */
    void deliver(String id, boolean force) {
        SpooledMessage message;
        try {
            message = read(id);
        } catch (NoSuchFileException e) {
            return; // delivered by an earlier attempt, or removed by the operator
        }
        if (message == null || message.frozen()) {
            return; // frozen: left for the operator (petrel queue thaw), as Exim's queue runs leave frozen messages
        }
        List<String> outstanding = outstanding(message);
        Attempt attempt = new Attempt(message, force);
        List<Outcome> outcomes = attempt.notDue(outstanding);
        attempt.run(Deliveries.of(outstanding, router), outcomes);
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

    private static List<String> outstanding(SpooledMessage message) {
        List<String> outstanding = new ArrayList<>(new LinkedHashSet<>(message.envelope().recipients()));
        outstanding.removeAll(message.delivered());
        return outstanding;
    }

    /**
     * The end of an attempt: journal, notify the sender, or remove the message with {@code Completed} when
     * nothing is left.
     *
     * @param othersLeft recipients not in {@code outcomes} are still to be delivered (a continued delivery
     *     took only those for its host)
     */
    private void conclude(Attempt attempt, List<Outcome> outcomes, boolean othersLeft) {
        SpooledMessage message = attempt.message;
        String id = message.id();
        List<Failure> failures = new ArrayList<>();
        List<Failure> deferrals = new ArrayList<>();
        List<Failure> successes = new ArrayList<>();
        List<String> delivered = new ArrayList<>();
        List<String> failedDuplicates = new ArrayList<>(); // one bounce says it for them
        for (Outcome o : outcomes) {
            String rcpt = o.covers().getFirst();
            DeliveryResult result = o.result();
            switch (result.status()) {
                case DELIVERED -> {
                    if (!o.journalled()) {
                        delivered.addAll(o.covers());
                    }
                    if (result.remote() == null || !result.remote().dsnOffered()) {
                        successes.add(new Failure(rcpt, null, result.remote()));
                    }
                }
                case FAILED -> {
                    failures.add(new Failure(rcpt, result.reason(), result.remote()));
                    failedDuplicates.addAll(o.covers().subList(1, o.covers().size()));
                }
                case DEFERRED -> deferrals.add(new Failure(rcpt, result.reason(), result.remote()));
            }
        }
        // The last group's deliveries need no journal entry if the message is about to be removed: removing the
        // spool file says the same thing with fewer fsyncs. Journal them only if the message stays.
        List<String> notJournalled = new ArrayList<>(delivered);
        boolean deferred = !deferrals.isEmpty() || othersLeft;
        if (!failures.isEmpty() && message.envelope().sender().isEmpty()) {
            // A notification that cannot be delivered has nobody to go back to: frozen for the operator, as Exim does.
            freeze(id);
            notJournalled.forEach(rcpt -> journal(id, rcpt));
            return;
        }
        if (!notifications.failed(message, failures)) {
            // The sender must hear about the failures: keep them outstanding so the next run tries again.
            deferred = true;
        } else {
            // Failed recipients are done with, like delivered ones; the journal must say so if the message stays.
            failures.forEach(f -> notJournalled.add(f.recipient()));
            notJournalled.addAll(failedDuplicates);
        }
        notifications.delivered(message, successes);
        if (deferred) {
            notJournalled.forEach(rcpt -> journal(id, rcpt));
            if (!deferrals.isEmpty()) {
                notifications.delayed(message, deferrals, Instant.now());
            }
            return;
        }
        attempt.done();
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
     * A message claimed for a connection that is open to one of its hosts: routed now, its groups for
     * {@code transport} to choose from; {@link Continued#finish} logs and concludes the chosen group's outcomes.
     * Null when nothing of it routes to that transport.
     */
    Continued continued(SpooledMessage message, String transport) {
        Attempt attempt = new Attempt(message, false);
        List<String> outstanding = outstanding(message);
        // Those whose retry time has not come stay for it; nothing is said of them here.
        boolean notDue = !attempt.notDue(outstanding).isEmpty();
        Deliveries deliveries = Deliveries.of(outstanding, router);
        Map<Group, List<String>> groups = new LinkedHashMap<>();
        for (String rcpt : deliveries.unique()) {
            if (deliveries.routing(rcpt) instanceof RoutingResult.Routed routed && routed.transport().equals(transport)) {
                groups.computeIfAbsent(new Group(transport, hosts(routed)), g -> new ArrayList<>()).add(rcpt);
            }
        }
        return groups.isEmpty() ? null : new Continued(attempt, deliveries, groups, notDue);
    }

    /** See {@link #continued}. */
    final class Continued {
        private final Attempt attempt;
        private final Deliveries deliveries;
        private final Map<Group, List<String>> groups;
        private final boolean notDue;

        private Continued(Attempt attempt, Deliveries deliveries, Map<Group, List<String>> groups, boolean notDue) {
            this.attempt = attempt;
            this.deliveries = deliveries;
            this.groups = groups;
            this.notDue = notDue;
        }

        /** The recipients of each group, with its hosts. */
        Map<List<String>, List<RemoteHost>> groups() {
            Map<List<String>, List<RemoteHost>> out = new LinkedHashMap<>();
            groups.forEach((g, rcpts) -> out.put(List.copyOf(rcpts), g.hosts()));
            return out;
        }

        /**
         * Logs and concludes the outcomes of the group of {@code rcpts}; true when other recipients of the
         * message are left for a fresh attempt.
         */
        boolean finish(List<String> rcpts, List<DeliveryResult> results) {
            Group group = groups.entrySet().stream().filter(e -> e.getValue().equals(rcpts)).map(Map.Entry::getKey)
                    .findFirst().orElseThrow();
            List<Outcome> outcomes = attempt.logged(group, rcpts, results, routers(deliveries), deliveries, false, null);
            boolean othersLeft = notDue || deliveries.unique().size() > rcpts.size();
            conclude(attempt, outcomes, othersLeft);
            return othersLeft;
        }
    }

    private static List<RemoteHost> hosts(RoutingResult.Routed routed) {
        return routed.hosts().stream().map(h -> new RemoteHost(h.name(), h.address(), h.port(), h.mx() >= 0)).toList();
    }

    private static Map<String, String> routers(Deliveries deliveries) {
        Map<String, String> routers = new HashMap<>();
        for (String rcpt : deliveries.unique()) {
            if (deliveries.routing(rcpt) instanceof RoutingResult.Routed routed) {
                routers.put(rcpt, routed.router());
            }
        }
        return routers;
    }

    private void freeze(String id) {
        try {
            spool.freeze(id);
            log.main(id + " Frozen (delivery error message)");
        } catch (IOException e) {
            log.panic(id + " cannot freeze: " + e.getMessage());
        }
    }

    /**
     * What became of one delivery: {@code covers} is its recipient followed by the duplicates it stands for
     * (see {@link Deliveries}).
     */
    private record Outcome(List<String> covers, DeliveryResult result, boolean journalled) {}

    /** Recipients routed to the same transport and hosts: one delivery, one SMTP transaction for a remote one. */
    private record Group(String transport, List<RemoteHost> hosts) {}

    /**
     * One attempt's retry state: the message's addresses (and domains), and the hosts that failed in it,
     * which are not tried again in the same attempt.
     */
    private final class Attempt {
        private final SpooledMessage message;
        private final boolean force;
        private final AddressRetry addresses;
        private final Set<String> failedHosts = new HashSet<>();
        private final List<HostRetryGate> gates = new ArrayList<>();

        Attempt(SpooledMessage message, boolean force) {
            this.message = message;
            this.force = force;
            this.addresses = new AddressRetry(retry, message.envelope().sender(), message.envelope().receivedAt(), force);
        }

        /** Takes out of {@code outstanding} the recipients whose retry time has not come, deferred. */
        List<Outcome> notDue(List<String> outstanding) {
            List<Outcome> held = new ArrayList<>();
            for (var it = outstanding.iterator(); it.hasNext(); ) {
                String rcpt = it.next();
                if (!addresses.due(rcpt)) {
                    it.remove();
                    if (log.selected("retry_defer")) {
                        log.main(message.id() + " == " + rcpt + " routing defer (" + RetryError.ROUTING_RETRY
                                + "): retry time not reached");
                    }
                    held.add(new Outcome(List.of(rcpt), DeliveryResult.deferred(RetryError.ROUTING_RETRY,
                            "retry time not reached"), false));
                }
            }
            return held;
        }

        /**
         * Routes every recipient first, then hands each (transport, hosts) group to its transport as Exim does,
         * logging each outcome, and concludes (journal, notifications, {@code Completed}). The last group's
         * outcomes are acted on as soon as its transport knows them, before it carries other messages on its
         * connection (connection reuse), so that this message's lines come first.
         *
         * @param outcomes what is already known (recipients not due), added to
         */
        void run(Deliveries deliveries, List<Outcome> outcomes) {
            String id = message.id();
            Map<Group, List<String>> groups = new LinkedHashMap<>();
            for (String rcpt : deliveries.unique()) {
                List<String> covers = deliveries.sameDelivery(rcpt);
                switch (deliveries.routing(rcpt)) {
                    case RoutingResult.Routed routed -> {
                        addresses.routed(rcpt);
                        groups.computeIfAbsent(new Group(routed.transport(), hosts(routed)), g -> new ArrayList<>())
                                .add(rcpt);
                    }
                    case RoutingResult.Deferred d -> {
                        log.main(id + " == " + rcpt + " R=" + d.router() + " defer (-1): " + d.reason());
                        DeliveryResult result = DeliveryResult.deferred(-1, d.reason());
                        if (addresses.routingDeferred(rcpt, -1, d.reason())) {
                            result = timedOut(rcpt, result);
                        }
                        outcomes.add(new Outcome(covers, result, false));
                    }
                    case RoutingResult.Failed f -> {
                        log.main(id + " ** " + rcpt + (f.router() == null ? "" : " R=" + f.router()) + ": " + f.reason());
                        outcomes.add(new Outcome(covers, DeliveryResult.failed(f.reason()), false));
                    }
                    case RoutingResult.Declined declined ->
                            throw new IllegalStateException("the router chain declined " + rcpt);
                }
            }
            if (groups.isEmpty()) {
                conclude(this, outcomes, false);
                return;
            }
            Map<String, String> routers = routers(deliveries);
            int left = groups.size();
            for (Map.Entry<Group, List<String>> g : groups.entrySet()) {
                // Deliveries of all but the last group are journalled at once, so that a crash in a later group
                // cannot send them again.
                boolean last = --left == 0;
                group(g.getKey(), g.getValue(), routers, deliveries, outcomes, last);
            }
        }

        private void group(Group group, List<String> rcpts, Map<String, String> routers, Deliveries deliveries,
                           List<Outcome> outcomes, boolean last) {
            HostRetryGate gate = new HostRetryGate(retry, message.id(), Address.parse(rcpts.getFirst()).domain(),
                    message.envelope().receivedAt(), force, failedHosts);
            gates.add(gate);
            boolean[] settled = {false};
            Consumer<List<DeliveryResult>> settle = results -> {
                if (!settled[0]) {
                    settled[0] = true;
                    outcomes.addAll(logged(group, rcpts, results, routers, deliveries, !last, gate));
                    if (last) {
                        conclude(this, outcomes, false);
                    }
                }
            };
            List<DeliveryResult> results;
            try {
                results = transports.get(group.transport()).deliver(message, rcpts, group.hosts(), gate, settle);
            } catch (RuntimeException e) {
                results = Collections.nCopies(rcpts.size(), DeliveryResult.deferred(-1, "internal error: " + e));
            }
            settle.accept(results);
        }

        /**
         * Logs one group's outcomes ({@code =>}, {@code ->}, {@code **}, {@code ==}); with {@code journalNow}
         * the deliveries are journalled at once. {@code gate} is null when no host was tried for them here.
         */
        private List<Outcome> logged(Group group, List<String> rcpts, List<DeliveryResult> results,
                                     Map<String, String> routers, Deliveries deliveries, boolean journalNow,
                                     HostRetryGate gate) {
            String id = message.id();
            List<Outcome> outcomes = new ArrayList<>();
            boolean further = false;
            for (int i = 0; i < rcpts.size(); i++) {
                String rcpt = rcpts.get(i);
                DeliveryResult result = results.get(i);
                String rt = "R=" + routers.get(rcpt) + " T=" + group.transport();
                switch (result.status()) {
                    case DELIVERED -> {
                        log.main(lines.delivered(id, rcpt, rt, result, further));
                        further = result.remote() != null;
                        addresses.delivered(rcpt);
                        if (journalNow) {
                            deliveries.sameDelivery(rcpt).forEach(r -> journal(id, r));
                        }
                    }
                    case FAILED -> log.main(lines.failed(id, rcpt, rt, result));
                    case DEFERRED -> {
                        if (result.errno() != RetryError.HOST_RETRY || log.selected("retry_defer")) {
                            log.main(lines.deferred(id, rcpt, rt, result));
                        }
                        boolean timedOut = result.hostProblem() ? gate != null && gate.timedOut()
                                : result.errno() == RetryError.RCPT_4XX
                                && addresses.recipientDeferred(rcpt, result.errno(), result.moreErrno(), result.reason());
                        if (timedOut) {
                            result = timedOut(rcpt, result);
                        }
                    }
                }
                outcomes.add(new Outcome(deliveries.sameDelivery(rcpt), result, journalNow));
            }
            return outcomes;
        }

        /** The message is done with: its host+message records go. */
        void done() {
            gates.forEach(HostRetryGate::messageDone);
        }

        /** Exim's end of the line for a deferred address whose retry rules have run out. */
        private DeliveryResult timedOut(String rcpt, DeliveryResult deferred) {
            log.main(message.id() + " ** " + rcpt + ": retry timeout exceeded");
            return deferred.asFailure(deferred.reason() + ": retry timeout exceeded");
        }
    }

    private void journal(String id, String rcpt) {
        try {
            spool.recordDelivered(id, rcpt);
        } catch (IOException e) {
            // Not fatal: a maildir recognises a repeated delivery, so the next run does not duplicate it.
            log.panic(id + " cannot journal delivery to " + rcpt + ": " + e.getMessage());
        }
    }
}
