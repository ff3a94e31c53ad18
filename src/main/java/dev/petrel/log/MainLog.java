package dev.petrel.log;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Set;

/**
 * Exim's three logs (main, reject, panic) in Exim's line format, so eximstats and exigrep read them.
 * Lines are appended with one write each, so concurrent sessions never interleave inside a line.
 */
public final class MainLog implements Closeable {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final Set<String> selectors;
    private final OutputStream main;
    private final OutputStream reject;
    private final OutputStream panic;

    private MainLog(Set<String> selectors, OutputStream main, OutputStream reject, OutputStream panic) {
        this.selectors = Set.copyOf(selectors);
        this.main = main;
        this.reject = reject;
        this.panic = panic;
    }

    /** Opens the logs named by an Exim-style {@code log_file_path} ({@code %s} becomes main, reject, panic). */
    /** The timestamp, formatted once a second rather than once a line. */
    private static final class Stamp {
        private record Cached(long second, String text) {
        }

        private static volatile Cached cached = new Cached(-1, "");

        static String now() {
            long second = System.currentTimeMillis() / 1000;
            Cached c = cached;
            if (c.second() != second) {
                c = new Cached(second, LocalDateTime.now().format(STAMP));
                cached = c;
            }
            return c.text();
        }
    }

    public static MainLog open(String logFilePath, Set<String> selectors) throws IOException {
        return new MainLog(selectors, append(logFilePath, "main"), append(logFilePath, "reject"),
                append(logFilePath, "panic"));
    }

    /** A log that keeps nothing, for tools that only read the spool. */
    public static MainLog discarding(Set<String> selectors) {
        return new MainLog(selectors, OutputStream.nullOutputStream(), OutputStream.nullOutputStream(),
                OutputStream.nullOutputStream());
    }

    public static Path pathOf(String logFilePath, String which) {
        return Path.of(logFilePath.replace("%s", which));
    }

    private static OutputStream append(String logFilePath, String which) throws IOException {
        Path path = pathOf(logFilePath, which);
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        return Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE);
    }

    public boolean selected(String selector) {
        return selectors.contains(selector) || selectors.contains("all");
    }

    public Set<String> selectors() {
        return selectors;
    }

    /** A line in the main log. */
    public void main(String text) {
        write(main, text);
    }

    /** A rejection: Exim writes these to both the main and the reject log. */
    public void reject(String text) {
        write(main, text);
        write(reject, text);
    }

    /** Something the operator must look at: main and panic log. */
    public void panic(String text) {
        write(main, text);
        write(panic, text);
    }

    private static void write(OutputStream out, String text) {
        byte[] line = (Stamp.now() + " " + text + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (out) {
            try {
                out.write(line);
                out.flush();
            } catch (IOException e) {
                // Logging must never take a session down; stderr is the last resort the operator still sees.
                System.err.println("petrel: cannot write log: " + e.getMessage() + ": " + text);
            }
        }
    }

    @Override
    public void close() throws IOException {
        main.close();
        reject.close();
        panic.close();
    }
}
