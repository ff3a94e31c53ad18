package dev.petrel.queue;

import dev.petrel.config.Config;
import dev.petrel.log.MainLog;
import dev.petrel.spool.Envelope;
import dev.petrel.spool.MessageId;
import dev.petrel.spool.Reception;
import dev.petrel.spool.Spool;
import dev.petrel.testkit.LogLines;
import dev.petrel.testkit.Poll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class QueueRunnerTest {
    private static final String DATA = "From: alice@test.ex\r\nSubject: queued\r\nMessage-Id: <m1@test.ex>\r\n\r\nhello\r\n";

    @TempDir
    Path dir;
    private Spool spool;
    private MainLog log;
    private QueueRunner runner;

    @BeforeEach
    void open() throws IOException {
        spool = Spool.open(dir.resolve("spool"));
        log = MainLog.open(dir.resolve("log/%slog").toString(), Set.of());
    }

    @AfterEach
    void close() throws IOException {
        if (runner != null) {
            runner.close();
        }
        spool.close();
        log.close();
    }

    private Config config() throws Exception {
        return Config.parse("""
                primary_hostname = mx.test.ex
                domainlist local_domains = test.ex : localhost
                qualify_domain = test.ex

                begin routers

                smarthost:
                  driver = manualroute
                  domains = remote.example
                  transport = remote_smtp
                  route_list = * 127.0.0.1::2599

                localuser:
                  driver = accept
                  domains = +local_domains
                  transport = local_delivery

                begin transports

                remote_smtp:
                  driver = smtp

                local_delivery:
                  driver = appendfile
                  directory = %s/$local_part
                  maildir_format
                  delivery_date_add
                  envelope_to_add
                  return_path_add

                begin retry

                # Retried every second, so that periodic queue runs try again within the test.
                *  *  F,1h,1s
                """.formatted(dir.resolve("mail")), "test");
    }

    private QueueRunner startRunner(Duration interval) throws Exception {
        runner = new QueueRunner(config(), spool, log, interval, dir);
        runner.start();
        return runner;
    }

    private String spool(String sender, String... rcpts) throws IOException {
        String id = MessageId.next();
        Reception r = spool.receive(id);
        r.append(DATA.getBytes(StandardCharsets.US_ASCII));
        r.commit(Envelope.local(sender, List.of(rcpts))).join();
        return id;
    }

    private List<String> mainLog() throws IOException {
        return Files.readAllLines(dir.resolve("log/mainlog")).stream()
                .map(line -> line.substring(20)) // "yyyy-MM-dd HH:mm:ss "
                .toList();
    }

    private void awaitLog(String text) throws Exception {
        LogLines.await(dir.resolve("log/mainlog"), text, Duration.ofSeconds(10));
    }

    private void awaitIdle() throws Exception {
        Poll.until(Duration.ofSeconds(10), "an idle queue runner", runner::idle);
    }

    private List<Path> maildir(String user) throws IOException {
        Path n = dir.resolve("mail").resolve(user).resolve("new");
        if (!Files.isDirectory(n)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(n)) {
            return s.toList();
        }
    }

    @Test
    void aSubmittedMessageIsDeliveredToEachLocalRecipientAndRemoved() throws Exception {
        startRunner(Duration.ofHours(1));
        String id = spool("alice@test.ex", "bob@test.ex", "Carol@localhost");

        runner.submit(id);
        awaitLog(id + " Completed");

        assertThat(mainLog()).containsSubsequence(
                id + " => bob <bob@test.ex> R=localuser T=local_delivery",
                id + " => carol <Carol@localhost> R=localuser T=local_delivery",
                id + " Completed");
        assertThat(spool.contains(id)).isFalse();
        assertThat(spool.inputDirectory()).isEmptyDirectory();
        assertThat(maildir("bob")).hasSize(1);
        assertThat(maildir("carol")).hasSize(1);
        assertThat(Files.readString(maildir("carol").getFirst())).startsWith(
                "Return-path: <alice@test.ex>\nEnvelope-to: Carol@localhost\n");
    }

    @Test
    void theEmbeddedDefaultDeliversToMaildirsUnderTheWorkingDirectory() throws Exception {
        runner = new QueueRunner(Config.embeddedDefault(), spool, log, Duration.ofHours(1), dir);
        runner.start();
        String id = spool("", "user@localhost");

        runner.submit(id);
        awaitLog(id + " Completed");

        assertThat(mainLog()).containsExactly(id + " => user <user@localhost> R=localuser T=local_delivery",
                id + " Completed");
        try (Stream<Path> s = Files.list(dir.resolve("var/mail/user/new"))) {
            assertThat(s).hasSize(1);
        }
    }

    @Test
    void theQueueRunAtStartDeliversWhatIsAlreadySpooled() throws Exception {
        String first = spool("alice@test.ex", "bob@test.ex");
        String second = spool("", "carol@test.ex");

        startRunner(Duration.ofHours(1));
        awaitLog(first + " Completed");
        awaitLog(second + " Completed");

        assertThat(maildir("bob")).hasSize(1);
        assertThat(maildir("carol")).hasSize(1);
    }

    @Test
    void anUnrouteableRecipientIsBouncedToTheSender() throws Exception {
        startRunner(Duration.ofHours(1));
        String id = spool("alice@test.ex", "bob@test.ex", "nobody@nowhere.example");

        runner.submit(id);
        awaitLog(id + " Completed");
        awaitLog("<= <> R=" + id + " U=petrel P=local S=");
        String bounceLine = mainLog().stream().filter(l -> l.contains("<= <> R=" + id)).findFirst().orElseThrow();
        String bounceId = bounceLine.substring(0, 23);
        awaitLog(bounceId + " Completed");
        awaitIdle();

        assertThat(mainLog()).contains(
                id + " => bob <bob@test.ex> R=localuser T=local_delivery",
                id + " ** nobody@nowhere.example: Unrouteable address",
                bounceId + " => alice <alice@test.ex> R=localuser T=local_delivery");
        assertThat(MessageId.isValid(bounceId)).isTrue();
        String bounce = Files.readString(maildir("alice").getFirst());
        assertThat(bounce)
                .contains("Return-path: <>\n")
                .contains("X-Failed-Recipients: nobody@nowhere.example\n")
                .contains("Content-Type: multipart/report; report-type=delivery-status;")
                .contains("This message was created automatically by mail delivery software.")
                .contains("  nobody@nowhere.example\n    Unrouteable address\n")
                .contains("Final-Recipient: rfc822;nobody@nowhere.example\nAction: failed\nStatus: 5.0.0\n"
                        + "Diagnostic-Code: X-Petrel; Unrouteable address\n")
                .contains("Content-Type: text/rfc822-headers\n\nFrom: alice@test.ex\n"
                        + "Subject: queued\nMessage-Id: <m1@test.ex>\n")
                .doesNotContain("hello");
        assertThat(spool.messageIds()).isEmpty();
    }

    @Test
    void aFailedBounceIsFrozenNotBouncedAgainUntilThawed() throws Exception {
        startRunner(Duration.ofHours(1));
        String id = spool("", "nobody@nowhere.example");

        runner.submit(id);
        awaitLog(id + " Frozen (delivery error message)");
        awaitIdle();
        assertThat(mainLog()).containsExactly(id + " ** nobody@nowhere.example: Unrouteable address",
                id + " Frozen (delivery error message)");
        assertThat(spool.read(id).frozen()).isTrue();
        assertThat(new QueueListing(spool).render()).contains(id + " <> *** frozen ***\n          nobody@nowhere.example");

        runner.runQueue(); // a queue run leaves a frozen message alone
        awaitIdle();
        assertThat(mainLog()).hasSize(2);

        QueueAdmin admin = new QueueAdmin(spool, log);
        assertThat(admin.thaw(id, "root")).isEqualTo(QueueAdmin.Thaw.THAWED);
        assertThat(admin.thaw(id, "root")).isEqualTo(QueueAdmin.Thaw.NOT_FROZEN);
        assertThat(new QueueListing(spool).render()).doesNotContain("frozen");
        runner.runQueue();
        awaitIdle();
        assertThat(mainLog()).containsExactly(id + " ** nobody@nowhere.example: Unrouteable address",
                id + " Frozen (delivery error message)", id + " unfrozen by root",
                id + " ** nobody@nowhere.example: Unrouteable address", id + " Frozen (delivery error message)");
    }

    @Test
    void unsafeLocalPartsFailPermanently() throws Exception {
        startRunner(Duration.ofHours(1));
        String id = spool("", "../x@test.ex", ".hidden@test.ex");

        runner.submit(id);
        awaitLog(id + " Frozen (delivery error message)");

        assertThat(mainLog()).contains(
                id + " ** ../x@test.ex R=localuser T=local_delivery: local part \"../x\" is unsafe in a file name",
                id + " ** .hidden@test.ex R=localuser T=local_delivery: local part \".hidden\" is unsafe in a file name");
        assertThat(dir.resolve("x")).doesNotExist();
        assertThat(dir.resolve("mail")).doesNotExist();
    }

    @Test
    void remoteRecipientsAreDeferredHonestlyAndStayQueued() throws Exception {
        startRunner(Duration.ofHours(1));
        String id = spool("alice@test.ex", "bob@test.ex", "dave@remote.example");

        runner.submit(id);
        awaitLog(id + " == dave@remote.example");
        awaitIdle();

        assertThat(mainLog()).containsExactly(
                id + " => bob <bob@test.ex> R=localuser T=local_delivery",
                id + " H=127.0.0.1 [127.0.0.1] Connection refused",
                id + " == dave@remote.example R=smarthost T=remote_smtp defer (111): Connection refused");
        assertThat(spool.read(id).delivered()).containsExactly("bob@test.ex");
        assertThat(new QueueListing(spool).render()).contains(
                "        D bob@test.ex\n          dave@remote.example\n");

        // The next attempt does not deliver bob again.
        runner.submit(id);
        awaitIdle();
        assertThat(maildir("bob")).hasSize(1);
        assertThat(mainLog().stream().filter(l -> l.contains("=>"))).hasSize(1);
    }

    @Test
    void periodicQueueRunsRetryDeferredMessages() throws Exception {
        String id = spool("", "dave@remote.example");
        startRunner(Duration.ofMillis(100));

        Poll.until(Duration.ofSeconds(10), "three deferrals of " + id,
                () -> mainLog().stream().filter(l -> l.startsWith(id + " == ")).count() >= 3);
        assertThat(spool.contains(id)).isTrue();
    }

    @Test
    void aMessageWhoseRecipientsWereAllJournalledIsJustCompleted() throws Exception {
        String id = spool("", "bob@test.ex");
        spool.recordDelivered(id, "bob@test.ex"); // a crash between the journal write and the removal

        startRunner(Duration.ofHours(1));
        awaitLog(id + " Completed");

        assertThat(mainLog()).containsExactly(id + " Completed");
        assertThat(maildir("bob")).isEmpty();
    }

    @Test
    void theOperatorCanRemoveAMessage() throws Exception {
        String id = spool("alice@test.ex", "dave@remote.example");

        assertThat(new QueueAdmin(spool, log).removeMessage(id, "root")).isTrue();
        assertThat(new QueueAdmin(spool, log).removeMessage(id, "root")).isFalse();

        assertThat(mainLog()).containsExactly(id + " removed by root", id + " Completed");
        assertThat(spool.messageIds()).isEmpty();
    }
}
