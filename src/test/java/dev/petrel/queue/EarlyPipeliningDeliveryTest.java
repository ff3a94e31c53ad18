package dev.petrel.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.petrel.hints.Hint;
import dev.petrel.hints.HintsDb;
import dev.petrel.peers.FakeSmtpServer;
import dev.petrel.peers.ProcessResult;
import dev.petrel.spool.Spool;
import dev.petrel.testkit.PetrelCommand;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client side of early pipelining against a scripted server that waits before its banner, so that a
 * client talking first is seen doing so: the EHLO record in the {@code misc} hints database, when it is used,
 * and every rule for a server that no longer matches it. See docs/behaviour.md, "Early pipelining
 * (PIPECONNECT)".
 */
class EarlyPipeliningDeliveryTest {
    private static final String DATA = "From: alice@test.ex\r\nSubject: early\r\n\r\nhello\r\n";
    private static final String[] OFFER = {"PIPELINING", "PIPECONNECT", "8BITMIME"};

    @TempDir
    Path dir;
    private DeliveryHarness harness;
    private Spool spool;
    private FakeSmtpServer mx;

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
        if (mx != null) {
            mx.close();
        }
    }

    private void start(String main, String... transportOptions) throws Exception {
        List<String> options = new ArrayList<>(List.of(transportOptions));
        if (options.stream().noneMatch(o -> o.contains("hosts_pipe_connect"))) {
            options.add("  hosts_pipe_connect = *");
        }
        harness = new DeliveryHarness(dir, DeliveryHarness.smarthost(dir, mx.port(), main, options.toArray(String[]::new)));
        spool = harness.spool;
    }

    private FakeSmtpServer server(String... extensions) throws IOException {
        mx = new FakeSmtpServer("220 fake.test ESMTP", extensions).greetingDelay(300);
        return mx;
    }

    private String deliver(String... rcpts) throws Exception {
        return harness.deliver("alice@test.ex", DATA, rcpts);
    }

    private String key() {
        return "127.0.0.1:" + mx.port() + ".EHLO";
    }

    private Optional<Hint> record() throws IOException {
        try (HintsDb db = HintsDb.open(dir.resolve("spool"), "misc")) {
            return db.get(key());
        }
    }

    /** The log line for recipient {@code rcpt} of message {@code id}. */
    private String line(String id, String rcpt) throws IOException {
        return harness.mainLog().stream().filter(l -> l.startsWith(id + " ") && l.contains(" " + rcpt + " "))
                .findFirst().orElse("(none for " + rcpt + " in " + harness.mainLog() + ")");
    }

    @Test
    void theSecondConnectionSendsEverythingBeforeTheBanner() throws Exception {
        server(OFFER);
        start("");
        String first = deliver("a@remote.test");
        assertThat(record()).map(Hint::valueText).contains("clear: PIPELINING, PIPECONNECT, 8BITMIME; tls: none");
        String second = deliver("b@remote.test");

        assertThat(line(first, "a@remote.test")).isEqualTo(first + " => a@remote.test R=smarthost T=remote_smtp "
                + "H=127.0.0.1 [127.0.0.1] L C=\"250 2.0.0 OK id=fake\"");
        assertThat(line(second, "b@remote.test")).isEqualTo(second + " => b@remote.test R=smarthost T=remote_smtp "
                + "H=127.0.0.1 [127.0.0.1] L* C=\"250 2.0.0 OK id=fake\"");
        assertThat(mx.talkedFirst()).containsExactly(false, true);
        assertThat(mx.commands()).containsExactly(
                "EHLO petrel.test", "MAIL FROM:<alice@test.ex>", "RCPT TO:<a@remote.test>", "DATA", "QUIT",
                "EHLO petrel.test", "MAIL FROM:<alice@test.ex>", "RCPT TO:<b@remote.test>", "DATA", "QUIT");
        assertThat(mx.messages()).containsExactly(DATA, DATA);
    }

    @Test
    void withChunkingTheMessageItselfGoesBeforeTheBanner() throws Exception {
        server("PIPELINING", "PIPECONNECT", "CHUNKING", "SIZE 1000000");
        start("");
        deliver("a@remote.test");
        String second = deliver("b@remote.test", "c@remote.test");

        assertThat(line(second, "b@remote.test")).endsWith(" L* K C=\"250 2.0.0 OK id=fake\"");
        assertThat(line(second, "c@remote.test")).contains(" -> c@remote.test ").endsWith(" L* K C=\"250 2.0.0 OK id=fake\"");
        assertThat(mx.talkedFirst()).containsExactly(false, true);
        assertThat(mx.commands().subList(5, 11)).containsExactly("EHLO petrel.test",
                "MAIL FROM:<alice@test.ex> SIZE=" + DATA.length(), "RCPT TO:<b@remote.test>", "RCPT TO:<c@remote.test>",
                "BDAT " + DATA.length() + " LAST", "QUIT");
        assertThat(mx.messages()).containsExactly(DATA, DATA);
    }

    @Test
    void withoutHostsPipeConnectNothingIsRecordedOrSentEarly() throws Exception {
        server(OFFER);
        start("", "  hosts_pipe_connect = 192.0.2.1");
        deliver("a@remote.test");
        String second = deliver("b@remote.test");
        assertThat(record()).isEmpty();
        assertThat(line(second, "b@remote.test")).contains(" L C=");
        assertThat(mx.talkedFirst()).containsExactly(false, false);
    }

    @Test
    void aServerThatStartsAdvertisingSizeHasItsRecordRewritten() throws Exception {
        server(OFFER);
        start("");
        deliver("a@remote.test");
        mx.extensions("PIPELINING", "PIPECONNECT", "8BITMIME", "SIZE 5000");
        String second = deliver("b@remote.test");
        assertThat(record()).map(Hint::valueText).contains("clear: PIPELINING, PIPECONNECT, 8BITMIME, SIZE 5000; tls: none");
        String third = deliver("c@remote.test");

        assertThat(line(second, "b@remote.test")).contains(" L* C=");
        assertThat(line(third, "c@remote.test")).contains(" L* C=");
        assertThat(mx.talkedFirst()).containsExactly(false, true, true);
        // The second group was built from the old record (no SIZE); the third from the new one.
        assertThat(mx.commands()).contains("MAIL FROM:<alice@test.ex> SIZE=" + DATA.length());
        assertThat(mx.commands().stream().filter(c -> c.startsWith("MAIL")).toList()).containsExactly(
                "MAIL FROM:<alice@test.ex>", "MAIL FROM:<alice@test.ex>", "MAIL FROM:<alice@test.ex> SIZE=" + DATA.length());
    }

    @Test
    void aServerThatStopsAdvertisingPipeconnectLosesItsRecord() throws Exception {
        server(OFFER);
        start("");
        deliver("a@remote.test");
        mx.extensions("PIPELINING", "8BITMIME");
        String second = deliver("b@remote.test");
        assertThat(record()).isEmpty();
        String third = deliver("c@remote.test");

        // The commands already sent carried on; the next connection waits for the banner again.
        assertThat(line(second, "b@remote.test")).contains(" L* C=\"250 2.0.0 OK id=fake\"");
        assertThat(line(third, "c@remote.test")).contains(" L C=\"250 2.0.0 OK id=fake\"");
        assertThat(mx.talkedFirst()).containsExactly(false, true, false);
        assertThat(spool.contains(second)).isFalse();
    }

    @Test
    void aRefusedBannerDefersWithTheServersTextAndDeletesTheRecord() throws Exception {
        server(OFFER);
        start("");
        deliver("a@remote.test");
        mx.on("greeting", "450 4.3.2 not now");
        String second = deliver("b@remote.test");

        assertThat(harness.mainLog()).contains(
                second + " H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after pipelined DATA: 450 4.3.2 not now",
                second + " == b@remote.test R=smarthost T=remote_smtp defer (-46) H=127.0.0.1 [127.0.0.1]: "
                        + "SMTP error from remote mail server after pipelined DATA: 450 4.3.2 not now");
        assertThat(record()).isEmpty();
        assertThat(spool.contains(second)).isTrue();
        assertThat(mx.talkedFirst()).containsExactly(false, true);
    }

    @Test
    void aBannerRefusedWith5xxBouncesAndDeletesTheRecord() throws Exception {
        server(OFFER);
        start("");
        deliver("a@remote.test");
        mx.on("greeting", "554 5.7.1 go away");
        String second = deliver("b@remote.test");

        assertThat(line(second, "b@remote.test")).isEqualTo(second + " ** b@remote.test R=smarthost T=remote_smtp "
                + "H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after pipelined DATA: 554 5.7.1 go away");
        assertThat(record()).isEmpty();
    }

    @Test
    void aRefusedEhloDefersAndDeletesTheRecord() throws Exception {
        server(OFFER);
        start("");
        deliver("a@remote.test");
        mx.on("EHLO", "421 4.3.2 shutting down");
        String second = deliver("b@remote.test");

        assertThat(line(second, "b@remote.test")).isEqualTo(second + " == b@remote.test R=smarthost T=remote_smtp "
                + "defer (-46) H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after pipelined DATA: "
                + "421 4.3.2 shutting down");
        assertThat(record()).isEmpty();
    }

    @Test
    void aRefusedRecipientBouncesAndTheRecordStays() throws Exception {
        server(OFFER);
        start("");
        deliver("a@remote.test");
        Hint before = record().orElseThrow();
        mx.on("RCPT TO:<nobody@", "550 5.1.1 no such user");
        String second = deliver("b@remote.test", "nobody@remote.test");

        assertThat(line(second, "b@remote.test")).contains(" L* C=\"250 2.0.0 OK id=fake\"");
        assertThat(line(second, "nobody@remote.test")).isEqualTo(second + " ** nobody@remote.test R=smarthost "
                + "T=remote_smtp H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after pipelined "
                + "RCPT TO:<nobody@remote.test>: 550 5.1.1 no such user");
        assertThat(record()).contains(before);
        // (A third connection, early too, carries the bounce to alice@test.ex: the router sends everything here.)
        assertThat(mx.talkedFirst()).startsWith(false, true);
    }

    @Test
    void aRecordOlderThanRetryDataExpireIsNotUsedAndIsReplaced() throws Exception {
        server(OFFER);
        start("retry_data_expire = 1h");
        Instant old = Instant.now().minus(Duration.ofHours(2));
        try (HintsDb db = HintsDb.open(dir.resolve("spool"), "misc")) {
            db.put(key(), old, "clear: PIPELINING, PIPECONNECT; tls: none".getBytes(StandardCharsets.UTF_8));
        }
        String id = deliver("a@remote.test");

        assertThat(line(id, "a@remote.test")).contains(" L C=");
        assertThat(mx.talkedFirst()).containsExactly(false);
        Hint now = record().orElseThrow();
        assertThat(now.stamp()).isAfter(old.plus(Duration.ofHours(1)));
        assertThat(now.valueText()).isEqualTo("clear: PIPELINING, PIPECONNECT, 8BITMIME; tls: none");
    }

    @Test
    void heloDataNamingTheSendingAddressDisablesEarlyPipelining() throws Exception {
        server(OFFER);
        start("", "  helo_data = [$sending_ip_address]");
        deliver("a@remote.test");
        String second = deliver("b@remote.test");

        assertThat(line(second, "b@remote.test")).contains(" L C=");
        assertThat(mx.talkedFirst()).containsExactly(false, false);
        assertThat(mx.commands()).startsWith("EHLO [127.0.0.1]");
        assertThat(record()).isEmpty();
    }

    /**
     * On a STARTTLS path only {@code EHLO,STARTTLS} went early: a refused banner costs nothing of the message,
     * so the host is connected to again at once, waiting for the banner (refused again here, so deferred).
     */
    @Test
    void aRefusedBannerOnTheStartTlsPathReconnectsAtOnceWithoutEarlyPipelining() throws Exception {
        server("PIPELINING", "PIPECONNECT", "STARTTLS");
        start("");
        deliver("a@remote.test");
        assertThat(record()).map(Hint::valueText).contains("clear: PIPELINING, PIPECONNECT, STARTTLS; tls: none");
        mx.on("greeting", "421 4.3.2 busy");
        String second = deliver("b@remote.test");

        assertThat(mx.talkedFirst()).containsExactly(false, true, false);
        assertThat(mx.commands().get(6)).isEqualTo("EHLO petrel.test");
        assertThat(harness.mainLog()).containsSubsequence(
                second + " H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after initial connection: "
                        + "421 4.3.2 busy",
                second + " == b@remote.test R=smarthost T=remote_smtp defer (-45) H=127.0.0.1 [127.0.0.1]: "
                        + "SMTP error from remote mail server after initial connection: 421 4.3.2 busy");
        assertThat(harness.mainLog().stream().filter(l -> l.startsWith(second + " H=127.0.0.1 [127.0.0.1]: SMTP error"))).hasSize(1);
        assertThat(record()).isEmpty();
    }

    /** STARTTLS refused to an early {@code EHLO,STARTTLS}: the transaction goes on in cleartext, as it would. */
    @Test
    void aRefusedEarlyStartTlsCarriesOnInCleartext() throws Exception {
        server("PIPELINING", "PIPECONNECT", "STARTTLS");
        start("");
        deliver("a@remote.test");
        String second = deliver("b@remote.test");

        assertThat(line(second, "b@remote.test")).contains(" L* C=\"250 2.0.0 OK id=fake\"");
        assertThat(mx.talkedFirst()).containsExactly(false, true);
        assertThat(mx.commands().subList(6, 12)).containsExactly("EHLO petrel.test", "STARTTLS",
                "MAIL FROM:<alice@test.ex>", "RCPT TO:<b@remote.test>", "DATA", "QUIT");
    }

    /** What an operator sees of the record, and {@code tidydb} removing it once old. */
    @Test
    void dumpdbShowsTheRecordAndTidydbRemovesItWhenOld() throws Exception {
        server(OFFER);
        start("");
        deliver("a@remote.test");
        Path conf = dir.resolve("petrel.conf");
        Files.writeString(conf, "spool_directory = %1$s/spool\nlog_file_path = %1$s/log/%%slog\n".formatted(dir));
        Hint hint = record().orElseThrow();

        ProcessResult dump = PetrelCommand.run("dumpdb", "-C", conf.toString(), "misc");
        assertThat(dump.stdoutLines()).as(dump.toString()).containsExactly(key() + " " + hint.stamp().getEpochSecond()
                + " clear: PIPELINING, PIPECONNECT, 8BITMIME; tls: none");
        try (HintsDb db = HintsDb.open(dir.resolve("spool"), "misc")) {
            db.put(key(), Instant.now().minus(Duration.ofDays(31)), hint.value());
        }
        ProcessResult tidy = PetrelCommand.run("tidydb", "-C", conf.toString(), "misc");
        assertThat(tidy.exitCode()).as(tidy.toString()).isZero();
        assertThat(record()).isEmpty();
    }
}
