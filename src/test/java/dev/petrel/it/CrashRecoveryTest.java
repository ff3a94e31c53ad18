package dev.petrel.it;

import dev.petrel.spool.MessageId;
import dev.petrel.testkit.Poll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Durability: the daemon is killed with SIGKILL at arbitrary moments while four clients send mail (and while it
 * delivers what it accepted). After a last start, once its queue is empty, every message that got a 250 must be
 * in the maildir exactly once, under the id its 250 named, and nothing else may be there.
 */
@Timeout(240)
class CrashRecoveryTest {
    private static final Pattern TAG = Pattern.compile("X-Test-Seq: (\\d+)");
    private static final Pattern OK_ID = Pattern.compile("^250 OK id=(\\S+)");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void killMinusNineLosesNothingAcknowledgedAndDuplicatesNothing() throws Exception {
        Map<Integer, String> acknowledged = new ConcurrentHashMap<>();
        AtomicInteger sequence = new AtomicInteger();
        try (DaemonProcess daemon = new DaemonProcess(dir)) {
            for (int round = 0; round < 4; round++) {
                daemon.start();
                List<Thread> senders = new ArrayList<>();
                for (int s = 0; s < 4; s++) {
                    senders.add(Thread.ofPlatform().start(() -> sendUntilCut(daemon.port(), sequence, acknowledged)));
                }
                Thread.sleep(400 + 250L * round); // the moment of the crash: arbitrary, not a wait for anything
                daemon.kill();
                for (Thread t : senders) {
                    t.join(10_000);
                }
            }
            assertThat(acknowledged).as("some messages were acknowledged").hasSizeGreaterThan(20);

            // What the crashes left in the spool, the last start's queue runs must finish, each with its Completed
            // line. (A message finished before a crash may lack its line: the crash can fall between the spool
            // file's removal and the log write.)
            List<String> left = spooled(daemon);
            daemon.start();
            Poll.until(Duration.ofSeconds(90), "an empty spool and a Completed line per message left in it",
                    () -> spooled(daemon).isEmpty() && completed(daemon).containsAll(left),
                    () -> {
                        Set<String> done = completed(daemon);
                        return "still spooled: " + spooled(daemon) + "; not Completed: "
                                + left.stream().filter(id -> !done.contains(id)).toList();
                    });

            Map<Integer, List<String>> delivered = deliveredIds(daemon);
            for (Map.Entry<Integer, String> ack : acknowledged.entrySet()) {
                assertThat(delivered.get(ack.getKey())).as("message %d, acknowledged as %s", ack.getKey(), ack.getValue())
                        .containsExactly(ack.getValue());
            }
            // A message whose data was safe when the crash cut its 250 off (SMTP's known duplicate window) may be
            // delivered too, but once: a delivery repeated after a crash must find its maildir name taken.
            assertThat(delivered).as("no message delivered twice").allSatisfy((seq, ids) -> assertThat(ids).hasSize(1));
        }
    }

    /** The messages in the spool: the files named by a message id alone (not ID-J journals, not leftovers). */
    private static List<String> spooled(DaemonProcess daemon) throws IOException {
        try (Stream<Path> files = Files.list(daemon.dir.resolve("spool/input"))) {
            return files.map(p -> p.getFileName().toString()).filter(MessageId::isValid).toList();
        }
    }

    private static Set<String> completed(DaemonProcess daemon) throws IOException {
        return daemon.mainlog().stream().filter(l -> l.endsWith(" Completed")).map(l -> l.split(" ")[2])
                .collect(Collectors.toSet());
    }

    /** For each X-Test-Seq found in the maildir, the message ids of the files carrying it (from their names). */
    private static Map<Integer, List<String>> deliveredIds(DaemonProcess daemon) throws IOException {
        Map<Integer, List<String>> ids = new HashMap<>();
        for (Path file : daemon.maildirFiles("sink")) {
            Matcher m = TAG.matcher(Files.readString(file, StandardCharsets.ISO_8859_1));
            assertThat(m.find()).as("%s carries a sequence number", file).isTrue();
            // Maildir names are "time.ID_recipient.host": the id names the spooled message delivered.
            String name = file.getFileName().toString();
            String id = name.substring(name.indexOf('.') + 1, name.indexOf('_'));
            ids.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new ArrayList<>()).add(id);
        }
        return ids;
    }

    /** Sends messages one after another on fresh connections until the daemon disappears. */
    private static void sendUntilCut(int port, AtomicInteger sequence, Map<Integer, String> acknowledged) {
        for (int i = 0; i < 10_000; i++) {
            int seq = sequence.incrementAndGet();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                s.setSoTimeout(5000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                OutputStream out = s.getOutputStream();
                expect(in, "220");
                out.write("EHLO crash.test\r\n".getBytes(StandardCharsets.US_ASCII));
                expect(in, "250");
                out.write(("MAIL FROM:<a@test.ex>\r\nRCPT TO:<sink@test.ex>\r\nDATA\r\n").getBytes(StandardCharsets.US_ASCII));
                expect(in, "250");
                expect(in, "250");
                expect(in, "354");
                out.write(("Subject: crash " + seq + "\r\nX-Test-Seq: " + seq + "\r\n\r\n" + "body line\r\n".repeat(20)
                        + ".\r\n").getBytes(StandardCharsets.US_ASCII));
                Matcher ok = OK_ID.matcher(expect(in, "250"));
                if (!ok.find()) {
                    throw new AssertionError("a 250 to the data without an id");
                }
                acknowledged.put(seq, ok.group(1));
                out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException cut) {
                return;
            }
        }
    }

    /** The last line of the next reply, which must have {@code code}; an IOException when the daemon is gone. */
    private static String expect(BufferedReader in, String code) throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("closed");
            }
        } while (line.length() > 3 && line.charAt(3) == '-');
        if (!line.startsWith(code)) {
            throw new IOException("unexpected reply " + line);
        }
        return line;
    }
}
