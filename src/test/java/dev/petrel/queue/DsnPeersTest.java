package dev.petrel.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.petrel.config.Config;
import dev.petrel.peers.EximServer;
import dev.petrel.peers.Peers;
import dev.petrel.spool.Envelope;
import dev.petrel.spool.MailOptions;
import dev.petrel.spool.RecipientOptions;
import dev.petrel.testkit.Ports;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Delivery status notifications with a real Exim 4.96 on the other side of the smtp transport. */
class DsnPeersTest {
    private static final String DATA = "From: alice@test.ex\r\nSubject: relayed\r\nMessage-Id: <m1@test.ex>\r\n\r\nhello\r\n";

    @TempDir
    Path dir;
    private DeliveryHarness harness;

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private void start(int port, String... mainOptions) throws Exception {
        String text = """
                primary_hostname = petrel.test
                qualify_domain = test.ex
                spool_directory = %4$s/spool
                log_file_path = %4$s/log/%%slog
                %1$s
                domainlist local_domains = test.ex
                begin routers
                smarthost:
                  driver = manualroute
                  domains = relay.test
                  transport = remote_smtp
                  route_list = * 127.0.0.1::%2$d
                local:
                  driver = accept
                  domains = +local_domains
                  transport = local_delivery
                begin transports
                remote_smtp:
                  driver = smtp
                  command_timeout = 10s
                local_delivery:
                  driver = appendfile
                  directory = %3$s/mail/$local_part
                  maildir_format
                  return_path_add
                """.formatted(String.join("\n", mainOptions), port, dir, dir);
        Files.writeString(dir.resolve("petrel.conf"), text);
        harness = new DeliveryHarness(dir, Config.parse(text, "petrel.conf"));
    }

    private static Envelope envelope(MailOptions mail, List<String> rcpts, List<RecipientOptions> options) {
        return new Envelope("alice@test.ex", rcpts, Instant.now(), "c.test", "127.0.0.1", 1025, "esmtp", null,
                mail, options);
    }

    @Test
    void eximTakesTheDsnParametersPetrelPassesOn() throws Exception {
        int port = Ports.free();
        try (EximServer exim = Peers.eximServer(dir.resolve("exim"), port).mainOption("dsn_advertise_hosts = *")
                .delivery(EximServer.Delivery.QUEUE_ONLY).start()) {
            start(port);
            String id = harness.deliver(envelope(new MailOptions(null, false, -1, MailOptions.Ret.HDRS, "env+2B42"),
                    List.of("a@relay.test", "b@relay.test"),
                    List.of(new RecipientOptions(Set.of(RecipientOptions.Notify.SUCCESS, RecipientOptions.Notify.FAILURE),
                            "rfc822;A+40relay.test"), RecipientOptions.NONE)), DATA);

            assertThat(harness.mainLog()).contains(id + " Completed");
            String header = eximHeaderFile(exim);
            // Exim keeps RET (2: HDRS), ENVID, and a's ORCPT (21 octets) with NOTIFY=SUCCESS,FAILURE (flags 12:
            // success 4, failure 8). b's ORCPT, Petrel's default rfc822;b@relay.test, Exim does not keep.
            assertThat(header).contains("-dsn_ret 2").contains("-dsn_envid env+2B42")
                    .contains("\na@relay.test rfc822;A+40relay.test 21,12 ").contains("\nb@relay.test\n");
        }
    }

    /** Exim answering 550 5.1.1 to RCPT for nobody@relay.test, 451 for slow@, accepting the rest. */
    private static EximServer exim(Path dir, int port) {
        return Peers.eximServer(dir.resolve("exim"), port)
                .rcptAclLine("deny local_parts = nobody : bob\n    message = 5.1.1 no such user")
                .rcptAclLine("defer local_parts = slow\n    message = 4.7.1 try again later");
    }

