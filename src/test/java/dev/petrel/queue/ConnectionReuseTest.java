package dev.petrel.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.petrel.config.Config;
import dev.petrel.hints.HintsDb;
import dev.petrel.peers.FakeSmtpServer;
import dev.petrel.testkit.Ports;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Connection reuse through whole deliveries, over real sockets: messages the host deferred are remembered in
 * {@code wait-remote_smtp} and go down one connection when it is back (Exim's {@code *} after the host on all
 * but the first), {@code connection_max_messages} bounds a connection, a server that closes between messages
 * loses and doubles nothing, and deliveries running at once share the connection that is open.
 */
@Timeout(120)
class ConnectionReuseTest {
    private static final String DATA = "From: alice@test.ex\r\nSubject: waiting\r\n\r\nhello %d\r\n";

    @TempDir
    Path dir;

    private Config config(int port, String... extra) throws Exception {
        return Config.parse("""
                spool_directory = %s
                primary_hostname = petrel.test
                qualify_domain = test.ex
                log_selector = +outgoing_port
                queue_run_max = 1
                %s
                begin routers
                smarthost:
                  driver = manualroute
                  domains = remote.test
                  transport = remote_smtp
                  route_list = * 127.0.0.1::%d
                begin transports
                remote_smtp:
                  driver = smtp
                  connect_timeout = 2s
                  command_timeout = 4s
                  data_timeout = 4s
                %s
                """.formatted(dir.resolve("spool"), extra.length > 1 ? extra[1] : "", port, extra.length > 0 ? extra[0] : ""), "test.conf");
    }

