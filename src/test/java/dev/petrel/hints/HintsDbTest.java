package dev.petrel.hints;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.petrel.peers.Peers;
import dev.petrel.peers.ProcessResult;
import dev.petrel.testkit.Skip;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HintsDbTest {
    @TempDir
    Path spool;

    private static final List<String> AWKWARD = List.of(
            "plain", "it's", "\"double\"", "'; DROP TABLE hints; --", "nul\u0000inside", "\u0000",
            "semi;colon", "percent%_", "uni\u00e9\u4e2d", "", " spaced ", "back\\slash", "line\nbreak");

    @Test
    void aRecordWrittenByAnotherConnectionIsSeenAtOnceThoughMissesAreAnsweredFromMemory() throws Exception {
        try (HintsDb daemon = HintsDb.open(spool, "retry"); HintsDb queueRun = HintsDb.open(spool, "retry")) {
            for (int i = 0; i < 300; i++) { // quicker than the clock's tick: the files' sizes must tell
                String key = "R:host" + i;
                assertThat(daemon.get(key)).as("miss %d", i).isEmpty();
                queueRun.put(key, ("record " + i).getBytes(StandardCharsets.US_ASCII));
                assertThat(daemon.get(key)).as("written by the other %d", i).isPresent();
                queueRun.delete(key);
                assertThat(daemon.get(key)).as("deleted by the other %d", i).isEmpty();
                daemon.put(key, new byte[] {1});
                assertThat(queueRun.get(key)).as("written by the first %d", i).isPresent();
            }
        }
    }

    @Test
    void awkwardKeysRoundTripAndNothingIsInjected() throws Exception {
        try (HintsDb db = HintsDb.open(spool, "misc")) {
            for (String key : AWKWARD) {
                db.put(key, ("value of " + key).getBytes(StandardCharsets.UTF_8));
            }
            for (String key : AWKWARD) {
                assertThat(db.get(key)).as("key %s", key).isPresent();
                assertThat(db.get(key).orElseThrow().valueText()).isEqualTo("value of " + key);
            }
            assertThat(db.get("nul")).isEmpty();
            assertThat(db.dump()).hasSize(AWKWARD.size());
            assertThat(db.delete("'; DROP TABLE hints; --")).isTrue();
            assertThat(db.delete("'; DROP TABLE hints; --")).isFalse();
            assertThat(db.dump()).hasSize(AWKWARD.size() - 1);
        }
        assertThat(Files.exists(spool.resolve("db/misc"))).isTrue();
    }

    @Test
    void putReplacesAndDumpIsOrderedAndEscaped() throws Exception {
        try (HintsDb db = HintsDb.open(spool, "tls")) {
            db.put("b", Instant.ofEpochSecond(100), "one".getBytes(StandardCharsets.UTF_8));
            db.put("b", Instant.ofEpochSecond(200), "two".getBytes(StandardCharsets.UTF_8));
            db.put("a\nfake 1 line", Instant.ofEpochSecond(50), new byte[] {(byte) 0xff, 0});
            List<Hint> all = db.dump();
            assertThat(all).extracting(Hint::key).containsExactly("a\nfake 1 line", "b");
            assertThat(all.get(1).valueText()).isEqualTo("two");
            assertThat(all.get(1).stamp()).isEqualTo(Instant.ofEpochSecond(200));
            assertThat(all.get(0).dumpLine()).isEqualTo("a\\x0afake 1 line 50 hex:ff00");
            assertThat(all.get(1).dumpLine()).isEqualTo("b 200 two");
        }
    }

    @Test
    void tidyDeletesOldRecords() throws Exception {
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_000_000), ZoneOffset.UTC);
        try (HintsDb db = HintsDb.open(spool, "retry", clock)) {
            db.put("old", Instant.ofEpochSecond(1_000_000 - 7200), new byte[] {1});
            db.put("new", new byte[] {2});
            assertThat(db.tidy(Duration.ofHours(1))).isEqualTo(1);
            assertThat(db.get("old")).isEmpty();
            assertThat(db.get("new")).isPresent();
        }
    }

    @Test
    void twoHandlesShareOneFile() throws Exception {
        try (HintsDb a = HintsDb.open(spool, "wait-remote_smtp"); HintsDb b = HintsDb.open(spool, "wait-remote_smtp")) {
            a.put("k", new byte[] {7});
            assertThat(b.get("k").orElseThrow().value()).containsExactly(7);
        }
    }

    @Test
    void refusesPathLikeNames() {
        for (String bad : List.of("../x", "a/b", "", "Misc", "tls;x")) {
            assertThatThrownBy(() -> HintsDb.open(spool, bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void sqlite3CanReadIt() throws Exception {
        try (HintsDb db = HintsDb.open(spool, "misc")) {
            db.put("x'y", new byte[] {1});
        }
        Path sqlite = Path.of("/usr/bin/sqlite3");
        if (!Files.isExecutable(sqlite)) {
            Skip.because("sqlite3 is missing (test-peers/install.sh installs it)");
        }
        ProcessResult r = Peers.run(List.of(sqlite.toString(), spool.resolve("db/misc").toString(),
                "select key from hints"), Map.of(), null, Duration.ofSeconds(20));
        assertThat(r.ok()).as(r.toString()).isTrue();
        assertThat(r.stdout()).isEqualTo("x'y\n");
    }

    /**
     * Two handles on one file (as the daemon and a {@code petrel queue run} have), each used by several
     * threads at once: every read-modify-write counts, none is lost to another's write.
     */
    @Test
    void updatesAreAtomicAcrossThreadsAndHandles() throws Exception {
        try (HintsDb a = HintsDb.open(spool, "retry"); HintsDb b = HintsDb.open(spool, "retry")) {
            List<Thread> threads = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) {
                HintsDb db = t % 2 == 0 ? a : b;
                threads.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < 50; i++) {
                        try {
                            db.update("T:host:192.0.2.1", old -> {
                                int n = old.map(h -> Integer.parseInt(h.valueText())).orElse(0);
                                return java.util.Optional.of(new Hint("T:host:192.0.2.1", Instant.now(),
                                        String.valueOf(n + 1).getBytes(StandardCharsets.UTF_8)));
                            });
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(60));
            }
            assertThat(a.get("T:host:192.0.2.1").orElseThrow().valueText()).isEqualTo("400");
            a.update("T:host:192.0.2.1", old -> java.util.Optional.empty());
            assertThat(b.get("T:host:192.0.2.1")).isEmpty();
        }
    }

    @Test
    void aFailedUpdateChangesNothing() throws Exception {
        try (HintsDb db = HintsDb.open(spool, "retry")) {
            db.put("k", "before".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> db.update("k", old -> {
                throw new IllegalStateException("boom");
            })).isInstanceOf(IllegalStateException.class);
            assertThat(db.get("k").orElseThrow().valueText()).isEqualTo("before");
            db.put("k", "after".getBytes(StandardCharsets.UTF_8)); // the connection is usable again
            assertThat(db.get("k").orElseThrow().valueText()).isEqualTo("after");
        }
    }
}
