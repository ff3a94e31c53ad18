package dev.petrel.queue;

import dev.petrel.config.Config;
import dev.petrel.log.MainLog;
import dev.petrel.spool.Spool;
import dev.petrel.transport.Transports;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Delivers what is in the spool: at once for messages the server has just accepted ({@link #submit}), and
 * by a queue run at start and then every {@code queue_run_interval} for anything left over (deferred
 * recipients, messages accepted before a restart).
 *
 * <p>A small fixed pool of workers does the deliveries; a message is handed to one worker at a time, so
 * an immediate delivery and a queue run never deliver the same message twice in parallel.
 */
public final class QueueRunner implements AutoCloseable {
    public static final Duration DEFAULT_QUEUE_RUN_INTERVAL = Duration.ofMinutes(5);
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(30);

    private final Spool spool;
    private final MainLog log;
    private final Duration queueRunInterval;
    private final MessageDelivery delivery;
    private final Transports transports;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final ExecutorService workers;
    private final ScheduledExecutorService scheduler;
    private volatile boolean closing;

    public QueueRunner(Config config, Spool spool, MainLog log) {
        this(config, spool, log, DEFAULT_QUEUE_RUN_INTERVAL);
    }

    public QueueRunner(Config config, Spool spool, MainLog log, Duration queueRunInterval) {
        this(config, spool, log, queueRunInterval, Path.of("").toAbsolutePath());
    }

    /** @param relativeTo where relative transport directories (the default {@code var/mail/...}) are rooted */
    public QueueRunner(Config config, Spool spool, MainLog log, Duration queueRunInterval, Path relativeTo) {
        if (queueRunInterval.isNegative() || queueRunInterval.isZero()) {
            throw new IllegalArgumentException("queue_run_interval must be positive");
        }
        this.spool = spool;
        this.log = log;
        this.queueRunInterval = queueRunInterval;
        String hostname = config.main().primaryHostname();
        String qualify = config.main().qualifyDomain() != null ? config.main().qualifyDomain() : hostname;
        this.transports = Transports.from(config, relativeTo, log::main);
        this.delivery = new MessageDelivery(spool, log, Router.from(config), transports,
                hostname, qualify, this::submit);
        int threads = Math.clamp(Runtime.getRuntime().availableProcessors(), 2, 4);
        this.workers = Executors.newFixedThreadPool(threads,
                Thread.ofPlatform().name("delivery-", 0).daemon(true).factory());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("queue-runner").daemon(true).factory());
    }

    /** Starts the periodic queue runs, the first one now. */
    public void start() {
        long millis = queueRunInterval.toMillis();
        scheduler.scheduleWithFixedDelay(this::runQueue, 0, millis, TimeUnit.MILLISECONDS);
    }

    /** Asks for a delivery attempt of one message; a message already being delivered is not queued twice. */
    public void submit(String messageId) {
        if (closing || !inFlight.add(messageId)) {
            return;
        }
        try {
            workers.execute(() -> {
                try {
                    if (!closing) {
                        delivery.deliver(messageId);
                    }
                } catch (RuntimeException e) {
                    log.panic(messageId + " delivery failed unexpectedly: " + e);
                } finally {
                    inFlight.remove(messageId);
                }
            });
        } catch (RejectedExecutionException e) {
            inFlight.remove(messageId); // shutting down: the next start's queue run picks it up
        }
    }

    /** One queue run: every message in the spool offered to the workers, oldest first. */
    public void runQueue() {
        try {
            for (String id : spool.messageIds()) {
                submit(id);
            }
        } catch (IOException e) {
            log.panic("queue run: cannot list spool: " + e.getMessage());
        } catch (RuntimeException e) {
            // An exception would silently end scheduleWithFixedDelay's future runs.
            log.panic("queue run failed unexpectedly: " + e);
        }
    }

    /** True when no delivery is queued or running; for tests and for a clean shutdown report. */
    public boolean idle() {
        return inFlight.isEmpty();
    }

    /**
     * Stops taking work and lets deliveries already running finish (a delivery cut short is safe, but
     * finishing it spares the recipient waiting for the next run). Queued ones stay in the spool.
     */
    @Override
    public void close() {
        closing = true;
        scheduler.shutdownNow();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        transports.close();
    }
}
