package dev.petrel.it;

import dev.petrel.testkit.Poll;
import dev.petrel.testkit.PetrelCommand;
import dev.petrel.peers.ProcessResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The spool's message lock across processes: a daemon running its own queue runs (every 2 s) and two
 * {@code petrel queue run} processes started together all go through one backlog of messages received over
 * SMTP. Every message must be delivered by exactly one of them: one {@code =>} line and one maildir file each.
 */
@Timeout(240)
class ConcurrentQueueRunTest {
    private static final int SENDERS = 4;
    private static final int PER_SENDER = 60;
    private static final Pattern DELIVERED = Pattern.compile("^\\S+ \\S+ (\\S+) => sink <sink@test\\.ex>");

    @TempDir
    Path dir;

    @Test
    void daemonAndTwoQueueRunsDeliverEachMessageOnce() throws Exception {
        try (DaemonProcess daemon = new DaemonProcess(dir, "queue_only")) {
            daemon.start(); // its own queue runs every 2 s
            List<CompletableFuture<Void>> senders = new ArrayList<>();
            for (int s = 0; s < SENDERS; s++) {
                int sender = s;
                senders.add(CompletableFuture.runAsync(() -> send(daemon.port(), sender, PER_SENDER)));
            }
            CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get();
            int total = SENDERS * PER_SENDER;

            List<CompletableFuture<ProcessResult>> runs = List.of(queueRun(daemon), queueRun(daemon));
            for (CompletableFuture<ProcessResult> run : runs) {
                assertThat(run.get().exitCode()).as(run.get().toString()).isZero();
            }
            Poll.until(Duration.ofSeconds(60), "an empty spool", () -> spooled(daemon) == 0);

            Map<String, Long> deliveries = daemon.mainlog().stream().map(DELIVERED::matcher).filter(Matcher::find)
                    .collect(Collectors.groupingBy(m -> m.group(1), Collectors.counting()));
            long received = daemon.mainlog().stream().filter(l -> l.contains(" <= ")).count();
            assertThat(received).isEqualTo(total);
            assertThat(spooled(daemon)).as("messages left in the spool").isZero();
            assertThat(deliveries).as("messages delivered").hasSize(total);
            assertThat(deliveries.values()).as("deliveries per message").allMatch(n -> n == 1);
            assertThat(daemon.maildirFiles("sink")).hasSize(total);
            Path panic = daemon.dir.resolve("log/paniclog");
            assertThat(Files.exists(panic) ? Files.readString(panic, StandardCharsets.UTF_8) : "").isEmpty();
        }
    }

    @Test
    void theDaemonsQueueRunsComeEveryQueueRunIntervalUnlessMinusQSaysOtherwise() throws Exception {
        try (DaemonProcess daemon = new DaemonProcess(dir, "queue_only", "queue_run_interval = 1s")) {
            daemon.queueInterval("1h").start();
            send(daemon.port(), 0, 1);
            Thread.sleep(3000);
            assertThat(daemon.mainlog()).as("-q 1h: no queue run since the one at start").noneMatch(l -> l.contains(" => "));
            daemon.close();
            daemon.queueInterval(null).start();
            send(daemon.port(), 1, 1);
            Poll.until(Duration.ofSeconds(8), "both delivered by queue runs a second apart, not 5m",
                    () -> completed(daemon) == 2);
        }
    }

    private static CompletableFuture<ProcessResult> queueRun(DaemonProcess daemon) {
        return CompletableFuture.supplyAsync(() -> PetrelCommand.run("queue", "run", "-C", daemon.config.toString()));
    }

    private static long completed(DaemonProcess daemon) throws IOException {
        return daemon.mainlog().stream().filter(l -> l.endsWith(" Completed")).count();
    }

    /** Messages in the spool: files named by a message id alone. */
    private static long spooled(DaemonProcess daemon) throws IOException {
        try (Stream<Path> files = Files.list(daemon.dir.resolve("spool/input"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9A-Za-z]{6}-[0-9A-Za-z-]+")
                    && !n.endsWith("-J") && !n.endsWith("-L")).count();
        }
    }

    /** {@code count} messages down one connection, each acknowledged before the next. */
    private static void send(int port, int sender, int count) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            Function<String, String> reply = code -> expect(in, code);
            reply.apply("220");
            out.write("EHLO concurrent.test\r\n".getBytes(StandardCharsets.US_ASCII));
            reply.apply("250");
            for (int i = 0; i < count; i++) {
                out.write(("MAIL FROM:<a@test.ex>\r\nRCPT TO:<sink@test.ex>\r\nDATA\r\n").getBytes(StandardCharsets.US_ASCII));
                reply.apply("250");
                reply.apply("250");
                reply.apply("354");
                out.write(("Subject: " + sender + "/" + i + "\r\n\r\nbody\r\n.\r\n").getBytes(StandardCharsets.US_ASCII));
                reply.apply("250");
            }
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new AssertionError("sender " + sender + ": " + e, e);
        }
    }

    private static String expect(BufferedReader in, String code) {
        try {
            String line;
            do {
                line = in.readLine();
                if (line == null) {
                    throw new AssertionError("connection closed waiting for " + code);
                }
            } while (line.length() > 3 && line.charAt(3) == '-');
            if (!line.startsWith(code)) {
                throw new AssertionError("expected " + code + ", got " + line);
            }
            return line;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
