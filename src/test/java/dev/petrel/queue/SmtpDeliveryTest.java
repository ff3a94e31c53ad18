package dev.petrel.queue;

import static dev.petrel.peers.FakeSmtpServer.CLOSE;
import static dev.petrel.peers.FakeSmtpServer.ENDLESS;
import static dev.petrel.peers.FakeSmtpServer.SILENCE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.petrel.config.Config;
import dev.petrel.peers.FakeSmtpServer;
import dev.petrel.spool.Envelope;
import dev.petrel.spool.MailOptions;
import dev.petrel.spool.RecipientOptions;
import dev.petrel.spool.Spool;
import dev.petrel.testkit.Ports;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The smtp transport through a whole delivery attempt (routing, grouping, transaction, log lines, journal,
 * bounce) against scripted servers on loopback, well-behaved and hostile.
 */
class SmtpDeliveryTest {
    private static final String DATA = "From: alice@test.ex\r\nSubject: relayed\r\nMessage-Id: <m1@test.ex>\r\n\r\nhello\r\n";

    @TempDir
    Path dir;
    private DeliveryHarness harness;
    private Spool spool;
    private final List<FakeSmtpServer> servers = new ArrayList<>();
    private String logSelector = "";

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
        for (FakeSmtpServer s : servers) {
            s.close();
        }
    }

    private FakeSmtpServer server(FakeSmtpServer s) {
        servers.add(s);
        return s;
    }

    /** A runner whose smarthost router sends remote.test to {@code hosts}, with extra transport options. */
    private void start(String hosts, String... transportOptions) throws Exception {
        Config config = Config.parse("""
                primary_hostname = petrel.test
                qualify_domain = test.ex
                log_selector = +pipelining %s
                begin routers
                smarthost:
                  driver = manualroute
                  domains = remote.test
                  transport = remote_smtp
                  route_list = * "%s"
                begin transports
                remote_smtp:
                  driver = smtp
                %s
                """.formatted(logSelector, hosts, String.join("\n", withShortTimeouts(transportOptions))), "test.conf");
        harness = new DeliveryHarness(dir, config);
        spool = harness.spool;
    }

    /** The options given, and 2s for each timeout they leave out, so that hostile cases end quickly. */
    private static List<String> withShortTimeouts(String... options) {
        List<String> out = new ArrayList<>(List.of(options));
        for (String timeout : List.of("command_timeout", "data_timeout", "connect_timeout")) {
            if (out.stream().noneMatch(o -> o.strip().startsWith(timeout))) {
                out.add("  " + timeout + " = 2s");
            }
        }
        return out;
    }

    private static String at(FakeSmtpServer s) {
        return "127.0.0.1::" + s.port();
    }

    private String deliver(String sender, String data, String... rcpts) throws Exception {
        return harness.deliver(sender, data, rcpts);
    }

    private List<String> mainLog() throws IOException {
        return harness.mainLog();
    }

    @Test
    void aGroupGoesInOnePipelinedTransaction() throws Exception {
        FakeSmtpServer mx = server(FakeSmtpServer.plain());
        start(at(mx));
        String id = deliver("alice@test.ex", DATA, "a@remote.test", "b@remote.test");

        assertThat(mainLog()).containsExactly(
                id + " => a@remote.test R=smarthost T=remote_smtp H=127.0.0.1 [127.0.0.1] L C=\"250 2.0.0 OK id=fake\"",
                id + " -> b@remote.test R=smarthost T=remote_smtp H=127.0.0.1 [127.0.0.1] L C=\"250 2.0.0 OK id=fake\"",
                id + " Completed");
        assertThat(mx.connections()).isEqualTo(1);
        assertThat(mx.commands()).containsExactly("EHLO petrel.test", "MAIL FROM:<alice@test.ex> SIZE=" + DATA.length(),
                "RCPT TO:<a@remote.test>", "RCPT TO:<b@remote.test>", "DATA", "QUIT");
        assertThat(mx.messages()).containsExactly(DATA);
        assertThat(spool.contains(id)).isFalse();
    }

    /** An envelope as a DSN-aware client leaves it: BODY, SMTPUTF8, RET, ENVID, and NOTIFY/ORCPT per recipient. */
    private static Envelope dsnEnvelope() {
        return new Envelope("alice@test.ex", List.of("a@remote.test", "b@remote.test"), Instant.now(), "c.test",
                "127.0.0.1", 1025, "esmtp", null,
                new MailOptions(MailOptions.Body.EIGHT_BIT_MIME, true, 55, MailOptions.Ret.HDRS, "env+2B1"),
                List.of(new RecipientOptions(Set.of(RecipientOptions.Notify.FAILURE, RecipientOptions.Notify.DELAY),
                        "rfc822;A+40remote.test"), RecipientOptions.NONE));
    }

    @Test
    void dsnParametersGoToAServerThatOffersDsn() throws Exception {
        FakeSmtpServer mx = server(new FakeSmtpServer("220 fake.test ESMTP", "PIPELINING", "8BITMIME", "SMTPUTF8",
                "DSN", "SIZE 1000000"));
        start(at(mx));
        harness.deliver(dsnEnvelope(), DATA);

        assertThat(mx.commands()).containsSubsequence(
                "MAIL FROM:<alice@test.ex> SIZE=" + DATA.length() + " BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=env+2B1",
                "RCPT TO:<a@remote.test> NOTIFY=FAILURE,DELAY ORCPT=rfc822;A+40remote.test",
                "RCPT TO:<b@remote.test> ORCPT=rfc822;b@remote.test");
    }

    @Test
    void withoutDsnOnlyWhatTheServerOffersIsPassedOn() throws Exception {
        FakeSmtpServer mx = server(FakeSmtpServer.plain());
        start(at(mx));
        harness.deliver(dsnEnvelope(), DATA);

        assertThat(mx.commands()).containsSubsequence("MAIL FROM:<alice@test.ex> SIZE=" + DATA.length() + " BODY=8BITMIME",
                "RCPT TO:<a@remote.test>", "RCPT TO:<b@remote.test>");
    }

    @Test
    void outgoingPortNamesThePortAndSmtpConfirmationCanBeTurnedOff() throws Exception {
        FakeSmtpServer mx = server(FakeSmtpServer.plain());
        logSelector = "+outgoing_port -smtp_confirmation";
        start(at(mx) + " : 127.0.0.1::" + Ports.free());
        String id = deliver("", DATA, "a@remote.test");

        assertThat(mainLog()).containsExactly(
                id + " => a@remote.test R=smarthost T=remote_smtp H=127.0.0.1 [127.0.0.1]:" + mx.port() + " L",
                id + " Completed");
    }

    /** Exim's +deliver_time: DT= after C=, milliseconds with +millisec; a delay the server adds shows in it. */
    @Test
    void deliverTimeLogsHowLongTheConnectionTookToSettleTheMessage() throws Exception {
        FakeSmtpServer mx = server(FakeSmtpServer.plain());
        logSelector = "+deliver_time +millisec";
        start(at(mx));
        String id = deliver("", DATA, "a@remote.test");
        assertThat(mainLog().getFirst()).matches(java.util.regex.Pattern.quote(id + " => a@remote.test R=smarthost "
                + "T=remote_smtp H=127.0.0.1 [127.0.0.1] L C=\"250 2.0.0 OK id=fake\" DT=") + "0\\.[0-9]{3}s");

        logSelector = "+deliver_time";
        harness.close();
        start(at(mx));
        String second = deliver("", DATA, "a@remote.test");
        assertThat(mainLog()).contains(second + " => a@remote.test R=smarthost T=remote_smtp H=127.0.0.1 [127.0.0.1] L "
                + "C=\"250 2.0.0 OK id=fake\" DT=0s");
    }

    @Test
    void chunkingSendsBdatLastAndLogsK() throws Exception {
        FakeSmtpServer mx = server(new FakeSmtpServer("220 fake.test", "PIPELINING", "CHUNKING", "8BITMIME"));
        start(at(mx), "  helo_data = relay.$primary_hostname");
        String body = "Subject: caf\u00e9\r\n\r\nna\u00efve\r\n";
        String id = deliver("alice@test.ex", body, "a@remote.test");

        assertThat(mainLog()).containsExactly(
                id + " => a@remote.test R=smarthost T=remote_smtp H=127.0.0.1 [127.0.0.1] L K C=\"250 2.0.0 OK id=fake\"",
                id + " Completed");
        int octets = body.getBytes(StandardCharsets.UTF_8).length;
        assertThat(mx.commands()).containsExactly("EHLO relay.petrel.test", "MAIL FROM:<alice@test.ex> BODY=8BITMIME",
                "RCPT TO:<a@remote.test>", "BDAT " + octets + " LAST", "QUIT");
    }

    @Test
    void withoutPipeliningEachCommandWaitsForItsReplyAndHeloFollowsAnEhloRefusal() throws Exception {
        FakeSmtpServer mx = server(FakeSmtpServer.plain().on("EHLO", "502 no EHLO here"));
        start(at(mx), "  hosts_avoid_pipelining = 127.0.0.1");
        String id = deliver("", DATA, "a@remote.test");

        assertThat(mainLog()).containsExactly(
                id + " => a@remote.test R=smarthost T=remote_smtp H=127.0.0.1 [127.0.0.1] C=\"250 2.0.0 OK id=fake\"",
                id + " Completed");
        assertThat(mx.commands()).containsExactly("EHLO petrel.test", "HELO petrel.test", "MAIL FROM:<>",
                "RCPT TO:<a@remote.test>", "DATA", "QUIT");
    }

    @Test
    void a451RcptDefersThatAddressAndTheMessageStaysQueued() throws Exception {
        FakeSmtpServer mx = server(FakeSmtpServer.plain().on("RCPT TO:<b@", "451 4.7.1 try later"));
        start(at(mx));
        String id = deliver("alice@test.ex", DATA, "a@remote.test", "b@remote.test");

        assertThat(mainLog()).containsExactly(
                id + " => a@remote.test R=smarthost T=remote_smtp H=127.0.0.1 [127.0.0.1] L C=\"250 2.0.0 OK id=fake\"",
                id + " == b@remote.test R=smarthost T=remote_smtp defer (-44) H=127.0.0.1 [127.0.0.1]: "
                        + "SMTP error from remote mail server after pipelined RCPT TO:<b@remote.test>: 451 4.7.1 try later");
        assertThat(spool.read(id).delivered()).containsExactly("a@remote.test");
    }

    @Test
    void a550RcptFailsThatAddressAndBouncesToTheSender() throws Exception {
        FakeSmtpServer mx = server(FakeSmtpServer.plain().on("RCPT TO:<b@", "550 5.1.1 no such user"));
        start(at(mx));
        String id = deliver("alice@test.ex", DATA, "a@remote.test", "b@remote.test");

        List<String> lines = mainLog();
        assertThat(lines).contains(
                id + " ** b@remote.test R=smarthost T=remote_smtp H=127.0.0.1 [127.0.0.1]: "
                        + "SMTP error from remote mail server after pipelined RCPT TO:<b@remote.test>: 550 5.1.1 no such user",
                id + " Completed");
        assertThat(lines).anyMatch(l -> l.endsWith(" <= <> R=" + id + " U=petrel P=local S="
                + l.substring(l.lastIndexOf("S=") + 2)));
        assertThat(spool.contains(id)).isFalse();
    }

    @Test
    void theNextHostIsTriedWhenOneRefusesOrSays421() throws Exception {
        FakeSmtpServer busy = server(new FakeSmtpServer("421 fake.test too busy"));
        FakeSmtpServer mx = server(FakeSmtpServer.plain());
        int refused = Ports.free(); // free again: nothing listens
        start("127.0.0.1::" + refused + " : " + at(busy) + " : " + at(mx), "  hosts_avoid_pipelining = *");
        String id = deliver("alice@test.ex", DATA, "a@remote.test");

        assertThat(mainLog()).containsExactly(
                id + " H=127.0.0.1 [127.0.0.1] Connection refused",
                id + " H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after initial connection: "
                        + "421 fake.test too busy",
                id + " => a@remote.test R=smarthost T=remote_smtp H=127.0.0.1 [127.0.0.1] C=\"250 2.0.0 OK id=fake\"",
                id + " Completed");
    }

    @Test
    void aMessageOverTheServersSizeFailsWithAClearReason() throws Exception {
        FakeSmtpServer mx = server(new FakeSmtpServer("220 fake.test", "SIZE 20"));
        start(at(mx));
        String id = deliver("", DATA, "a@remote.test");

        assertThat(mainLog()).containsExactly(
                id + " ** a@remote.test R=smarthost T=remote_smtp H=127.0.0.1 [127.0.0.1]: message is too big for the "
                        + "remote server (" + DATA.length() + " octets; its SIZE limit is 20)",
                id + " Frozen (delivery error message)");
        assertThat(mx.commands()).doesNotContain("DATA").noneMatch(c -> c.startsWith("MAIL"));
    }

    @Test
    void aMessageNeedingSmtputf8FailsAtAServerWithoutIt() throws Exception {
        FakeSmtpServer mx = server(FakeSmtpServer.plain());
        start(at(mx));
        String id = deliver("", DATA, "j\u00fcrgen@remote.test");

        assertThat(mainLog()).containsExactly(
                id + " ** j\u00fcrgen@remote.test R=smarthost T=remote_smtp H=127.0.0.1 [127.0.0.1]: message needs "
                        + "SMTPUTF8 (an address is not ASCII), but the server does not offer it",
                id + " Frozen (delivery error message)");
    }

    @Test
    void a5xxToMailFailsEveryRecipientAndA4xxTriesTheNextHost() throws Exception {
        FakeSmtpServer later = server(FakeSmtpServer.plain().on("MAIL", "452 4.3.1 out of space"));
        FakeSmtpServer refusing = server(FakeSmtpServer.plain().on("MAIL", "550 5.7.1 sender refused"));
        start(at(later) + " : " + at(refusing));
        String id = deliver("alice@test.ex", DATA, "a@remote.test", "b@remote.test");

        String mail = "MAIL FROM:<alice@test.ex> SIZE=" + DATA.length();
        String refused = "H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after pipelined " + mail
                + ": 550 5.7.1 sender refused";
        assertThat(mainLog()).contains(
                id + " H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after pipelined " + mail
                        + ": 452 4.3.1 out of space",
                id + " ** a@remote.test R=smarthost T=remote_smtp " + refused,
                id + " ** b@remote.test R=smarthost T=remote_smtp " + refused,
                id + " Completed");
        assertThat(later.commands()).contains("QUIT");
    }

    @Test
    void aRefusedStarttlsCarriesOnInCleartextUnlessTlsIsRequired() throws Exception {
        FakeSmtpServer mx = server(new FakeSmtpServer("220 fake.test", "STARTTLS", "PIPELINING"));
        start(at(mx));
        String id = deliver("", DATA, "a@remote.test");

        assertThat(mainLog()).containsExactly(
                id + " => a@remote.test R=smarthost T=remote_smtp H=127.0.0.1 [127.0.0.1] L C=\"250 2.0.0 OK id=fake\"",
                id + " Completed");
        assertThat(mx.commands()).startsWith("EHLO petrel.test", "STARTTLS", "MAIL FROM:<>");
    }

    @Test
    void aTlsSessionThatFailsIsRetriedInCleartext() throws Exception {
        FakeSmtpServer mx = server(new FakeSmtpServer("220 fake.test", "STARTTLS", "PIPELINING")
                .on("STARTTLS", "220 go ahead").on("\u0016", "this is not TLS").firstOnly());
        start(at(mx));
        String id = deliver("", DATA, "a@remote.test");

        List<String> lines = mainLog();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith(id + " H=127.0.0.1 [127.0.0.1]: ").contains("TLS");
        assertThat(lines.get(1)).isEqualTo(
                id + " => a@remote.test R=smarthost T=remote_smtp H=127.0.0.1 [127.0.0.1] L C=\"250 2.0.0 OK id=fake\"");
        assertThat(mx.connections()).isEqualTo(2);
        assertThat(mx.commands().stream().filter(c -> c.equals("STARTTLS"))).hasSize(1);
    }

    @Test
    void dataTimeoutBoundsTheWaitAfterTheMessageAndCommandTimeoutTheOthers() throws Exception {
        FakeSmtpServer mx = server(FakeSmtpServer.plain().on(".", SILENCE));
        start(at(mx), "  command_timeout = 30s", "  data_timeout = 1s");
        long started = System.nanoTime();
        String id = deliver("", DATA, "a@remote.test");

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
        assertThat(mainLog()).containsExactly(
                id + " H=127.0.0.1 [127.0.0.1]: timed out waiting for a reply",
                id + " == a@remote.test R=smarthost T=remote_smtp defer (110) H=127.0.0.1 [127.0.0.1]: "
                        + "timed out waiting for a reply");
    }

    @Test
    void hostsRequireTlsDefersAtAServerWithoutStarttls() throws Exception {
        FakeSmtpServer mx = server(FakeSmtpServer.plain());
        start(at(mx), "  hosts_require_tls = 127.0.0.1");
        String id = deliver("", DATA, "a@remote.test");

        String reason = "a TLS session is required, but the server did not offer TLS support";
        assertThat(mainLog()).containsExactly(
                id + " H=127.0.0.1 [127.0.0.1]: " + reason,
                id + " == a@remote.test R=smarthost T=remote_smtp defer (-38) H=127.0.0.1 [127.0.0.1]: " + reason);
        assertThat(mx.commands()).noneMatch(c -> c.startsWith("MAIL"));
    }

    /** Each hostile answer ends in a clean defer of the host, logged, with the message kept. */
    @ParameterizedTest(name = "{0} to {1}")
    @CsvSource(delimiter = '|', value = {
            "no code            | EHLO | hello there                     | reply without a 3-digit code",
            "mixed codes        | EHLO | 250-fake.test\\r\\n251 mixed      | reply code 251 inside a 250 reply",
            "600-octet line     | MAIL | 250 xxxx                          | reply line longer than 512 octets",
            "endless reply      | EHLO | ENDLESS                           | reply longer than 100 lines",
            "close in the middle| RCPT | CLOSE                             | connection closed after 250 OK",
            "421 at RCPT        | RCPT | 421 4.3.2 shutting down           | after pipelined RCPT TO:<a@remote.test>: 421 4.3.2 shutting down",
            "421 after data     | .    | 421 4.3.2 shutting down           | after end of data: 421 4.3.2 shutting down",
            "silence            | MAIL | SILENCE                           | timed out",
    })
    void aHostileServerEndsInACleanDefer(String what, String command, String answer, String expected) throws Exception {
        String text = switch (answer) {
            case "CLOSE" -> CLOSE;
            case "SILENCE" -> SILENCE;
            case "ENDLESS" -> ENDLESS;
            case "250 xxxx" -> "250 " + "x".repeat(600);
            default -> answer.replace("\\r\\n", "\r\n");
        };
        FakeSmtpServer mx = server(FakeSmtpServer.plain().on(command, text));
        start(at(mx));
        long started = System.nanoTime();
        String id = deliver("alice@test.ex", DATA, "a@remote.test");

        List<String> lines = mainLog();
        assertThat(lines).as(what).hasSize(2);
        assertThat(lines.get(0)).as(what).startsWith(id + " H=127.0.0.1 [127.0.0.1]: ");
        assertThat(lines.get(1)).as(what).startsWith(id + " == a@remote.test R=smarthost T=remote_smtp defer (");
        if (expected != null) {
            assertThat(lines.get(0)).as(what).contains(expected);
        }
        assertThat(lines).as(what).noneMatch(l -> l.contains("Exception") || l.contains("internal error"));
        assertThat(spool.read(id).delivered()).as(what).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as(what).isLessThan(Duration.ofSeconds(15));
    }
}
