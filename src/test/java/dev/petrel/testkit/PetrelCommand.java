package dev.petrel.testkit;

import dev.petrel.peers.Peers;
import dev.petrel.peers.ProcessResult;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The {@code petrel} command as an operator runs it: in a JVM of its own, on the classes under test. */
public final class PetrelCommand {
    private PetrelCommand() {
    }

    /** The command line that runs {@code petrel ARGS}, with {@code jvmOptions} before the class name. */
    public static List<String> line(List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.petrel.cli.Main"));
        command.addAll(List.of(args));
        return command;
    }

    /** Runs {@code petrel ARGS} to its end (at most a minute), {@code stdin} on its standard input. */
    public static ProcessResult run(byte[] stdin, String... args) {
        return Peers.run(line(List.of(), args), Map.of(), stdin, Duration.ofSeconds(60));
    }

    public static ProcessResult run(String... args) {
        return run(new byte[0], args);
    }
}