    @Test
    void a550FromEximComesBackAsAnRfc3464Report() throws Exception {
        int port = Ports.free();
        try (EximServer exim = exim(dir, port).start()) {
            start(port);
            String id = harness.deliver("alice@test.ex", DATA, "ok@relay.test", "nobody@relay.test");
            String dsnId = awaitDsn(id);

            Path file = awaitMail("alice", 1).getFirst();
            System.out.println("DSN as received:\n" + Files.readString(file));
            Parsed dsn = parse(file);
            assertThat(dsn.get("content_type")).isEqualTo("multipart/report");
            assertThat(dsn.get("report_type")).isEqualTo("delivery-status");
            assertThat(dsn.get("parts")).isEqualTo("text/plain,message/delivery-status,text/rfc822-headers");
            assertThat(dsn.get("from")).isEqualTo("Mail Delivery System <Mailer-Daemon@test.ex>");
            assertThat(dsn.get("return_path")).isEqualTo("<>");
            assertThat(dsn.get("reporting_mta")).isEqualTo("dns; petrel.test");
            assertThat(dsn.get("arrival_date")).isNotEmpty();
            assertThat(dsn.get("final_recipient")).isEqualTo("rfc822;nobody@relay.test");
            assertThat(dsn.get("action")).isEqualTo("failed");
            assertThat(dsn.get("status")).isEqualTo("5.1.1");
            assertThat(dsn.get("remote_mta")).isEqualTo("dns; 127.0.0.1");
            assertThat(dsn.get("diagnostic_code")).isEqualTo("smtp; 550 5.1.1 no such user");
            assertThat(dsn.get("text")).contains("  nobody@relay.test\n    host 127.0.0.1 [127.0.0.1]\n"
                    + "    SMTP error from remote mail server after pipelined RCPT TO:<nobody@relay.test>: "
                    + "550 5.1.1 no such user");
            assertThat(dsn.get("returned")).contains("Subject: relayed").contains("Message-Id: <m1@test.ex>")
                    .doesNotContain("hello");
            assertThat(harness.mainLog()).contains(dsnId + " => alice <alice@test.ex> R=local T=local_delivery");
        }
    }

    @Test
    void retFullReturnsTheWholeMessageAndEnvidAndOrcptAreReported() throws Exception {
        int port = Ports.free();
        try (EximServer exim = exim(dir, port).start()) {
            start(port);
            String id = harness.deliver(envelope(new MailOptions(null, false, -1, MailOptions.Ret.FULL, "E+2B1"),
                    List.of("nobody@relay.test"), List.of(new RecipientOptions(Set.of(), "rfc822;Nobody+40relay.test"))),
                    DATA);
            awaitDsn(id);

            Parsed dsn = parse(awaitMail("alice", 1).getFirst());
            assertThat(dsn.get("parts")).isEqualTo("text/plain,message/delivery-status,message/rfc822");
            assertThat(dsn.get("returned")).contains("Subject: relayed").contains("hello");
            assertThat(dsn.get("original_envelope_id")).isEqualTo("E+1");
            assertThat(dsn.get("original_recipient")).isEqualTo("rfc822;Nobody@relay.test");
        }
    }

    @Test
    void notifyNeverOrWithoutFailureSendsNoReport() throws Exception {
        int port = Ports.free();
        try (EximServer exim = exim(dir, port).start()) {
            start(port);
            String id = harness.deliver(envelope(MailOptions.NONE, List.of("nobody@relay.test", "bob@relay.test"),
                    List.of(new RecipientOptions(Set.of(RecipientOptions.Notify.NEVER), null),
                            new RecipientOptions(Set.of(RecipientOptions.Notify.DELAY), null))), DATA);

            assertThat(harness.mainLog()).contains(id + " Completed").noneMatch(l -> l.contains("<= <>"));
            assertThat(harness.mainLog()).filteredOn(l -> l.contains(" ** ")).hasSize(2);
        }
    }

