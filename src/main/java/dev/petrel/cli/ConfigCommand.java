package dev.petrel.cli;

import dev.petrel.config.Config;
import dev.petrel.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "config", description = "Check a configuration and print its effective main options (Exim's -bP).")
final class ConfigCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Parameters(paramLabel = "OPTION", arity = "0..*", description = "Print only these main options.")
    List<String> options = List.of();

    @Override
    public Integer call() throws ConfigException, IOException {
        Config loaded = config.load();
        if (options.isEmpty()) {
            System.out.print(loaded.describe());
            return 0;
        }
        int status = 0;
        for (String name : options) {
            Optional<String> line = loaded.describe(name);
            if (line.isPresent()) {
                System.out.println(line.get());
            } else {
                System.err.println(name + ": unknown main option");
                status = 1;
            }
        }
        return status;
    }
}
