package dev.petrel.cli;

import dev.petrel.config.Config;
import dev.petrel.config.ConfigException;
import dev.petrel.hints.Hint;
import dev.petrel.hints.HintsDb;
import dev.petrel.hints.RetryRecord;
import dev.petrel.tls.TicketRecord;
import dev.petrel.spool.Spool;
import dev.petrel.transport.smtp.WaitHints;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/** Exim's exim_dumpdb and exim_tidydb for Petrel's hints databases (SQLite files in spool_directory/db). */
final class HintsCommand {
    /** misc, tls, retry and wait-TRANSPORT: a name, never a path. */
    private static final Pattern NAME = Pattern.compile("misc|tls|retry|wait-[A-Za-z0-9_-]+");

    private HintsCommand() {
    }

    abstract static class HintsJob implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Parameters(paramLabel = "NAME", description = "misc, tls, retry or wait-<transport>")
        String name;

        @Override
        public Integer call() throws ConfigException, IOException {
            if (!NAME.matcher(name).matches()) {
                System.err.println("petrel: no hints database called \"" + name + "\" (misc, tls, retry, wait-<transport>)");
                return 2;
            }
            Config loaded = config.load();
            if (!Files.exists(loaded.main().spoolDirectory().resolve("db").resolve(name))) {
                System.err.println("petrel: hints database " + name + " does not exist yet");
                return 1;
            }
            try (HintsDb db = HintsDb.open(loaded.main().spoolDirectory(), name)) {
                return run(db, loaded.main().spoolDirectory());
            }
        }

        abstract int run(HintsDb db, Path spoolDirectory) throws IOException;
    }

    @Command(name = "dumpdb", description = "Print the records of a hints database (Exim's exim_dumpdb).")
    static final class Dump extends HintsJob {
        @Override
        int run(HintsDb db, Path spoolDirectory) throws IOException {
            for (Hint hint : db.dump()) {
                System.out.println(switch (name) {
                    case "retry" -> retryLines(hint);
                    case "tls" -> TicketRecord.readable(hint).dumpLine();
                    default -> hint.dumpLine();
                });
            }
            return 0;
        }
    }

    /** exim_dumpdb's layout for a retry record; a value that is not one is shown raw. */
    static String retryLines(Hint hint) {
        try {
            return RetryRecord.decode(hint.value()).dump(Hint.escape(hint.key()));
        } catch (IllegalArgumentException e) {
            return hint.dumpLine();
        }
    }

    @Command(name = "tidydb", description = "Remove old records from a hints database (Exim's exim_tidydb).")
    static final class Tidy extends HintsJob {
        @Option(names = "-t", paramLabel = "DAYS", defaultValue = "30",
                description = "Remove records older than this many days (default ${DEFAULT-VALUE}).")
        long days;

        @Override
        int run(HintsDb db, Path spoolDirectory) throws IOException {
            int removed = db.tidy(Duration.ofDays(days));
            System.out.println("Tidying Petrel hints database " + db.file() + ": " + removed + " record"
                    + (removed == 1 ? "" : "s") + " removed");
            if (name.startsWith("wait-")) {
                // As exim_tidydb does: ids of messages no longer in the spool leave the wait records.
                try (Spool spool = Spool.open(spoolDirectory)) {
                    WaitHints.tidy(db, spool::contains).forEach(System.out::println);
                }
            }
            return 0;
        }
    }
}
