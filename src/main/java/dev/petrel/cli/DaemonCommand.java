package dev.petrel.cli;

import dev.petrel.config.Config;
import dev.petrel.config.ConfigException;
import dev.petrel.config.MainConfig;
import dev.petrel.log.MainLog;
import dev.petrel.queue.QueueRunner;
import dev.petrel.server.SmtpServer;
import dev.petrel.spool.MessageId;
import dev.petrel.spool.Spool;
import dev.petrel.tls.ServerTls;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

@Command(name = "daemon", description = "Run the MTA: SMTP listener and queue runner.")
final class DaemonCommand implements Callable<Integer> {
    private static volatile boolean running;

    @Mixin
    ConfigOption config;

    @Option(names = {"-q", "--queue-interval"}, paramLabel = "SECONDS",
            description = "Seconds between queue runs (default ${DEFAULT-VALUE}).", defaultValue = "300")
    long queueIntervalSeconds;

    static boolean running() {
        return running;
    }

    @Override
    public Integer call() throws InterruptedException, ConfigException, IOException {
        Config loaded = config.load();
        MainConfig main = loaded.main();
        MainLog log;
        Spool spool;
        try {
            log = MainLog.open(main.logFilePath(), main.logSelector());
            spool = Spool.openAsOwner(main.spoolDirectory(), MessageId.Format.of(main.messageIdFormat()));
        } catch (IOException e) {
            System.err.println("petrel: cannot open log or spool: " + e.getMessage());
            return 1;
        }
        QueueRunner queue = new QueueRunner(loaded, spool, log, Duration.ofSeconds(queueIntervalSeconds));
        // queue_only: accepted mail waits for the next queue run, as with Exim's option of that name.
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("tls-ticket-keys").daemon(true).factory());
        ServerTls tls;
        try {
            tls = ServerTls.create(main, timer, log);
        } catch (RuntimeException e) {
            log.panic("TLS not available: " + e.getMessage());
            System.err.println("petrel: TLS not available: " + e.getMessage());
            queue.close();
            return 1;
        }
        SmtpServer server = new SmtpServer(main, spool, log, main.queueOnly() ? id -> { } : queue::submit,
                Version.NUMBER, tls);
        Thread stop = new Thread(() -> {
            server.close();
            queue.close();
            tls.close();
            spool.close();
            log.main("Petrel daemon stopped: pid=" + ProcessHandle.current().pid());
        }, "shutdown");
        // In place before the listeners open and say so: a SIGTERM right after "daemon started" stops it cleanly.
        Runtime.getRuntime().addShutdownHook(stop);
        try {
            server.start();
        } catch (RuntimeException e) {
            Runtime.getRuntime().removeShutdownHook(stop);
            log.panic("daemon could not start: " + e.getMessage());
            System.err.println("petrel: cannot listen: " + e.getMessage());
            server.close();
            queue.close();
            return 1;
        }
        queue.start();
        running = true;
        System.err.println("petrel: daemon running, config " + loaded.source() + ", listening on "
                + server.boundAddresses() + ", log " + MainLog.pathOf(main.logFilePath(), "main"));
        return 0;
    }
}
