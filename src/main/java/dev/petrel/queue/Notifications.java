package dev.petrel.queue;

import dev.petrel.log.MainLog;
import dev.petrel.spool.Envelope;
import dev.petrel.spool.RecipientOptions;
import dev.petrel.spool.Reception;
import dev.petrel.spool.Spool;
import dev.petrel.spool.SpooledMessage;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The delivery status notifications a delivery attempt owes the sender (RFC 3461): a failure report, a delay
 * warning when {@code delay_warning} says one is due, a success report for recipients that asked for one.
 * Each goes on the spool as a message from {@code <>} to the sender and is handed to the queue; none is ever
 * sent to {@code <>}, and a recipient whose NOTIFY leaves the event out is not reported.
 */
final class Notifications {
    private final Spool spool;
    private final MainLog log;
    private final String primaryHostname;
    private final String qualifyDomain;
    private final DelaySchedule delayWarning;
    private final Consumer<String> submit;

    Notifications(Spool spool, MainLog log, String primaryHostname, String qualifyDomain, DelaySchedule delayWarning,
                  Consumer<String> submit) {
        this.spool = spool;
        this.log = log;
        this.primaryHostname = primaryHostname;
        this.qualifyDomain = qualifyDomain;
        this.delayWarning = delayWarning;
        this.submit = submit;
    }

    /** Reports failures; true when the sender will hear, or asked not to (false: try again next run). */
    boolean failed(SpooledMessage message, List<Failure> failures) {
        List<Failure> reported = wanting(message, failures, RecipientOptions::notifyFailure);
        return reported.isEmpty() || send(DsnMessage.Kind.FAILED, message, reported);
    }

    /** Reports deliveries to recipients that asked for NOTIFY=SUCCESS; a report that cannot be spooled is logged. */
    void delivered(SpooledMessage message, List<Failure> deliveries) {
        List<Failure> reported = wanting(message, deliveries, RecipientOptions::notifySuccess);
        if (!reported.isEmpty()) {
            send(DsnMessage.Kind.DELIVERED, message, reported);
        }
    }

    /**
     * Sends a delay warning for the recipients still deferred when one is due, at most one per attempt, and
     * records durably how many the sender has had, so that a restart does not repeat it.
     */
    void delayed(SpooledMessage message, List<Failure> deferrals, Instant now) {
        int due = delayWarning.due(Duration.between(message.envelope().receivedAt(), now));
        if (due <= message.warnings()) {
            return;
        }
        List<Failure> reported = wanting(message, deferrals, RecipientOptions::notifyDelay);
        if (reported.isEmpty() || !send(DsnMessage.Kind.DELAYED, message, reported)) {
            return;
        }
        try {
            spool.recordWarnings(message.id(), due);
        } catch (IOException e) {
            log.panic(message.id() + " cannot record delay warning: " + e.getMessage());
        }
    }

    private static List<Failure> wanting(SpooledMessage message, List<Failure> recipients,
                                         Predicate<RecipientOptions> wants) {
        if (message.envelope().sender().isEmpty()) {
            return List.of(); // never a notification about a notification
        }
        return recipients.stream().filter(f -> wants.test(message.envelope().optionsOf(f.recipient()))).toList();
    }

    private boolean send(DsnMessage.Kind kind, SpooledMessage message, List<Failure> recipients) {
        String sender = message.envelope().sender();
        String dsnId = spool.newMessageId();
        Reception reception = spool.receive(dsnId);
        try {
            byte[] text = DsnMessage.render(kind, dsnId, message, recipients, primaryHostname, qualifyDomain);
            reception.append(text);
            reception.commit(Envelope.local("", List.of(sender))).join();
            log.main(dsnId + " <= <> R=" + message.id() + " U=petrel P=local S=" + text.length);
        } catch (IOException | CompletionException e) {
            reception.discard();
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            log.panic(message.id() + " cannot spool " + kind.name().toLowerCase(java.util.Locale.ROOT)
                    + " notification: " + cause.getMessage());
            return false;
        }
        submit.accept(dsnId);
        return true;
    }
}
