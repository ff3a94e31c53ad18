package dev.petrel.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.petrel.config.Config;
import dev.petrel.hints.HintsDb;
import dev.petrel.hints.RetryRecord;
import dev.petrel.peers.FakeSmtpServer;
import dev.petrel.peers.ProcessResult;
import dev.petrel.testkit.PetrelCommand;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retry rules and the {@code retry} hints database through whole deliveries to a scripted server on loopback:
 * a 451 defers and leaves a record that {@code petrel dumpdb retry} shows; a queue run before the record's
 * time skips the host without connecting; after it, the host is tried, the message delivered and the record
 * removed; past the final cutoff the recipient fails and the sender gets a bounce.
 */
@Timeout(120)
class RetryDeliveryTest {
    private static final String DATA = "From: alice@test.ex\r\nSubject: retried\r\n\r\nhello\r\n";

    @TempDir
    Path dir;

    private Path conf;

    private Config config(int port, String retryRules) throws Exception {
        String text = """
                primary_hostname = petrel.test
                qualify_domain = test.ex
                domainlist local_domains = test.ex
                spool_directory = %1$s/spool
                log_file_path = %1$s/log/%%slog
                begin routers
                smarthost:
                  driver = manualroute
                  domains = remote.test
                  transport = remote_smtp
                  route_list = * 127.0.0.1::%2$d
                localuser:
                  driver = accept
                  domains = +local_domains
                  transport = local_delivery
                begin transports
                remote_smtp:
                  driver = smtp
                  connect_timeout = 5s
                local_delivery:
                  driver = appendfile
                  directory = %1$s/mail/$local_part
                  maildir_format
                begin retry
                %3$s
                """.formatted(dir, port, retryRules);
        conf = dir.resolve("petrel.conf");
        Files.writeString(conf, text);
        return Config.load(conf);
    }

    private HintsDb retryDb() throws Exception {
        return HintsDb.open(dir.resolve("spool"), "retry");
    }

    private static String hostKey(FakeSmtpServer server) {
        return "T:127.0.0.1:127.0.0.1:" + server.port();
    }

