package dev.petrel.it;

import dev.petrel.peers.NetworkNamespace;
import dev.petrel.testkit.LogLines;
import dev.petrel.testkit.PetrelCommand;
import dev.petrel.testkit.Poll;
import dev.petrel.testkit.TestConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Petrel daemon in its own JVM (the way an operator runs it), with its config, spool, logs and
 * maildirs under one directory. It listens on a port the kernel picks (port 0), read back from its start
 * line; it can be killed with SIGKILL and started again on the same files, on a new port.
 */
public final class DaemonProcess implements AutoCloseable {
    private static final String STARTED = " daemon started: ";
    private static final Pattern FIRST_LISTENER = Pattern.compile(" listening for SMTP on 127\\.0\\.0\\.1:(\\d+)");

    public final Path dir;
    public final Path config;
    private final String extraMain;
    private Process process;
    private String queueInterval = "2";
    private String interfaces = "127.0.0.1.0";
    private String smarthost;
    private int port;

    public DaemonProcess(Path dir, String... extraMainLines) throws IOException {
        this.dir = dir.toAbsolutePath();
        this.config = this.dir.resolve("petrel.conf");
        this.extraMain = String.join("\n", extraMainLines);
        writeConfig();
    }

    /** Also listens on {@code port} (which must be known in advance to be named in tls_on_connect_ports). */
    public DaemonProcess alsoListeningOn(int fixedPort) throws IOException {
        interfaces = "127.0.0.1.0 : 127.0.0.1." + fixedPort;
        writeConfig();
        return this;
    }

    /** Relays every domain that is not local to {@code smarthost} (manualroute's host, e.g. {@code 127.0.0.1::2525}). */
    public DaemonProcess relayingTo(String smarthost) throws IOException {
        this.smarthost = smarthost;
        writeConfig();
        return this;
    }

    private void writeConfig() throws IOException {
        Files.writeString(config, TestConfig.withLocalDelivery(dir, """
                primary_hostname = petrel.test
                local_interfaces = %2$s
                spool_directory = %1$s/spool
                log_file_path = %1$s/log/%%slog
                log_selector = +pipelining +received_recipients +smtp_connection
                domainlist local_domains = @ : localhost : test.ex
                %3$s
                """.formatted(dir, interfaces, extraMain), smarthost));
    }

    /**
     * Replaces the configuration with {@code text} (which must listen on {@code 127.0.0.1.0}), for a daemon
     * that relays rather than delivers locally.
     */
    public DaemonProcess configuration(String text) throws IOException {
        Files.writeString(config, text);
        return this;
    }

    /** The port of its port-0 listener, as its latest start line names it. */
    public int port() {
        if (port == 0) {
            throw new IllegalStateException("the daemon has not started");
        }
        return port;
    }

    /** The daemon's {@code -q} from the next start on; null to leave it to {@code queue_run_interval}. */
    public DaemonProcess queueInterval(String q) {
        this.queueInterval = q;
        return this;
    }

    public long pid() {
        return process.pid();
    }

    public DaemonProcess start() throws Exception {
        return start(null);
    }

    /** Starts the daemon inside {@code namespace} (null: on the host); returns once it has logged its start. */
    public DaemonProcess start(NetworkNamespace namespace) throws Exception {
        long startsBefore = mainlog().stream().filter(l -> l.contains(STARTED)).count();
        List<String> command = new ArrayList<>(namespace == null ? List.of() : namespace.enter());
        command.addAll(PetrelCommand.line(List.of("-Xmx512m"), "daemon", "-C", config.toString()));
        if (queueInterval != null) {
            command.addAll(List.of("--queue-interval", queueInterval));
        }
        process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("daemon.out").toFile()))
                .start();
        String started = Poll.find(Duration.ofSeconds(30), "the daemon's start line", () -> {
            if (!process.isAlive()) {
                throw new IOException("daemon exited: " + Files.readString(dir.resolve("daemon.out")));
            }
            List<String> starts = mainlog().stream().filter(l -> l.contains(STARTED)).toList();
            return starts.size() > startsBefore ? starts.get(starts.size() - 1) : null;
        });
        Matcher m = FIRST_LISTENER.matcher(started);
        if (!m.find()) {
            throw new IllegalStateException("no 127.0.0.1 listener in " + started);
        }
        port = Integer.parseInt(m.group(1));
        return this;
    }

    /** SIGKILL: no shutdown hook, no flush, exactly what a crash looks like to the files. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor();
        }
    }

    /** SIGTERM, as an operator stops it; returns the exit status, or fails if it does not exit in time. */
    public int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("the daemon did not exit within " + timeout + " of SIGTERM");
        }
        return process.exitValue();
    }

    public Path mainlogFile() {
        return dir.resolve("log/mainlog");
    }

    public List<String> mainlog() {
        return LogLines.of(mainlogFile());
    }

    /** Every delivered message file under {@code mail/<user>/new} (and cur). */
    public List<Path> maildirFiles(String user) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String sub : List.of("new", "cur")) {
            Path d = dir.resolve("mail").resolve(user).resolve(sub);
            if (Files.isDirectory(d)) {
                try (Stream<Path> s = Files.list(d)) {
                    s.forEach(files::add);
                }
            }
        }
        return files;
    }

    public String awaitLog(Predicate<String> wanted, Duration timeout) throws Exception {
        return LogLines.await(mainlogFile(), wanted, timeout);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
