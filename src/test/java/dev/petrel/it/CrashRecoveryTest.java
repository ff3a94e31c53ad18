package dev.petrel.it;

import org.junit.jupiter.api.Test;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Durability: the daemon is killed with SIGKILL at arbitrary moments while four clients send mail. Every
 * message that got a 250 must end up in a maildir, and none twice.
 */
class CrashRecoveryTest {
    private static final Pattern TAG = Pattern.compile("X-Test-Seq: (\\d+)");

    @TempDir
    Path dir;

    @Test
    void killMinusNineLosesNothingAcknowledgedAndDuplicatesNothing() throws Exception {
        Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger sequence = new AtomicInteger();
        try (DaemonProcess daemon = new DaemonProcess(dir)) {
            for (int round = 0; round < 4; round++) {
                daemon.start();
                List<Thread> senders = new java.util.ArrayList<>();
                for (int s = 0; s < 4; s++) {
                    Thread t = Thread.ofPlatform().start(() -> sendUntilCut(daemon.port, sequence, acknowledged));
                    senders.add(t);
                }
                Thread.sleep(400 + 250L * round);
                daemon.kill();
                for (Thread t : senders) {
                    t.join(10_000);
                }
            }
            daemon.start();
            Map<Integer, Integer> delivered = new HashMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            do {
                delivered = deliveredCounts(daemon);
                if (delivered.keySet().containsAll(acknowledged)) {
                    break;
                }
                Thread.sleep(200);
            } while (System.nanoTime() < deadline);
            assertThat(acknowledged).as("some messages were acknowledged").hasSizeGreaterThan(20);
            assertThat(delivered.keySet()).as("every acknowledged message delivered").containsAll(acknowledged);
            assertThat(delivered.values()).as("no message delivered twice").allMatch(n -> n == 1);
        }
    }

    private static Map<Integer, Integer> deliveredCounts(DaemonProcess daemon) throws IOException {
        Map<Integer, Integer> counts = new HashMap<>();
        for (Path file : daemon.maildirFiles("sink")) {
            String text;
            try {
                text = Files.readString(file, StandardCharsets.ISO_8859_1);
            } catch (java.nio.file.NoSuchFileException e) {
                continue;
            }
            Matcher m = TAG.matcher(text);
            if (m.find()) {
                counts.merge(Integer.parseInt(m.group(1)), 1, Integer::sum);
            }
        }
        return counts;
    }

    /** Sends messages one after another on fresh connections until the daemon disappears. */
    private static void sendUntilCut(int port, AtomicInteger sequence, Set<Integer> acknowledged) {
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
                if (expect(in, "250")) {
                    acknowledged.add(seq);
                }
                out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException cut) {
                return;
            }
        }
    }

    private static boolean expect(BufferedReader in, String code) throws IOException {
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
        return true;
    }
}
