package dev.petrel.it;

import dev.petrel.peers.NetworkNamespace;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A real Petrel daemon in its own JVM (the way an operator runs it), with its config, spool, logs and
 * maildirs under one directory. It can be killed with SIGKILL and started again on the same files.
 */
public final class DaemonProcess implements AutoCloseable {
    public final Path dir;
    public final int port;
    public final Path config;
    private Process process;
    private String queueInterval = "2";

    public DaemonProcess(Path dir, String... extraMainLines) throws IOException {
        this.dir = dir.toAbsolutePath();
        this.port = freePort();
        this.config = this.dir.resolve("petrel.conf");
        Files.writeString(config, TestConfig.withLocalDelivery(this.dir, """
                primary_hostname = petrel.test
                local_interfaces = 127.0.0.1.%2$d
                spool_directory = %1$s/spool
                log_file_path = %1$s/log/%%slog
                log_selector = +pipelining +received_recipients +smtp_connection
                domainlist local_domains = @ : localhost : test.ex
                %3$s
                """.formatted(this.dir, port, String.join("\n", extraMainLines))));
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The daemon's {@code -q} from the next start on; null to leave it to {@code queue_run_interval}. */
    public DaemonProcess queueInterval(String q) {
        this.queueInterval = q;
        return this;
    }

    public DaemonProcess start() throws IOException, InterruptedException {
        return start(null);
    }

    /** Starts the daemon inside {@code namespace} (null: on the host); returns once it listens. */
    public DaemonProcess start(NetworkNamespace namespace) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(namespace == null ? List.of() : namespace.enter());
        command.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), "dev.petrel.cli.Main", "daemon", "-C", config.toString()));
        if (queueInterval != null) {
            command.addAll(List.of("--queue-interval", queueInterval));
        }
        process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("daemon.out").toFile()))
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("daemon exited: " + Files.readString(dir.resolve("daemon.out")));
            }
            if (namespace == null ? accepts() : mainlog().stream().anyMatch(l -> l.contains(" daemon started: "))) {
                return this;
            }
            Thread.sleep(50);
        }
        throw new IOException("daemon did not listen on port " + port);
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    /** SIGKILL: no shutdown hook, no flush, exactly what a crash looks like to the files. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor();
        }
    }

    public List<String> mainlog() throws IOException {
        Path log = dir.resolve("log/mainlog");
        return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
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
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : mainlog()) {
                if (wanted.test(line)) {
                    return line;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no matching log line in:\n" + String.join("\n", mainlog()));
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
