package dev.petrel.it;

import dev.petrel.testkit.Poll;
import dev.petrel.testkit.PetrelCommand;
import dev.petrel.peers.ProcessResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
 * The spool's message lock across processes: two {@code petrel queue run} processes started together go
 * through messages a daemon received over SMTP. With {@code queue_only} the two runs meet over one backlog;
 * without it they start while the daemon is receiving and delivering each message at once, one at a time,
 * with its own queue runs every 2 s. Every message must be delivered by exactly one of them: one {@code =>} line
 * and one maildir file each.
 */
@Timeout(240)
class ConcurrentQueueRunTest {
    private static final int SENDERS = 4;
    private static final int PER_SENDER = 10;
    /** Each message's delivery takes a while (a journal fsync per recipient): long enough to meet another. */
    private static final int RECIPIENTS = 20;
    private static final Pattern DELIVERED = Pattern.compile("^\\S+ \\S+ (\\S+) (?:=>|->) \\S+ <(sink\\d+@test\\.ex)>");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "queue_only {0}")
    @ValueSource(booleans = {true, false})
    void daemonAndTwoQueueRunsDeliverEachMessageOnce(boolean queueOnly) throws Exception {
        // One delivery at a time: arrivals outpace the daemon, so the queue runs find messages it has yet to finish.
        try (DaemonProcess daemon = new DaemonProcess(dir, queueOnly ? "queue_only" : "delivery_max_parallel = 1")) {
            // queue_only: the two runs meet over one backlog, which a daemon's queue run would take first.
            daemon.queueInterval(queueOnly ? "1h" : "2").start();
            List<CompletableFuture<Void>> senders = new ArrayList<>();
            for (int s = 0; s < SENDERS; s++) {
                int sender = s;
                senders.add(CompletableFuture.runAsync(() -> send(daemon.port(), sender, PER_SENDER, RECIPIENTS)));
            }
            if (queueOnly) {
                CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get();
            }
            List<CompletableFuture<ProcessResult>> runs = List.of(queueRun(daemon), queueRun(daemon));
            CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get();
            for (CompletableFuture<ProcessResult> run : runs) {
                assertThat(run.get().exitCode()).as(run.get().toString()).isZero();
            }
            Poll.until(Duration.ofSeconds(60), "an empty spool", () -> spooled(daemon) == 0);

            int total = SENDERS * PER_SENDER;
            Map<String, Long> deliveries = daemon.mainlog().stream().map(DELIVERED::matcher).filter(Matcher::find)
                    .collect(Collectors.groupingBy(m -> m.group(1) + " " + m.group(2), Collectors.counting()));
            long received = daemon.mainlog().stream().filter(l -> l.contains(" <= ")).count();
            assertThat(received).isEqualTo(total);
            assertThat(deliveries).as("recipients delivered").hasSize(total * RECIPIENTS);
            assertThat(deliveries.values()).as("deliveries per message and recipient").allMatch(n -> n == 1);
            int files = 0;
            for (int r = 1; r <= RECIPIENTS; r++) {
                files += daemon.maildirFiles("sink" + r).size();
            }
            assertThat(files).isEqualTo(total * RECIPIENTS);
            Path panic = daemon.dir.resolve("log/paniclog");
            assertThat(Files.exists(panic) ? Files.readString(panic, StandardCharsets.UTF_8) : "").isEmpty();
        }
    }

    @Test
    void theDaemonsQueueRunsComeEveryQueueRunIntervalUnlessMinusQSaysOtherwise() throws Exception {
        try (DaemonProcess daemon = new DaemonProcess(dir, "queue_only", "queue_run_interval = 1s")) {
            daemon.queueInterval("1h").start();
            send(daemon.port(), 0, 1, 1);
            Thread.sleep(3000);
            assertThat(daemon.mainlog()).as("-q 1h: no queue run since the one at start").noneMatch(l -> l.contains(" => "));
            daemon.close();
            daemon.queueInterval(null).start();
            send(daemon.port(), 1, 1, 1);
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

    /** {@code count} messages to sink1..sinkN down one connection, each acknowledged before the next. */
    private static void send(int port, int sender, int count, int recipients) {
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
                StringBuilder envelope = new StringBuilder("MAIL FROM:<a@test.ex>\r\n");
                for (int r = 1; r <= recipients; r++) {
                    envelope.append("RCPT TO:<sink").append(r).append("@test.ex>\r\n");
                }
                out.write(envelope.append("DATA\r\n").toString().getBytes(StandardCharsets.US_ASCII));
                for (int r = 0; r <= recipients; r++) {
                    reply.apply("250");
                }
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
