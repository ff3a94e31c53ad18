package dev.petrel.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Postfix's smtp-sink on 127.0.0.1:port in the background: a fast SMTP server that accepts and discards mail
 * (it advertises PIPELINING but not PIPECONNECT). Its stdout/stderr go to {@code smtp-sink.out} in the work
 * directory (with {@code -c}, counters are printed there). {@link #close()} kills it.
 */
public final class SmtpSink implements AutoCloseable {

    private final int port;
    private final Path output;
    private Process process;

    private SmtpSink(int port, Path output, Process process) {
        this.port = port;
        this.output = output;
        this.process = process;
    }

    static SmtpSink start(Path workDir, int port, List<String> options) {
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
        SmtpSink sink = new SmtpSink(port, out, p);
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
