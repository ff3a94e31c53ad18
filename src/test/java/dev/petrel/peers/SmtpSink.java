package dev.petrel.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Postfix's smtp-sink on 127.0.0.1:port in the background: a fast SMTP server that accepts and discards mail
 * (it advertises PIPELINING but not PIPECONNECT). Its stdout/stderr go to {@code smtp-sink.out} in the work
 * directory (with {@code -c}, counters are printed there). {@link #close()} kills it.
 */
public final class SmtpSink implements AutoCloseable {

    private final int port;
    private final Path output;
    private final Path dumps;
    private Process process;

    private SmtpSink(int port, Path output, Path dumps, Process process) {
        this.port = port;
        this.output = output;
        this.dumps = dumps;
        this.process = process;
    }

    /** @param dumps where {@code -d} among the options dumps transactions, or null */
    static SmtpSink start(Path workDir, int port, List<String> options, Path dumps) {
        Path dir = Peers.prepareWorkDir(workDir);
        Path out = dir.resolve("smtp-sink.out");
        List<String> cmd = new ArrayList<>();
        cmd.add(Peers.smtpSinkBinary().toString());
        if (Peers.runningAsRoot() && !options.contains("-u")) {
            cmd.addAll(List.of("-u", "postfix")); // smtp-sink refuses to run as root without -u
        }
        cmd.addAll(options);
        cmd.add(Peers.LOOPBACK + ":" + port);
        cmd.add("128"); // listen backlog
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
            pb.environment().putAll(Map.of("LD_LIBRARY_PATH", Peers.postfixLdLibraryPath()));
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
        SmtpSink sink = new SmtpSink(port, out, dumps, p);
        if (!Peers.awaitListening(port, Duration.ofSeconds(10))) {
            sink.close();
            throw new IllegalStateException("smtp-sink did not listen on " + port + ": " + Peers.readLines(out));
        }
        return sink;
    }

    public int port() {
        return port;
    }

    public List<String> output() {
        return Peers.readLines(output);
    }

    /**
     * Every transaction dumped so far (started with {@link Peers#smtpSinkDumping}), each as smtp-sink wrote it:
     * its {@code X-Client-Addr:}, {@code X-Mail-Args:}, {@code X-Rcpt-Args:} lines, then the message. A file
     * still being written may hold a transaction in part. (A file is split where a line starts a transaction,
     * should two ever draw the same random file name.)
     */
    public List<String> transactions() {
        if (dumps == null) {
            throw new IllegalStateException("smtp-sink was started without -d");
        }
        try (Stream<Path> files = Files.list(dumps)) {
            List<String> out = new ArrayList<>();
            for (Path f : files.sorted().toList()) {
                for (String t : Files.readString(f, StandardCharsets.ISO_8859_1).split("(?m)^(?=X-Client-Addr: )")) {
                    if (!t.isEmpty()) {
                        out.add(t);
                    }
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean running() {
        return process != null && process.isAlive();
    }

    @Override
    public synchronized void close() {
        if (process != null) {
            Peers.kill(process);
            process = null;
        }
    }
}
