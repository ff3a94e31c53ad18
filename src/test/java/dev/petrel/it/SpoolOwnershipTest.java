package dev.petrel.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.petrel.peers.Peers;
import dev.petrel.peers.ProcessResult;
import dev.petrel.spool.MessageId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may touch what in the spool: only the daemon, which holds the spool's lock, clears half-written files;
 * {@code queue list}, {@code queue run} and {@code submit} beside it leave them alone. A spool file with a
 * broken envelope is shown and logged, as Exim does, without hiding the rest of the queue.
 */
@Timeout(180)
class SpoolOwnershipTest {
    @TempDir
    Path dir;

    private static ProcessResult petrel(byte[] stdin, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "dev.petrel.cli.Main"));
        command.addAll(List.of(args));
        return Peers.run(command, Map.of(), stdin, Duration.ofSeconds(60));
    }

    private static ProcessResult petrel(String... args) {
        return petrel(new byte[0], args);
    }

    @Test
    void onlyTheDaemonClearsHalfWrittenFiles() throws Exception {
        DaemonProcess daemon = new DaemonProcess(dir);
        String config = daemon.config.toString();
        Path input = dir.resolve("spool/input");
        Files.createDirectories(input);
        String inFlight = MessageId.next();
        Path tmp = Files.writeString(input.resolve(inFlight + ".tmp"), "being committed");
        Path spill = Files.writeString(input.resolve(inFlight + ".spill"), "being received");
        try (daemon) {
            daemon.start();
            // The daemon cleared what was there before it started; these are a session's, written now.
            Files.writeString(tmp, "being committed");
            Files.writeString(spill, "being received");
            assertThat(petrel("queue", "list", "-C", config).exitCode()).isZero();
            assertThat(petrel("queue", "run", "-C", config).exitCode()).isZero();
            byte[] message = "Subject: beside the daemon\n\nx\n".getBytes(StandardCharsets.US_ASCII);
            ProcessResult submitted = petrel(message, "submit", "-C", config, "-f", "a@test.ex", "--queue-only",
                    "b@test.ex");
            assertThat(submitted.exitCode()).as(submitted.toString()).isZero();
            assertThat(tmp).as("a read-only command's open of the spool").exists();
            assertThat(spill).exists();

            ProcessResult second = petrel("daemon", "-C", config);
            assertThat(second.exitCode()).as("a second daemon on the same spool").isEqualTo(1);
            assertThat(second.stderr()).contains("is in use by another daemon");
            assertThat(tmp).exists();
        }
        // The daemon is gone: these are leftovers now, and the next daemon clears them.
        try (DaemonProcess next = new DaemonProcess(dir)) {
            next.start();
            assertThat(tmp).doesNotExist();
            assertThat(spill).doesNotExist();
        }
    }

    @Test
    void aBrokenEnvelopeIsListedAndLoggedOnceWhileTheRestOfTheQueueIsListed() throws Exception {
        DaemonProcess daemon = new DaemonProcess(dir, "queue_only = true");
        String config = daemon.config.toString();
        byte[] message = "Subject: fine\n\nx\n".getBytes(StandardCharsets.US_ASCII);
        ProcessResult good = petrel(message, "submit", "-C", config, "-f", "a@test.ex", "--queue-only", "b@test.ex");
        assertThat(good.exitCode()).as(good.toString()).isZero();
        String goodId = good.stdout().strip();
        String brokenId = MessageId.next();
        byte[] broken = (brokenId + "-H\nsender <a@test.ex>\nreceived 17").getBytes(StandardCharsets.US_ASCII);
        Files.write(dir.resolve("spool/input").resolve(brokenId), broken);

        ProcessResult list = petrel("queue", "list", "-C", config);
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.stdout()).contains(goodId + " <a@test.ex>\n          b@test.ex\n")
                .containsPattern("(?m)^ +0m +" + broken.length + " " + brokenId + "\n    \\*\\*\\* spool format error: size="
                        + broken.length + " \\*\\*\\*\n");

        try (daemon) {
            daemon.start();
            String line = daemon.awaitLog(l -> l.contains(" Format error in spool file "), Duration.ofSeconds(20));
            assertThat(line).endsWith(brokenId + " Format error in spool file " + brokenId + ": size=" + broken.length);
            Thread.sleep(4500); // two more queue runs (every 2 s)
            assertThat(daemon.mainlog().stream().filter(l -> l.contains("Format error"))).hasSize(1);
        }
        assertThat(dir.resolve("spool/input").resolve(brokenId)).as("left for the operator").exists();
    }
}
