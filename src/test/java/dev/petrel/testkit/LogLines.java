package dev.petrel.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/** A log file read by tests: its lines so far, and waiting for one that is still to be written. */
public final class LogLines {
    private LogLines() {
    }

    /** The lines written so far; none while the file does not exist yet. */
    public static List<String> of(Path log) {
        try {
            return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first line {@code wanted} accepts, once it is written; fails with the whole log after {@code timeout}. */
    public static String await(Path log, Predicate<String> wanted, Duration timeout) throws Exception {
        try {
            return Poll.find(timeout, "a matching line in " + log,
                    () -> of(log).stream().filter(wanted).findFirst().orElse(null));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ":\n" + String.join("\n", of(log)), e);
        }
    }

    /** The first line containing {@code text}. */
    public static String await(Path log, String text, Duration timeout) throws Exception {
        try {
            return await(log, l -> l.contains(text), timeout);
        } catch (AssertionError e) {
            throw new AssertionError("no line containing \"" + text + "\": " + e.getMessage(), e);
        }
    }
}
