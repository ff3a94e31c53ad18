package dev.petrel.cli;

import dev.petrel.config.ConfigException;
import picocli.CommandLine;

import java.io.IOException;
import picocli.CommandLine.Command;

/** The {@code petrel} command: one subcommand per job an operator does. */
@Command(name = "petrel", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Petrel, a mail transfer agent.",
        subcommands = {DaemonCommand.class, VersionCommand.class, ConfigCommand.class, QueueCommand.class,
                SubmitCommand.class, HintsCommand.Dump.class, HintsCommand.Tidy.class, ProbeCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        int code = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(Main::report).execute(args);
        if (code != 0 || !DaemonCommand.running()) {
            System.exit(code);
        }
    }

    /** What an operator sees when a command fails: one line, no stack trace, exit status 1. */
    private static int report(Exception e, CommandLine command, CommandLine.ParseResult parsed) throws Exception {
        if (e instanceof ConfigException) {
            System.err.println("petrel: configuration error: " + e.getMessage());
        } else if (e instanceof IOException) {
            System.err.println("petrel: " + e.getMessage());
        } else {
            throw e;
        }
        return 1;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"Petrel version " + Version.NUMBER};
        }
    }
}
