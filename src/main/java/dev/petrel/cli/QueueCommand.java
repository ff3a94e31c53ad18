package dev.petrel.cli;

import dev.petrel.config.Config;
import dev.petrel.config.ConfigException;
import dev.petrel.log.MainLog;
import dev.petrel.queue.QueueAdmin;
import dev.petrel.queue.QueueListing;
import dev.petrel.queue.QueueRunner;
import dev.petrel.spool.MessageId;
import dev.petrel.spool.Spool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "queue", description = "Look at and act on the queue.",
        subcommands = {QueueCommand.ListCommand.class, QueueCommand.RunCommand.class, QueueCommand.DeliverCommand.class,
                QueueCommand.RemoveCommand.class, QueueCommand.ThawCommand.class})
final class QueueCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** Opens what every queue command needs, from the configuration. */
    abstract static class QueueJob implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Override
        public Integer call() throws ConfigException, IOException {
            Config loaded = config.load();
            try (MainLog log = MainLog.open(loaded.main().logFilePath(), loaded.main().logSelector());
                 Spool spool = Spool.open(loaded.main().spoolDirectory(),
                         MessageId.Format.of(loaded.main().messageIdFormat()))) {
                return run(loaded, spool, log);
            }
        }

        abstract int run(Config config, Spool spool, MainLog log) throws IOException;
    }

    @Command(name = "list", description = "List the messages in the queue (Exim's mailq).")
    static final class ListCommand extends QueueJob {
        @Override
        int run(Config config, Spool spool, MainLog log) throws IOException {
            System.out.print(new QueueListing(spool).render());
            return 0;
        }
    }

    @Command(name = "run", description = "A queue run in the foreground (Exim's -q): every queued message, "
            + "each address whose retry time has come.")
    static final class RunCommand extends QueueJob {
        @Option(names = {"-f", "--force"}, description = "Ignore retry times (Exim's -qf).")
        boolean force;

        @Override
        int run(Config config, Spool spool, MainLog log) {
            try (QueueRunner runner = new QueueRunner(config, spool, log, Duration.ofDays(1))) {
                runner.runQueue(force);
                awaitIdle(runner);
            }
            return 0;
        }
    }

    @Command(name = "deliver", description = "Attempt delivery of the given messages now, whatever the retry "
            + "times say (Exim's -M).")
    static final class DeliverCommand extends QueueJob {
        @Parameters(paramLabel = "ID", arity = "1..*")
        List<String> ids;

        @Override
        int run(Config config, Spool spool, MainLog log) throws IOException {
            int status = 0;
            try (QueueRunner runner = new QueueRunner(config, spool, log, Duration.ofDays(1))) {
                for (String id : ids) {
                    if (!runner.deliverNow(id)) {
                        System.err.println("Message " + id + " is not in the queue");
                        status = 1;
                    }
                }
                awaitIdle(runner);
            }
            return status;
        }
    }

    /** An operator action on the messages named: a line for each, on standard error when it could not be done. */
    abstract static class MessagesJob extends QueueJob {
        @Parameters(paramLabel = "ID", arity = "1..*")
        List<String> ids;

        /** What became of one message: done or not, and the rest of the line "Message ID ...". */
        record Result(boolean done, String text) {}

        @Override
        int run(Config config, Spool spool, MainLog log) throws IOException {
            QueueAdmin admin = new QueueAdmin(spool, log);
            String user = System.getProperty("user.name", "unknown");
            int status = 0;
            for (String id : ids) {
                Result r = act(admin, id, user);
                (r.done() ? System.out : System.err).println("Message " + id + " " + r.text());
                status = r.done() ? status : 1;
            }
            return status;
        }

        abstract Result act(QueueAdmin admin, String id, String user) throws IOException;
    }

    @Command(name = "remove", description = "Remove messages from the queue without delivering them.")
    static final class RemoveCommand extends MessagesJob {
        @Override
        Result act(QueueAdmin admin, String id, String user) throws IOException {
            return admin.removeMessage(id, user) ? new Result(true, "has been removed")
                    : new Result(false, "is not in the queue");
        }
    }

    @Command(name = "thaw", description = "Thaw frozen messages, so that the next queue run delivers them (Exim's -Mt).")
    static final class ThawCommand extends MessagesJob {
        @Override
        Result act(QueueAdmin admin, String id, String user) throws IOException {
            return switch (admin.thaw(id, user)) {
                case THAWED -> new Result(true, "is no longer frozen");
                case NOT_FROZEN -> new Result(false, "is not frozen");
                case NOT_IN_QUEUE -> new Result(false, "is not in the queue");
            };
        }
    }

    /** Waits, boundedly, for the deliveries a foreground run started. */
    static void awaitIdle(QueueRunner runner) {
        try {
            runner.awaitIdle(Duration.ofMinutes(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
