package dev.petrel.queue;

import dev.petrel.config.Config;
import dev.petrel.config.MainOptions;
import dev.petrel.hints.HintsDb;
import dev.petrel.log.MainLog;
import dev.petrel.spool.MessageLock;
import dev.petrel.spool.Spool;
import dev.petrel.transport.Transports;
import dev.petrel.transport.WaitingMessages;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Delivers what is in the spool: at once for messages the server has just accepted ({@link #submit}), and
 * by a queue run at start and then every {@code queue_run_interval} (or the daemon's {@code -q}) for anything
 * left over (deferred recipients, messages accepted before a restart, everything under {@code queue_only}).
 *
 * <p>Each delivery runs on its own virtual thread, so a delivery waiting on a slow disk or a slow server
 * holds no platform thread; {@link DeliveryLimits} bounds how many run at once. A message is delivered by one
 * attempt at a time: within this process by the set of messages in flight, across processes by the spool's
 * {@link MessageLock}, which a {@code petrel queue run} beside the daemon respects too.
 */
public final class QueueRunner implements AutoCloseable {
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(30);

    private final Spool spool;
    private final MainLog log;
    private final Duration queueRunInterval;
    private final MessageDelivery delivery;
    private final ContinuedDeliveries continued;
    private final Transports transports;
    private final HintsDb retryDb;
    private final Duration retryDataExpire;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicInteger running = new AtomicInteger();
    private final Semaphore deliverySlots;
    private final Semaphore queueRunSlots;
    private final ScheduledExecutorService scheduler;
    private volatile boolean closing;

    /** Queue runs every {@code queue_run_interval}. */
    public QueueRunner(Config config, Spool spool, MainLog log) {
        this(config, spool, log, config.main().get(MainOptions.QUEUE_RUN_INTERVAL));
    }

    public QueueRunner(Config config, Spool spool, MainLog log, Duration queueRunInterval) {
        this(config, spool, log, queueRunInterval, Path.of("").toAbsolutePath());
    }

    /** @param relativeTo where relative transport directories (the default {@code var/mail/...}) are rooted */
    public QueueRunner(Config config, Spool spool, MainLog log, Duration queueRunInterval, Path relativeTo) {
        this(config, spool, log, queueRunInterval, relativeTo, DeliveryLimits.from(config));
    }

    public QueueRunner(Config config, Spool spool, MainLog log, Duration queueRunInterval, Path relativeTo,
                       DeliveryLimits limits) {
        if (queueRunInterval.isNegative() || queueRunInterval.isZero()) {
            throw new IllegalArgumentException("queue_run_interval must be positive");
        }
        this.spool = spool;
        this.log = log;
        this.queueRunInterval = queueRunInterval;
        String hostname = config.main().primaryHostname();
        String qualify = config.main().qualifyDomain() != null ? config.main().qualifyDomain() : hostname;
        // The transports reach the queue's waiting messages only through this narrow door (connection reuse).
        this.transports = Transports.from(config, relativeTo, log::main, this::claimWaiting, spool.directory());
        this.retryDb = openRetryDb(spool, log);
        this.retryDataExpire = config.main().retryDataExpire();
        RetryState retry = new RetryState(retryDb, config.retry(), config.main().get(MainOptions.RETRY_INTERVAL_MAX),
                retryDataExpire, Clock.systemUTC(), log);
        Notifications notifications = new Notifications(spool, log, hostname, qualify,
                new DelaySchedule(config.main().get(MainOptions.DELAY_WARNING)), this::submit);
        this.delivery = new MessageDelivery(spool, log, Router.from(config), transports, notifications, retry);
        this.continued = new ContinuedDeliveries(spool, log, delivery, inFlight, this::submit, () -> closing);
        this.deliverySlots = new Semaphore(limits.deliveryMaxParallel(), true);
        this.queueRunSlots = new Semaphore(limits.queueRunMax(), true);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("queue-runner").daemon(true).factory());
    }

    private WaitingMessages.Claim claimWaiting(String id, String transport) {
        return continued.claim(id, transport);
    }

    /**
     * The {@code retry} hints database; without it (a broken file, say) deliveries go on with no retry state,
     * trying every destination at every run, and the panic log says why. It lives in the spool it describes.
     */
    private static HintsDb openRetryDb(Spool spool, MainLog log) {
        try {
            return HintsDb.open(spool.directory(), "retry");
        } catch (IOException e) {
            log.panic("cannot open the retry hints database: " + e.getMessage());
            return null;
        }
    }

    /** Starts the periodic queue runs, the first one now. */
    public void start() {
        long millis = queueRunInterval.toMillis();
        scheduler.scheduleWithFixedDelay(this::runQueue, 0, millis, TimeUnit.MILLISECONDS);
    }

    /** Asks for a delivery attempt of one message; a message already being delivered is not queued twice. */
    public void submit(String messageId) {
        if (!closing && inFlight.add(messageId)) {
            start(messageId, null, false);
        }
    }

    /**
     * Exim's {@code -M}: a delivery attempt of each message now, whatever the retry times say; returns once
     * they have started. False for an id not in the queue.
     */
    public boolean deliverNow(String messageId) throws IOException {
        if (!spool.contains(messageId)) {
            return false;
        }
        if (spool.read(messageId).frozen()) {
            // -M delivers a frozen message too, thawing it first; a queue run, forced or not, leaves it alone.
            spool.thaw(messageId);
            log.main(messageId + " Unfrozen by forced delivery");
        }
        if (!closing && inFlight.add(messageId)) {
            start(messageId, null, true);
        }
        return true;
    }

    /**
     * One queue run: every message in the spool offered for delivery, oldest first, at most
     * {@code queue_run_max} of them at a time (Exim runs that many queue runners, each delivering one message
     * at a time). Returns once the last one has started.
     */
    public void runQueue() {
        runQueue(false);
    }

    /** @param force retry times are ignored for this run (Exim's {@code -qf}) */
    public void runQueue(boolean force) {
        tidyRetryDb();
        try {
            for (String id : spool.messageIds()) {
                if (closing) {
                    return;
                }
                queueRunSlots.acquire();
                if (!closing && inFlight.add(id)) {
                    start(id, queueRunSlots, force);
                } else {
                    queueRunSlots.release();
                }
            }
        } catch (IOException e) {
            log.panic("queue run: cannot list spool: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closing
        } catch (RuntimeException e) {
            // An exception would silently end scheduleWithFixedDelay's future runs.
            log.panic("queue run failed unexpectedly: " + e);
        }
    }

    /** Records not written for retry_data_expire are ignored when read; a queue run also deletes them. */
    private void tidyRetryDb() {
        if (retryDb != null) {
            try {
                retryDb.tidy(retryDataExpire);
            } catch (IOException e) {
                log.panic("retry database: " + e.getMessage());
            }
        }
    }

    /** Runs one attempt on a virtual thread; {@code runSlot} (held by a queue run) is released at its end. */
    private void start(String id, Semaphore runSlot, boolean force) {
        running.incrementAndGet();
        Thread.ofVirtual().name("delivery-" + id).start(() -> {
            try {
                deliverySlots.acquire();
                try {
                    if (!closing) {
                        deliverLocked(id, force);
                    }
                } finally {
                    deliverySlots.release();
                }
            } catch (InterruptedException e) {
                // Closing: the message stays in the spool for the next start's queue run.
            } catch (RuntimeException e) {
                log.panic(id + " delivery failed unexpectedly: " + e);
            } finally {
                inFlight.remove(id);
                if (runSlot != null) {
                    runSlot.release();
                }
                running.decrementAndGet();
            }
        });
    }

    private void deliverLocked(String id, boolean force) {
        Optional<MessageLock> lock;
        try {
            lock = spool.lockForDelivery(id);
        } catch (IOException e) {
            log.panic(id + " cannot lock spool file: " + e.getMessage());
            return;
        }
        if (lock.isEmpty()) {
            return; // being delivered by another process, or already gone
        }
        try (MessageLock held = lock.get()) {
            delivery.deliver(id, force);
        } catch (IOException e) {
            log.panic(id + " cannot release spool lock: " + e.getMessage());
        }
    }

    /** True when no delivery is queued or running; for tests and for a clean shutdown report. */
    public boolean idle() {
        return running.get() == 0;
    }

    /** Waits up to {@code limit} for the deliveries started so far to end; true if they did. */
    public boolean awaitIdle(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!idle()) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /**
     * Stops taking work and lets deliveries already running finish (a delivery cut short is safe, but
     * finishing it spares the recipient waiting for the next run). Queued ones stay in the spool.
     */
    @Override
    public void close() {
        closing = true;
        scheduler.shutdownNow();
        try {
            awaitIdle(CLOSE_GRACE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        transports.close();
        if (retryDb != null) {
            try {
                retryDb.close();
            } catch (IOException e) {
                // Closing at shutdown: nothing left to tell.
            }
        }
    }
}
