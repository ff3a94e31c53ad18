package dev.petrel.cli;

import dev.petrel.hints.Hint;
import dev.petrel.hints.HintsDb;
import dev.petrel.peers.ProcessResult;
import dev.petrel.spool.MessageId;
import dev.petrel.transport.smtp.WaitHints;
import dev.petrel.testkit.PetrelCommand;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code petrel dumpdb} and {@code petrel tidydb}, run as an operator runs them, on a database filled here. */
@Timeout(120)
class HintsCommandTest {
    @TempDir
    Path dir;

    private Path conf;

    @BeforeEach
    void config() throws Exception {
        conf = dir.resolve("petrel.conf");
        Files.writeString(conf, "spool_directory = %1$s/spool\nlog_file_path = %1$s/log/%%slog\n".formatted(dir));
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void dumpdbPrintsEveryRecordOneALineWithControlCharactersEscaped() throws Exception {
        List<Hint> written = List.of(
                new Hint("127.0.0.1:25.EHLO", Instant.ofEpochSecond(1_700_000_000), text("PIPELINING PIPECONNECT")),
                new Hint("forged\nline", Instant.ofEpochSecond(1_700_000_100), text("\u001b[31mred")),
                new Hint("binary", Instant.ofEpochSecond(1_700_000_200), new byte[] {(byte) 0xff, 0, 1}));
        try (HintsDb db = HintsDb.open(dir.resolve("spool"), "misc")) {
            for (Hint h : written) {
                db.put(h.key(), h.stamp(), h.value());
            }
        }
        ProcessResult dump = PetrelCommand.run("dumpdb", "-C", conf.toString(), "misc");
        assertThat(dump.exitCode()).as(dump.toString()).isZero();
        assertThat(dump.stdoutLines()).containsExactlyInAnyOrder(
                "127.0.0.1:25.EHLO 1700000000 PIPELINING PIPECONNECT",
                "forged\\x0aline 1700000100 \\x1b[31mred",
                "binary 1700000200 hex:ff0001");
    }

    /** A ticket record (as the smtp transport stores it) spelled out; anything else in the database as it is. */
    @Test
    void dumpdbTlsShowsTicketRecordsReadably() throws Exception {
        try (HintsDb db = HintsDb.open(dir.resolve("spool"), "tls")) {
            db.put("9f2c", Instant.ofEpochSecond(1_700_000_000),
                    text("lifetime=7200\ncv=no\nverify=unable to get local issuer certificate\nocsp=notreq\nresumption=11\n"
                            + "session=\n"));
            db.put("odd", Instant.ofEpochSecond(1_700_000_100), text("x\ny"));
        }
        ProcessResult dump = PetrelCommand.run("dumpdb", "-C", conf.toString(), "tls");
        assertThat(dump.exitCode()).as(dump.toString()).isZero();
        assertThat(dump.stdoutLines()).containsExactlyInAnyOrder(
                "9f2c 1700000000 lifetime=7200s expires=2023-11-15T00:13:20Z CV=no "
                        + "verify=\"unable to get local issuer certificate\" ocsp=notreq session=in-process-cache "
                        + "resumption=0x0B (client requested new ticket, server provided)",
                "odd 1700000100 x\\x0ay");
    }

    @Test
    void tidydbRemovesRecordsOlderThanTheCutOffOnly() throws Exception {
        Instant now = Instant.now();
        try (HintsDb db = HintsDb.open(dir.resolve("spool"), "tls")) {
            db.put("old", now.minus(Duration.ofDays(31)), text("x"));
            db.put("recent", now.minus(Duration.ofDays(29)), text("y"));
            db.put("fresh", now, text("z"));
        }
        ProcessResult tidy = PetrelCommand.run("tidydb", "-C", conf.toString(), "tls");
        assertThat(tidy.exitCode()).as(tidy.toString()).isZero();
        assertThat(tidy.stdout()).contains(": 1 record removed");
        assertThat(keys()).containsExactlyInAnyOrder("recent", "fresh");

        ProcessResult shorter = PetrelCommand.run("tidydb", "-C", conf.toString(), "-t", "7", "tls");
        assertThat(shorter.stdout()).contains(": 1 record removed");
        assertThat(keys()).containsExactly("fresh");
    }

    @Test
    void tidydbTakesMessagesNoLongerSpooledOutOfWaitRecords() throws Exception {
        String queued = MessageId.next(MessageId.Format.EXIM_4_97);
        String gone = MessageId.next(MessageId.Format.EXIM_4_97);
        Files.createDirectories(dir.resolve("spool/input"));
        Files.writeString(dir.resolve("spool/input").resolve(queued), "");
        try (HintsDb db = HintsDb.open(dir.resolve("spool"), "wait-remote_smtp")) {
            WaitHints hints = new WaitHints(db);
            hints.add(List.of("mx.test", "mx2.test"), gone);
            hints.add(List.of("mx.test"), queued);
        }
        ProcessResult dump = PetrelCommand.run("dumpdb", "-C", conf.toString(), "wait-remote_smtp");
        assertThat(dump.stdoutLines()).hasSize(2).anyMatch(l -> l.matches("mx\\.test [0-9]+ " + gone + " " + queued))
                .anyMatch(l -> l.matches("mx2\\.test [0-9]+ " + gone));

        ProcessResult tidy = PetrelCommand.run("tidydb", "-C", conf.toString(), "wait-remote_smtp");
        assertThat(tidy.exitCode()).as(tidy.toString()).isZero();
        assertThat(tidy.stdoutLines()).contains("updated mx.test", "deleted mx2.test (empty)");
        ProcessResult after = PetrelCommand.run("dumpdb", "-C", conf.toString(), "wait-remote_smtp");
        assertThat(after.stdoutLines()).singleElement().asString().matches("mx\\.test [0-9]+ " + queued);
    }

    private List<String> keys() throws Exception {
        ProcessResult dump = PetrelCommand.run("dumpdb", "-C", conf.toString(), "tls");
        assertThat(dump.exitCode()).as(dump.toString()).isZero();
        return dump.stdoutLines().stream().map(l -> l.substring(0, l.indexOf(' '))).toList();
    }

    @Test
    void exitCodesSayWhatWentWrong() throws Exception {
        ProcessResult notAName = PetrelCommand.run("dumpdb", "-C", conf.toString(), "../../etc/passwd");
        assertThat(notAName.exitCode()).isEqualTo(2);
        assertThat(notAName.stderr()).contains("no hints database called \"../../etc/passwd\"");

        ProcessResult missing = PetrelCommand.run("tidydb", "-C", conf.toString(), "retry");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.stderr()).contains("hints database retry does not exist yet");
        assertThat(dir.resolve("spool/db/retry")).as("asking does not create it").doesNotExist();

        ProcessResult badDays = PetrelCommand.run("tidydb", "-C", conf.toString(), "-t", "soon", "misc");
        assertThat(badDays.exitCode()).as("a usage error").isEqualTo(2);

        ProcessResult unknown = PetrelCommand.run("frobnicate");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("frobnicate");

        Path broken = dir.resolve("broken.conf");
        Files.writeString(broken, "spool_directory = %s/spool\nlog_selector = +no_such_selector\n".formatted(dir));
        ProcessResult badConfig = PetrelCommand.run("dumpdb", "-C", broken.toString(), "misc");
        assertThat(badConfig.exitCode()).isEqualTo(1);
        assertThat(badConfig.stderr()).contains("broken.conf line 2").doesNotContain("\tat ");
    }
}