    /** {@code n} messages spooled while nothing listens on {@code port}: each deferred, its id remembered. */
    private static List<String> deferredWhileDown(DeliveryHarness harness, int n) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(harness.deliver("alice@test.ex", DATA.formatted(i), "r" + i + "@remote.test"));
        }
        return ids;
    }

    private static List<String> delivered(List<String> log) {
        return log.stream().filter(l -> l.contains(" => ")).toList();
    }

    @Test
    void messagesTheHostDeferredGoDownOneConnectionWhenItIsBack() throws Exception {
        int port = Ports.free();
        try (DeliveryHarness harness = new DeliveryHarness(dir, config(port))) {
            List<String> ids = deferredWhileDown(harness, 4);
            try (HintsDb db = HintsDb.open(dir.resolve("spool"), "wait-remote_smtp")) {
                assertThat(db.dump()).as("%s", harness.mainLog()).hasSize(1);
                assertThat(db.get("127.0.0.1").orElseThrow().valueText()).isEqualTo(String.join(" ", ids));
            }
            try (FakeSmtpServer server = FakeSmtpServer.plainOn(port)) {
                harness.runner.runQueue(true); // -qf: the host's retry time has not come
                harness.awaitIdle();

                assertThat(server.connections()).as("%s", harness.mainLog()).isEqualTo(1);
                assertThat(server.messages()).hasSize(4);
                List<String> lines = delivered(harness.mainLog());
                assertThat(lines).hasSize(4);
                String first = "H=127.0.0.1 [127.0.0.1]:" + port + " C=";
                String continued = "H=127.0.0.1 [127.0.0.1]:" + port + "* C=";
                assertThat(lines.getFirst()).startsWith(ids.getFirst() + " => r0@remote.test").contains(first);
                assertThat(lines.subList(1, 4)).allMatch(l -> l.contains(continued));
                assertThat(harness.mainLog()).filteredOn(l -> l.endsWith(" Completed")).hasSize(4);
                assertThat(harness.spool.messageIds()).isEmpty();
                // A delivered transaction is over: no RSET before the next MAIL.
                assertThat(server.commands()).noneMatch(c -> c.startsWith("RSET"));
            }
            try (HintsDb db = HintsDb.open(dir.resolve("spool"), "wait-remote_smtp")) {
                assertThat(db.get("127.0.0.1")).isEmpty();
            }
        }
    }

    /**
     * {@code connection_max_messages}: 2 opens a new connection every two messages; 1 turns reuse off, and with
     * it the wait records.
     */
    @ParameterizedTest
    @CsvSource({"2, 4, 2", "1, 2, 2"})
    void connectionMaxMessagesBoundsAConnection(int max, int messages, int connections) throws Exception {
        int port = Ports.free();
        try (DeliveryHarness harness = new DeliveryHarness(dir, config(port, "  connection_max_messages = " + max))) {
            deferredWhileDown(harness, messages);
            try (HintsDb db = HintsDb.open(dir.resolve("spool"), "wait-remote_smtp")) {
                assertThat(db.dump()).hasSize(max == 1 ? 0 : 1);
            }
            try (FakeSmtpServer server = FakeSmtpServer.plainOn(port)) {
                harness.runner.runQueue(true); // -qf: the host's retry time has not come
                harness.awaitIdle();

                assertThat(server.connections()).isEqualTo(connections);
                List<String> lines = delivered(harness.mainLog());
                assertThat(lines).hasSize(messages);
                assertThat(lines).filteredOn(l -> l.contains(":" + port + "* ")).hasSize(messages - connections);
            }
        }
    }

    @Test
    void aTransactionThatTookNoMessageIsResetBeforeTheNext() throws Exception {
        int port = Ports.free();
        try (DeliveryHarness harness = new DeliveryHarness(dir, config(port))) {
            String refused = harness.deliver("alice@test.ex", DATA.formatted(0), "nobody@remote.test");
            String next = harness.deliver("alice@test.ex", DATA.formatted(1), "r1@remote.test");
            try (FakeSmtpServer server = FakeSmtpServer.plainOn(port).on("RCPT TO:<nobody@", "550 5.1.1 no such user")) {
                harness.runner.runQueue(true); // -qf: the host's retry time has not come
                harness.awaitIdle();

                assertThat(server.connections()).as("%s", harness.mainLog()).isEqualTo(1);
                assertThat(harness.mainLog()).anyMatch(l -> l.startsWith(refused + " ** nobody@remote.test"))
                        .anyMatch(l -> l.startsWith(next + " => r1@remote.test") && l.contains(":" + port + "* "));
                List<String> commands = server.commands();
                int rset = commands.indexOf("RSET");
                assertThat(rset).as("%s", commands).isPositive();
                assertThat(commands.get(rset + 1)).startsWith("MAIL FROM:<alice@test.ex>");
            }
        }
    }

    @Test
    void aServerThatClosesBetweenMessagesLosesAndDoublesNothing() throws Exception {
        int port = Ports.free();
        try (DeliveryHarness harness = new DeliveryHarness(dir, config(port))) {
            List<String> ids = deferredWhileDown(harness, 3);
            try (FakeSmtpServer server = FakeSmtpServer.plainOn(port).messagesPerConnection(1)) {
                harness.runner.runQueue(true); // -qf: the host's retry time has not come
                harness.awaitIdle();

                List<String> log = harness.mainLog();
                assertThat(server.messages()).as("%s", log).hasSize(3);
                assertThat(new HashSet<>(server.messages())).hasSize(3);
                assertThat(delivered(log)).hasSize(3).noneMatch(l -> l.contains("* "));
                assertThat(log).anyMatch(l -> l.contains("(on a continued connection: the message is tried again on a new one)"));
                for (String id : ids) {
                    assertThat(log).contains(id + " Completed");
                }
                assertThat(harness.spool.messageIds()).isEmpty();
            }
        }
    }

    @Test
    void deliveriesRunningAtOnceShareTheOpenConnection() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.plain().slowToAcceptData(300);
             DeliveryHarness harness = new DeliveryHarness(dir, config(server.port(), "", "remote_max_per_host = 1"))) {
            List<String> ids = new ArrayList<>();
            ids.add(harness.submit("alice@test.ex", DATA.formatted(0), "r0@remote.test"));
            Thread.sleep(100); // the first is connected and sending when the others arrive
            for (int i = 1; i < 4; i++) {
                ids.add(harness.submit("alice@test.ex", DATA.formatted(i), "r" + i + "@remote.test"));
            }
            harness.awaitIdle();

            List<String> lines = delivered(harness.mainLog());
            assertThat(server.connections()).as("%s", harness.mainLog()).isEqualTo(1);
            assertThat(lines).hasSize(4);
            assertThat(lines).filteredOn(l -> l.contains(":" + server.port() + "* ")).hasSize(3);
            assertThat(harness.mainLog()).filteredOn(l -> l.endsWith(" Completed")).hasSize(4);
        }
    }
}