    @Test
    void aReportThatCannotBeDeliveredIsFrozenAndListedAsSuch() throws Exception {
        int port = Ports.free();
        try (EximServer exim = exim(dir, port).start()) {
            start(port);
            // bob@relay.test is refused too, so the report to him fails in its turn.
            String id = harness.submit("bob@relay.test", DATA, "nobody@relay.test");
            String dsnId = awaitDsn(id);
            dev.petrel.testkit.LogLines.await(harness.mainLogFile(), dsnId + " Frozen (delivery error message)",
                    Duration.ofSeconds(20));
            harness.awaitIdle();

            assertThat(harness.mainLog()).contains(id + " Completed",
                    dsnId + " ** bob@relay.test R=smarthost T=remote_smtp H=127.0.0.1 [127.0.0.1]: SMTP error from "
                            + "remote mail server after pipelined RCPT TO:<bob@relay.test>: 550 5.1.1 no such user")
                    .noneMatch(l -> l.contains("<= <> R=" + dsnId));
            String conf = dir.resolve("petrel.conf").toString();
            var list = dev.petrel.testkit.PetrelCommand.run("queue", "list", "-C", conf);
            assertThat(list.stdout()).contains(dsnId + " <> *** frozen ***\n          bob@relay.test");
            var thaw = dev.petrel.testkit.PetrelCommand.run("queue", "thaw", "-C", conf, dsnId);
            assertThat(thaw.stdout()).contains("Message " + dsnId + " is no longer frozen");
            assertThat(dev.petrel.testkit.PetrelCommand.run("queue", "list", "-C", conf).stdout()).doesNotContain("frozen");
        }
    }

    @Test
    void delayWarningSendsADelayedReportOncePerInterval() throws Exception {
        int port = Ports.free();
        try (EximServer exim = exim(dir, port).start()) {
            start(port, "delay_warning = 3s");
            Envelope e = envelope(MailOptions.NONE, List.of("slow@relay.test"), List.of());
            String id = harness.deliver(e, DATA);
            Instant arrival = Instant.ofEpochSecond(e.receivedAt().getEpochSecond()); // the spool keeps seconds
            assertThat(harness.mainLog()).anyMatch(l -> l.startsWith(id + " == slow@relay.test"))
                    .noneMatch(l -> l.contains("<= <>"));

            runQueueAt(arrival.plusSeconds(4)); // past the first 3s: one warning
            runQueueAt(arrival.plusSeconds(5)); // within the same interval: none
            assertThat(awaitMail("alice", 1)).hasSize(1);
            runQueueAt(arrival.plusSeconds(7)); // past 6s: the second
            List<Path> warnings = awaitMail("alice", 2);

            assertThat(harness.mainLog()).filteredOn(l -> l.contains("<= <> R=" + id)).hasSize(2);
            assertThat(harness.spool.read(id).warnings()).isEqualTo(2);
            Parsed dsn = parse(warnings.getFirst());
            assertThat(dsn.get("content_type")).isEqualTo("multipart/report");
            assertThat(dsn.get("action")).isEqualTo("delayed");
            assertThat(dsn.get("status")).isEqualTo("4.7.1");
            assertThat(dsn.get("diagnostic_code")).isEqualTo("smtp; 451 4.7.1 try again later");
            assertThat(dsn.get("subject")).startsWith("Warning: message " + id + " delayed ");
        }
    }

    @Test
    void notifySuccessGetsARelayedReportOnlyFromAServerWithoutDsn() throws Exception {
        List<RecipientOptions> success = List.of(new RecipientOptions(Set.of(RecipientOptions.Notify.SUCCESS), null));
        int port = Ports.free();
        try (EximServer exim = exim(dir, port).start()) {
            start(port);
            String id = harness.deliver(envelope(MailOptions.NONE, List.of("ok@relay.test"), success), DATA);
            awaitDsn(id);
            Parsed dsn = parse(awaitMail("alice", 1).getFirst());
            assertThat(dsn.get("subject")).isEqualTo("Delivery Status Notification");
            assertThat(dsn.get("action")).isEqualTo("relayed");
            assertThat(dsn.get("status")).startsWith("2.0.0");
            assertThat(dsn.get("final_recipient")).isEqualTo("rfc822;ok@relay.test");
            harness.close();
            harness = null;
        }
        int dsnPort = Ports.free();
        try (EximServer exim = Peers.eximServer(dir.resolve("exim-dsn"), dsnPort).mainOption("dsn_advertise_hosts = *")
                .start()) {
            start(dsnPort);
            String id = harness.deliver(envelope(MailOptions.NONE, List.of("ok@relay.test"), success), DATA);
            assertThat(harness.mainLog()).contains(id + " Completed").filteredOn(l -> l.contains("<= <> R=" + id))
                    .isEmpty();
        }
    }

