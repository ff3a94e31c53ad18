package dev.petrel.cli;

import dev.petrel.config.Config;
import dev.petrel.config.ConfigException;
import dev.petrel.config.OptionValues;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code exim -bP} for Petrel: every option with the value it will actually have, defaults included, for
 * the main section or, with {@code -r}/{@code -t}, for one router or transport.
 */
@Command(name = "config", description = "Check a configuration and print effective option values (Exim's -bP): "
        + "main options, or with -r/-t those of one router or transport.")
final class ConfigCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @ArgGroup(exclusive = true)
    Driver driver;

    static final class Driver {
        @Option(names = {"-r", "--router"}, paramLabel = "NAME", description = "Print the options of this router.")
        String router;

        @Option(names = {"-t", "--transport"}, paramLabel = "NAME", description = "Print the options of this transport.")
        String transport;
    }

    @Parameters(paramLabel = "OPTION", arity = "0..*", description = "Print only these options.")
    List<String> options = List.of();

    @Override
    public Integer call() throws ConfigException, IOException {
        Config loaded = config.load();
        OptionValues values;
        String whose;
        if (driver == null) {
            values = loaded.main().options();
            whose = "main option";
        } else if (driver.router != null) {
            Optional<OptionValues> found = loaded.router(driver.router).map(r -> r.options());
            if (found.isEmpty()) {
                return missing("router", driver.router);
            }
            values = found.get();
            whose = "option of router " + driver.router;
        } else {
            Optional<OptionValues> found = Optional.ofNullable(loaded.transports().get(driver.transport)).map(t -> t.options());
            if (found.isEmpty()) {
                return missing("transport", driver.transport);
            }
            values = found.get();
            whose = "option of transport " + driver.transport;
        }
        if (options.isEmpty()) {
            System.out.print(values.describe());
            return 0;
        }
        int status = 0;
        for (String name : options) {
            Optional<String> line = values.describe(name);
            if (line.isPresent()) {
                System.out.println(line.get());
            } else {
                boolean declared = values.table().find(name).isPresent();
                System.err.println(name + ": " + (declared ? whose + " not implemented yet" : "unknown " + whose));
                status = 1;
            }
        }
        return status;
    }

    private static int missing(String kind, String name) {
        System.err.println(name + ": no " + kind + " of that name in the configuration");
        return 1;
    }
}