    @Test
    void aMessageRefusedAtMailWaitsForItsTimeThenIsDeliveredAndForgotten() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.plain().on("MAIL", "451 4.3.0 come back later").firstOnly();
             DeliveryHarness harness = new DeliveryHarness(dir, config(server.port(), "*  *  F,1h,4s"))) {
            String id = harness.deliver("alice@test.ex", DATA, "bob@remote.test");
            assertThat(harness.mainLog()).contains(id + " == bob@remote.test R=smarthost T=remote_smtp defer (-45) "
                    + "H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after pipelined MAIL "
                    + "FROM:<alice@test.ex> SIZE=" + DATA.length() + ": 451 4.3.0 come back later");

            // A queue run before the next try: no connection, Exim's wording.
            harness.runner.runQueue();
            harness.awaitIdle();
            assertThat(server.connections()).isEqualTo(1);
            assertThat(harness.mainLog().getLast()).isEqualTo(id + " == bob@remote.test R=smarthost T=remote_smtp "
                    + "defer (-53): retry time not reached for any host for 'remote.test'");
            // A 4xx to MAIL is about this message (Exim's message error): another message goes to the host at once.
            String other = harness.deliver("alice@test.ex", DATA, "carol@remote.test");
            assertThat(server.connections()).isEqualTo(2);
            assertThat(harness.mainLog()).contains(other + " Completed");

            ProcessResult dump = PetrelCommand.run("dumpdb", "-C", conf.toString(), "retry");
            assertThat(dump.exitCode()).as(dump.toString()).isZero();
            List<String> lines = dump.stdoutLines();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).isEqualTo("  " + hostKey(server) + ":" + id + " -45 " + (51 << 8) + " SMTP error from remote "
                    + "mail server after pipelined MAIL FROM:<alice@test.ex> SIZE=" + DATA.length()
                    + ": 451 4.3.0 come back later");
            // first failed, last tried, next try; no "*": not past the final cutoff.
            String time = "\\d\\d-\\w{3}-\\d{4} \\d\\d:\\d\\d:\\d\\d";
            assertThat(lines.get(1)).matches(time + "  " + time + "  " + time + " ");

            Instant nextTry;
            try (HintsDb db = retryDb()) {
                nextTry = RetryRecord.decode(db.get(hostKey(server) + ":" + id).orElseThrow().value()).nextTry();
            }
            Thread.sleep(Math.max(0, Duration.between(Instant.now(), nextTry).toMillis()) + 1100);
            harness.runner.runQueue();
            harness.awaitIdle();
            assertThat(server.connections()).isEqualTo(3);
            assertThat(harness.mainLog()).anyMatch(l -> l.startsWith(id + " => bob@remote.test R=smarthost"))
                    .contains(id + " Completed");
            try (HintsDb db = retryDb()) {
                assertThat(db.dump()).isEmpty();
            }
        }
    }

    @Test
    void aHostThatFailedHoldsBackEveryMessageUntilItsTime() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.plain().on("greeting", "421 4.3.2 too busy").firstOnly();
             DeliveryHarness harness = new DeliveryHarness(dir, config(server.port(), "*  *  F,1h,1h"))) {
            String id = harness.deliver("alice@test.ex", DATA, "bob@remote.test");
            String other = harness.deliver("alice@test.ex", DATA, "carol@remote.test");
            assertThat(server.connections()).isEqualTo(1);
            assertThat(harness.mainLog()).contains(id + " H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server "
                    + "after initial connection: 421 4.3.2 too busy", other + " == carol@remote.test R=smarthost "
                    + "T=remote_smtp defer (-53): retry time not reached for any host for 'remote.test'");
            try (HintsDb db = retryDb()) {
                assertThat(db.dump()).extracting(h -> h.key()).containsExactly(hostKey(server));
            }
            harness.runner.runQueue(true);
            harness.awaitIdle();
            assertThat(harness.mainLog()).contains(id + " Completed", other + " Completed");
            try (HintsDb db = retryDb()) {
                assertThat(db.dump()).isEmpty();
            }
        }
    }

    @Test
    void aForcedRunIgnoresRetryTimes() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.plain().on("MAIL", "451 4.3.0 come back later").firstOnly();
             DeliveryHarness harness = new DeliveryHarness(dir, config(server.port(), "*  *  F,1h,1h"))) {
            String id = harness.deliver("alice@test.ex", DATA, "bob@remote.test");
            harness.runner.runQueue();
            harness.awaitIdle();
            assertThat(server.connections()).isEqualTo(1);

            harness.runner.runQueue(true);
            harness.awaitIdle();
            assertThat(server.connections()).isEqualTo(2);
            assertThat(harness.mainLog()).contains(id + " Completed");
        }
    }

    @Test
    void pastTheFinalCutoffTheRecipientFailsAndIsBounced() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.plain().on("MAIL", "451 4.3.0 come back later");
             DeliveryHarness harness = new DeliveryHarness(dir, config(server.port(), "*  *  F,3s,1s"))) {
            String id = harness.deliver("alice@test.ex", DATA, "bob@remote.test");
            Thread.sleep(1_100);
            harness.runner.runQueue();
            harness.awaitIdle();
            assertThat(harness.mainLog()).noneMatch(l -> l.contains("**")).contains(harnessLineOfSecondTry(id));
            Thread.sleep(3_100);
            harness.runner.runQueue();
            harness.awaitIdle();

            List<String> log = harness.mainLog();
            assertThat(log).contains(id + " ** bob@remote.test: retry timeout exceeded", id + " Completed");
            assertThat(log.indexOf(id + " ** bob@remote.test: retry timeout exceeded"))
                    .isGreaterThan(log.lastIndexOf(harnessLineOfSecondTry(id)));
            assertThat(spoolIsEmptyAfterTheBounce(harness)).isTrue();
            String bounce = onlyMessage(dir.resolve("mail/alice/new"));
            assertThat(bounce).contains("bob@remote.test", "451 4.3.0 come back later: retry timeout exceeded");
            try (HintsDb db = retryDb()) {
                assertThat(db.dump()).as("the host+message record goes with the message").isEmpty();
            }
        }
    }

    @Test
    void withNoRuleForTheErrorADeferralIsAFailure() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.plain().on("RCPT", "451 4.2.0 mailbox busy");
             DeliveryHarness harness = new DeliveryHarness(dir, config(server.port(), "*  refused  F,1h,10m"))) {
            String id = harness.deliver("alice@test.ex", DATA, "bob@remote.test");
            assertThat(harness.mainLog()).contains(id + " ** bob@remote.test: retry timeout exceeded");
            assertThat(spoolIsEmptyAfterTheBounce(harness)).isTrue();
        }
    }

    @Test
    void aRecipientRefusedWith451IsRetriedByAddressNotByHost() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.plain().on("RCPT TO:<bob@", "451 4.2.0 mailbox busy");
             DeliveryHarness harness = new DeliveryHarness(dir, config(server.port(), "*  rcpt_45x  F,1h,1h\n*  *  F,1h,1m"))) {
            String id = harness.deliver("alice@test.ex", DATA, "bob@remote.test");
            try (HintsDb db = retryDb()) {
                assertThat(db.dump()).extracting(h -> h.key()).containsExactly("R:bob@remote.test:<alice@test.ex>");
            }
            // The address waits; the host does not: another recipient there goes at once.
            String other = harness.deliver("alice@test.ex", DATA, "carol@remote.test");
            harness.runner.runQueue();
            harness.awaitIdle();
            assertThat(harness.mainLog()).contains(other + " Completed",
                    id + " == bob@remote.test routing defer (-51): retry time not reached");
        }
    }

    /** A record for the server's host past its final cutoff, next try an hour away, last tried at {@code lastTry}. */
    private void expiredHost(FakeSmtpServer server, Instant lastTry) throws Exception {
        Instant now = Instant.now();
        try (HintsDb db = retryDb()) {
            db.put(hostKey(server), now, new RetryRecord(now.minus(Duration.ofDays(5)), lastTry, now.plusSeconds(3600),
                    111, 'A', "Connection refused", true).encode());
        }
    }

    @Test
    void withEveryHostPastItsCutoffTheAddressFailsWithoutATry() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.plain();
             DeliveryHarness harness = new DeliveryHarness(dir, config(server.port(), "*  *  F,4d,1h"))) {
            expiredHost(server, Instant.now().minusSeconds(60));
            String id = harness.deliver("alice@test.ex", DATA, "bob@remote.test");
            assertThat(server.connections()).isZero();
            assertThat(harness.mainLog()).contains(id + " ** bob@remote.test R=smarthost T=remote_smtp: all hosts for "
                    + "'remote.test' have been failing for a long time (and retry time not reached)");
            assertThat(spoolIsEmptyAfterTheBounce(harness)).isTrue();
        }
    }

    @Test
    void noDelayAfterCutoffTriesHostsLastTriedBeforeTheMessageArrived() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.plain()) {
            Config config = Config.parse(Files.readString(writeConfig(server))
                    .replace("connect_timeout = 5s", "connect_timeout = 5s\n  no_delay_after_cutoff"), "test.conf");
            try (DeliveryHarness harness = new DeliveryHarness(dir, config)) {
                expiredHost(server, Instant.now().minusSeconds(60));
                String id = harness.deliver("alice@test.ex", DATA, "bob@remote.test");
                assertThat(server.connections()).isEqualTo(1);
                assertThat(harness.mainLog()).contains(id + " Completed");
                try (HintsDb db = retryDb()) {
                    assertThat(db.dump()).isEmpty();
                }
                // A host last tried after the message arrived is not tried again: the address fails.
                expiredHost(server, Instant.now().plusSeconds(30));
                String late = harness.deliver("alice@test.ex", DATA, "carol@remote.test");
                assertThat(server.connections()).isEqualTo(1);
                assertThat(harness.mainLog()).contains(late + " ** carol@remote.test R=smarthost T=remote_smtp: all "
                        + "hosts for 'remote.test' have been failing for a long time and were last tried after this "
                        + "message arrived");
            }
        }
    }

    private Path writeConfig(FakeSmtpServer server) throws Exception {
        config(server.port(), "*  *  F,4d,1h");
        return conf;
    }

    private static String harnessLineOfSecondTry(String id) {
        return id + " == bob@remote.test R=smarthost T=remote_smtp defer (-45) H=127.0.0.1 [127.0.0.1]: SMTP error "
                + "from remote mail server after pipelined MAIL FROM:<alice@test.ex> SIZE=" + DATA.length()
                + ": 451 4.3.0 come back later";
    }

    private static boolean spoolIsEmptyAfterTheBounce(DeliveryHarness harness) throws Exception {
        harness.awaitIdle();
        return harness.spool.messageIds().isEmpty();
    }

    private static String onlyMessage(Path maildirNew) throws Exception {
        try (Stream<Path> files = Files.list(maildirNew)) {
            List<Path> all = files.toList();
            assertThat(all).hasSize(1);
            return Files.readString(all.getFirst());
        }
    }
}
