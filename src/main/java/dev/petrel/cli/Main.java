package dev.petrel.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code petrel} command: one subcommand per job an operator does. */
@Command(name = "petrel", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Petrel, a mail transfer agent.",
        subcommands = {DaemonCommand.class, VersionCommand.class, ConfigCommand.class, QueueCommand.class,
                SubmitCommand.class, HintsCommand.Dump.class, HintsCommand.Tidy.class, ProbeCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        int code = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        if (code != 0 || !DaemonCommand.running()) {
            System.exit(code);
        }
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
