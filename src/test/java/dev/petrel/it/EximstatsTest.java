package dev.petrel.it;

import dev.petrel.peers.Peers;
import dev.petrel.peers.ProcessResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Debian 12's eximstats (Exim 4.96) reads a mainlog that Petrel wrote. That eximstats cuts message ids at
 * 16 characters, so it reads logs with Exim 4.96-style ids: Petrel's {@code message_id_format = 4.96}.
 * (Exim 4.97's 23-character ids, Petrel's default, need the eximstats of Exim 4.97 or later.)
 */
@Timeout(120)
class EximstatsTest {
    @TempDir
    Path dir;

    @Test
    void eximstatsSummarisesPetrelsMainlog() throws Exception {
        try (DaemonProcess daemon = new DaemonProcess(dir, "message_id_format = 4.96")) {
            daemon.start();
            for (int i = 0; i < 3; i++) {
                Peers.swaks("--server", "127.0.0.1:" + daemon.port(), "--from", "stats@client.test", "--to",
                        "stats" + i + "@test.ex", "--silent", "2").requireOk();
            }
            Peers.swaks("--server", "127.0.0.1:" + daemon.port(), "--from", "stats@client.test", "--to",
                    "nobody@elsewhere.test", "--silent", "2", "--quit-after", "RCPT");
            daemon.awaitLog(l -> l.contains(" => stats2 <"), Duration.ofSeconds(20));
            List<String> lines = daemon.mainlog();
            assertThat(lines.stream().filter(l -> l.contains(" <= ")).findFirst().orElseThrow())
                    .matches("\\S+ \\S+ [0-9A-Za-z]{6}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2} <= .*");
            ProcessResult stats = Peers.eximstats(dir.resolve("log/mainlog")).requireOk();
            assertThat(stats.stdout()).contains("Grand total summary")
                    .containsPattern("Received\\s+\\S+\\s+3\\s")
                    .containsPattern("Delivered\\s+\\S+\\s+3\\s+3\\s")
                    .containsPattern("Rejects\\s+1\\s")
                    .containsPattern("local_delivery\\s+\\S+\\s+3");
        }
    }
}
