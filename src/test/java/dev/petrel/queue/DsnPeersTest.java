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
        Config config = Config.parse("""
                primary_hostname = petrel.test
                qualify_domain = test.ex
                %s
                domainlist local_domains = test.ex
                begin routers
                smarthost:
                  driver = manualroute
                  domains = relay.test
                  transport = remote_smtp
                  route_list = * 127.0.0.1::%d
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
                  directory = %s/mail/$local_part
                  maildir_format
                """.formatted(String.join("\n", mainOptions), port, dir), "test.conf");
        harness = new DeliveryHarness(dir, config);
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

    /** The -H file of the one message Exim queued: its envelope, DSN fields included. */
    private static String eximHeaderFile(EximServer exim) throws IOException {
        try (Stream<Path> files = Files.walk(exim.spoolDir().resolve("input"))) {
            Path h = files.filter(p -> p.getFileName().toString().endsWith("-H")).findFirst().orElseThrow();
            return Files.readString(h);
        }
    }
}
