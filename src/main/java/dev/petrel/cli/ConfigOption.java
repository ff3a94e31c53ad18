package dev.petrel.cli;

import dev.petrel.config.Config;
import dev.petrel.config.ConfigException;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/** The {@code -C FILE} option every command shares; without it, the embedded default configuration. */
final class ConfigOption {
    @Option(names = "-C", paramLabel = "FILE", description = "Configuration file (default: the embedded one).")
    Path file;

    Config load() throws ConfigException, IOException {
        return file == null ? Config.embeddedDefault() : Config.load(file);
    }
}
