package dev.petrel.queue;

import static dev.petrel.peers.FakeSmtpServer.SILENCE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.petrel.config.Config;
import dev.petrel.peers.FakeSmtpServer;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code remote_max_per_host} through whole deliveries: while one delivery holds the only connection a host may
 * have (its server sits on the message text), a second message for that host waits connect_timeout for the
 * connection, then defers without connecting; with room for two, both connect.
 */
class HostConnectionLimitDeliveryTest {
    private static final String DATA = "From: alice@test.ex\r\nSubject: limited\r\n\r\nhello\r\n";

    @TempDir
    Path dir;

    private static Config config(int port, int perHost) throws Exception {
        return Config.parse("""
                primary_hostname = petrel.test
                qualify_domain = test.ex
                remote_max_per_host = %d
                begin routers
                smarthost:
                  driver = manualroute
                  domains = remote.test
                  transport = remote_smtp
                  route_list = * 127.0.0.1::%d
                begin transports
                remote_smtp:
                  driver = smtp
                  connect_timeout = 1s
                  command_timeout = 4s
                  data_timeout = 4s
                """.formatted(perHost, port), "test.conf");
    }

    @Test
    void aSecondMessageWaitsForTheHostsOnlyConnectionThenDefers() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.plain().on(".", SILENCE).firstOnly();
             DeliveryHarness harness = new DeliveryHarness(dir, config(server.port(), 1))) {
            String held = harness.submit("alice@test.ex", DATA, "b@remote.test");
            Thread.sleep(300);   // the first delivery is connected and waiting on the server before the second starts
            String second = harness.submit("alice@test.ex", DATA, "c@remote.test");
            harness.awaitIdle();

            List<String> log = harness.mainLog();
            assertThat(server.connections()).isEqualTo(1);
            assertThat(log).anyMatch(l -> l.startsWith(second + " H=127.0.0.1 [127.0.0.1]: no connection free within "
                    + "connect_timeout: remote_max_per_host connections to 127.0.0.1 are open"));
            assertThat(log).anyMatch(l -> l.startsWith(second + " == c@remote.test"));
            assertThat(log).anyMatch(l -> l.startsWith(held + " == b@remote.test"));
        }
    }

    @Test
    void withRoomForTwoBothConnect() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.plain().on(".", SILENCE).firstOnly();
             DeliveryHarness harness = new DeliveryHarness(dir, config(server.port(), 2))) {
            harness.submit("alice@test.ex", DATA, "b@remote.test");
            Thread.sleep(300);
            String second = harness.submit("alice@test.ex", DATA, "c@remote.test");
            harness.awaitIdle();

            assertThat(server.connections()).isEqualTo(2);
            assertThat(harness.mainLog()).anyMatch(l -> l.startsWith(second + " => c@remote.test"));
        }
    }
}