    /** Waits until {@code at}, then runs the queue once and waits for it. */
    private void runQueueAt(Instant at) throws Exception {
        long wait = Duration.between(Instant.now(), at).toMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
        harness.runner.runQueue(true); // forced: an attempt each time, whatever the retry rules say
        harness.awaitIdle();
    }

    /** The id of the report the delivery of {@code id} spooled. */
    private String awaitDsn(String id) throws Exception {
        String line = dev.petrel.testkit.LogLines.await(harness.mainLogFile(), "<= <> R=" + id, Duration.ofSeconds(20));
        return line.substring(20, line.indexOf(" <= "));
    }

    /** The messages in a local user's maildir, once there are {@code count} (bounded wait). */
    private List<Path> awaitMail(String user, int count) throws Exception {
        Path d = dir.resolve("mail").resolve(user).resolve("new");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            List<Path> files = List.of();
            if (Files.isDirectory(d)) {
                try (Stream<Path> s = Files.list(d)) {
                    files = s.sorted().toList();
                }
            }
            if (files.size() >= count || System.nanoTime() > deadline) {
                assertThat(files).as("messages for %s; log %s", user, harness.mainLog()).hasSize(count);
                return files;
            }
            Thread.sleep(50);
        }
    }

    /** What python3's email package makes of a DSN (the first recipient's fields), as a reader would see it. */
    private record Parsed(java.util.Map<String, String> fields) {
        String get(String key) {
            return fields.get(key);
        }
    }

    private static final String PARSER = """
            import email, email.policy, json, sys
            m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.compat32)
            out = {'content_type': m.get_content_type(), 'report_type': m.get_param('report-type') or '',
                   'from': m['From'] or '', 'subject': m['Subject'] or '', 'return_path': m['Return-path'] or ''}
            parts = m.get_payload()
            out['parts'] = ','.join(p.get_content_type() for p in parts)
            out['text'] = parts[0].get_payload().replace('\\r\\n', '\\n')
            blocks = parts[1].get_payload()
            for key in ('Reporting-MTA', 'Arrival-Date', 'Original-Envelope-Id'):
                out[key.lower().replace('-', '_')] = blocks[0].get(key, '')
            for key in ('Original-Recipient', 'Final-Recipient', 'Action', 'Status', 'Remote-MTA', 'Diagnostic-Code'):
                out[key.lower().replace('-', '_')] = blocks[1].get(key, '')
            returned = parts[2].get_payload()
            out['returned'] = returned[0].as_string() if isinstance(returned, list) else returned
            print(json.dumps(out))
            """;

    private Parsed parse(Path file) throws Exception {
        Path script = dir.resolve("parse_dsn.py");
        Files.writeString(script, PARSER);
        var r = Peers.run(List.of("python3", script.toString(), file.toString()), java.util.Map.of(), new byte[0],
                Duration.ofSeconds(30));
        assertThat(r.exitCode()).as("python3: %s", r.stderr()).isZero();
        return new Parsed(json(r.stdout().strip()));
    }

    /** The flat JSON object of strings the parser prints. */
    private static java.util.Map<String, String> json(String text) {
        java.util.Map<String, String> out = new java.util.HashMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([a-z_]+)\": \"((?:[^\"\\\\]|\\\\.)*)\"")
                .matcher(text);
        while (m.find()) {
            out.put(m.group(1), m.group(2).replace("\\n", "\n").replace("\\\"", "\"").replace("\\t", "\t")
                    .replace("\\\\", "\\"));
        }
        return out;
    }

    /** The -H file of the one message Exim queued: its envelope, DSN fields included. */
    private static String eximHeaderFile(EximServer exim) throws IOException {
        try (Stream<Path> files = Files.walk(exim.spoolDir().resolve("input"))) {
            Path h = files.filter(p -> p.getFileName().toString().endsWith("-H")).findFirst().orElseThrow();
            return Files.readString(h);
        }
    }
}
