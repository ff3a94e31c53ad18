package dev.petrel.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** smtp_accept_max, smtp_accept_max_per_host and smtp_accept_reserve, and slots given back as sockets close. */
class ConnectionLimitsTest {
    @TempDir
    Path dir;

    private static void closeAll(List<RawClient> clients) throws IOException {
        for (RawClient c : clients) {
            c.close();
        }
    }

    /** Opens {@code n} connections at once, then checks that each was greeted. */
    private static List<RawClient> greeted(TestServer server, int n) throws IOException {
        List<RawClient> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            clients.add(server.client());
        }
        for (int i = 0; i < n; i++) {
            assertThat(clients.get(i).banner()).as("connection %d", i + 1).startsWith("220 ");
        }
        return clients;
    }

    /** With {@code open} connections greeted, the next one gets exactly {@code reply} and is closed. */
    private static void expectRefusal(TestServer server, int open, String reply) throws IOException {
        List<RawClient> clients = greeted(server, open);
        try (RawClient refused = server.client()) {
            assertThat(refused.readToEnd()).isEqualTo(reply + "\r\n");
        }
        closeAll(clients);
    }

    private static long count(TestServer server, String text) throws IOException {
        return server.mainlog().stream().filter(line -> line.contains(text)).count();
    }

    @Test
    void oneAddressGetsNoMoreThanSmtpAcceptMaxPerHost() throws Exception {
        try (TestServer server = TestServer.start(dir, "smtp_accept_max = 10", "smtp_accept_max_per_host = 2")) {
            expectRefusal(server, 2,
                    "421 Too many concurrent SMTP connections from this IP address; please try again later.");
            server.awaitLog("Connection from [127.0.0.1] refused: too many connections from that IP address");
            List<RawClient> two = greeted(server, 2);
            two.get(0).close();
            try (RawClient again = server.client()) { // the closed one's slot, at once
                assertThat(again.banner()).startsWith("220 ");
            }
            closeAll(two);
        }
    }

    @Test
    void tricklingConnectionsHoldTheirSlotsOnlyUntilTheirLineDeadline() throws Exception {
        try (TestServer server = TestServer.start(dir, "smtp_accept_max = 10", "smtp_accept_max_per_host = 2",
                "smtp_receive_timeout = 2s")) {
            List<RawClient> trickling = greeted(server, 2);
            long start = System.nanoTime();
            for (RawClient c : trickling) {
                c.send("EH");
            }
            try (RawClient refused = server.client()) {
                assertThat(refused.replyLine()).startsWith("421 Too many concurrent SMTP connections from this IP");
            }
            // An octet every 500 ms on each, for up to 6 s: a timer restarted by every octet would never fire.
            int open = trickling.size();
            for (int i = 0; i < 12 && open > 0; i++) {
                Thread.sleep(500);
                open = 0;
                for (RawClient c : trickling) {
                    if (!c.closedByServer(1)) {
                        c.send("L");
                        open++;
                    }
                }
            }
            assertThat(open).isZero();
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(1800L, 4500L);
            for (RawClient c : trickling) {
                assertThat(c.readToEnd()).isEqualTo("421 petrel.test: SMTP command timeout - closing connection\r\n");
            }
            try (RawClient next = server.client()) {
                assertThat(next.banner()).startsWith("220 ");
            }
            closeAll(trickling);
        }
    }

    @Test
    void whenFewSlotsAreLeftOnlyReserveHostsGetOne() throws Exception {
        try (TestServer server = TestServer.start(dir, "smtp_accept_max = 3", "smtp_accept_reserve = 1",
                "smtp_reserve_hosts = 192.0.2.1")) {
            expectRefusal(server, 2, "421 petrel.test: Too many concurrent SMTP connections; please try again later");
            server.awaitLog("temporarily refused connection from [127.0.0.1]: not in reserve list: connected=2 max=3"
                    + " reserve=1");
        }
    }

    @Test
    void aReserveHostTakesTheReservedSlotsButNoMore() throws Exception {
        try (TestServer server = TestServer.start(dir, "smtp_accept_max = 3", "smtp_accept_reserve = 1",
                "smtp_reserve_hosts = 127.0.0.1")) {
            expectRefusal(server, 3, "421 Too many concurrent SMTP connections; please try again later.");
            server.awaitLog("Connection from [127.0.0.1] refused: too many connections");
        }
    }

    @Test
    void slotsAreFreeAsSoonAsTheClientHasClosed() throws Exception {
        try (TestServer server = TestServer.start(dir, "smtp_accept_max = 40")) {
            for (int round = 0; round < 3; round++) {
                List<RawClient> all = greeted(server, 40);
                // The closes reach the host while the session loops are busy, and the next client comes in behind
                // them: the loops meet the new connection before they have read the closes.
                RawClient next = server.withWorkersHeld(() -> {
                    closeAll(all);
                    return server.client();
                });
                try (next) {
                    assertThat(next.banner()).as("round %d", round).startsWith("220 ");
                }
            }
            assertThat(count(server, "refused")).isZero();
        }
    }

    @Test
    void aStormOfResetsLeavesNoSlotTaken() throws Exception {
        try (TestServer server = TestServer.start(dir, "smtp_accept_max = 20")) {
            for (int i = 0; i < 500; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
                s.setSoLinger(true, 0);
                s.close(); // a reset, not a FIN
                if (i % 10 == 9) {
                    // Every ten resets, one greeted connection: the storm must not outrun the server by more than
                    // smtp_accept_max connections it has not yet seen die, or refusing the next is the right answer.
                    try (RawClient paced = server.client()) {
                        assertThat(paced.banner()).startsWith("220 ");
                    }
                }
            }
            try (RawClient next = server.client()) {
                assertThat(next.banner()).startsWith("220 ");
            }
            assertThat(count(server, "refused")).isZero();
            List<RawClient> full = greeted(server, 20);
            try (RawClient over = server.client()) {
                assertThat(over.replyLine()).startsWith("421 Too many concurrent SMTP connections;");
            }
            closeAll(full);
        }
    }
}
