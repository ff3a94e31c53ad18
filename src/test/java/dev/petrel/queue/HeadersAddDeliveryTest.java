package dev.petrel.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.petrel.peers.FakeSmtpServer;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code headers_add} on the smtp transport against a scripted server: where the lines go, that SIZE= and
 * BDAT count them, each way the message can leave (DATA, BDAT, an early cleartext group), and what an item
 * that fails or is no header does. The STARTTLS and resumption cases are in {@link RelayPeersTest}, with Exim.
 */
class HeadersAddDeliveryTest {
    private static final String DATA = "From: alice@test.ex\r\nSubject: added\r\n\r\nhello\r\n";
    private static final String ADDED = "From: alice@test.ex\r\nSubject: added\r\n"
            + "X-Relay: 127.0.0.1 [127.0.0.1] from 127.0.0.1\r\nX-TLS: [] 0\r\n\r\nhello\r\n";
    private static final String[] OPTIONS = {
        "  headers_add = X-Relay: $host [$host_address] from $sending_ip_address",
        "  headers_add = X-TLS: [$tls_out_cipher] $tls_out_resumption",
    };

    @TempDir
    Path dir;
    private DeliveryHarness harness;
    private FakeSmtpServer mx;
    private String main = "";

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
        if (mx != null) {
            mx.close();
        }
    }

    private void start(String... transportOptions) throws Exception {
        harness = new DeliveryHarness(dir, DeliveryHarness.smarthost(dir, mx.port(), main, transportOptions));
    }

    private String deliver(String... rcpts) throws Exception {
        return harness.deliver("alice@test.ex", DATA, rcpts);
    }

    @Test
    void withDataTheLinesEndTheHeaderSection() throws Exception {
        mx = new FakeSmtpServer("220 fake.test ESMTP", "PIPELINING", "SIZE 100000");
        start(OPTIONS);
        deliver("a@remote.test");

        assertThat(mx.messages()).containsExactly(ADDED);
        assertThat(mx.commands()).contains("MAIL FROM:<alice@test.ex> SIZE=" + ADDED.length());
    }

    @Test
    void withChunkingBdatAndSizeCountTheTextSent() throws Exception {
        mx = new FakeSmtpServer("220 fake.test ESMTP", "PIPELINING", "CHUNKING", "SIZE 100000");
        start(OPTIONS);
        String id = deliver("a@remote.test");

        assertThat(mx.messages()).containsExactly(ADDED);
        assertThat(mx.commands()).contains("MAIL FROM:<alice@test.ex> SIZE=" + ADDED.length(),
                "BDAT " + ADDED.length() + " LAST");
        assertThat(harness.spool.contains(id)).isFalse();
    }

    @Test
    void aSizeLimitIsCheckedAgainstTheTextSent() throws Exception {
        mx = new FakeSmtpServer("220 fake.test ESMTP", "PIPELINING", "SIZE " + (DATA.length() + 10));
        start(OPTIONS);
        String id = deliver("a@remote.test");

        assertThat(harness.mainLog()).anyMatch(l -> l.startsWith(id + " ** a@remote.test ")
                && l.contains("message is too big for the remote server (" + ADDED.length() + " octets"));
        assertThat(mx.commands()).noneMatch(c -> c.startsWith("MAIL"));
    }

    @Test
    void anEarlyCleartextGroupCarriesTheLinesWrittenBeforeTheConnect() throws Exception {
        mx = new FakeSmtpServer("220 fake.test ESMTP", "PIPELINING", "PIPECONNECT", "CHUNKING").greetingDelay(300);
        start("  hosts_pipe_connect = *", "  interface = 127.0.0.1", OPTIONS[0], OPTIONS[1]);
        deliver("a@remote.test");
        String second = deliver("b@remote.test");

        assertThat(harness.mainLog()).anyMatch(l -> l.startsWith(second + " => b@remote.test ") && l.contains(" L* "));
        assertThat(mx.talkedFirst()).containsExactly(false, true);
        assertThat(mx.messages()).containsExactly(ADDED, ADDED);
        assertThat(mx.commands()).contains("BDAT " + ADDED.length() + " LAST");
    }

    @Test
    void sendingIpAddressInHeadersAddWithoutInterfaceWaitsForTheBanner() throws Exception {
        mx = new FakeSmtpServer("220 fake.test ESMTP", "PIPELINING", "PIPECONNECT").greetingDelay(300);
        start("  hosts_pipe_connect = *", OPTIONS[0], OPTIONS[1]);
        deliver("a@remote.test");
        String second = deliver("b@remote.test");

        assertThat(harness.mainLog()).anyMatch(l -> l.startsWith(second + " => b@remote.test ") && l.contains(" L "));
        assertThat(mx.talkedFirst()).containsExactly(false, false);
        assertThat(mx.messages()).containsExactly(ADDED, ADDED);
    }

    @Test
    void anItemThatFailsToExpandDefersTheMessageBeforeMail() throws Exception {
        mx = FakeSmtpServer.plain();
        start("  headers_add = X-Bad: $no_such_variable");
        String id = deliver("a@remote.test");

        assertThat(harness.mainLog()).anyMatch(l -> l.startsWith(id + " == a@remote.test R=smarthost T=remote_smtp defer (-1)")
                && l.contains("failed to expand headers_add item \"X-Bad: $no_such_variable\" in remote_smtp transport")
                && l.contains("unknown variable name \"no_such_variable\""));
        assertThat(harness.spool.contains(id)).isTrue();
        assertThat(mx.commands()).noneMatch(c -> c.startsWith("MAIL"));
    }

    @Test
    void aLineThatIsNoHeaderIsLeftOutAndLogged() throws Exception {
        mx = FakeSmtpServer.plain();
        start("  headers_add = not a header", "  headers_add = X-Good: $host", "  headers_add = ${listextract{7}{a}{X-No: $value}fail}");
        String id = deliver("a@remote.test");

        assertThat(mx.messages()).containsExactly("From: alice@test.ex\r\nSubject: added\r\nX-Good: 127.0.0.1\r\n\r\nhello\r\n");
        assertThat(harness.mainLog()).contains(
                id + " T=remote_smtp: headers_add line \"not a header\" left out: not a header line");
        assertThat(harness.mainLog()).anyMatch(l -> l.startsWith(id + " => a@remote.test "));
    }

    @Test
    void headersRemoveLeavesFieldsOutBeforeHeadersAddAddsItsOwn() throws Exception {
        mx = new FakeSmtpServer("220 fake.test ESMTP", "PIPELINING", "CHUNKING", "SIZE 100000");
        start("  headers_remove = subject", "  headers_remove = X-Tag", "  headers_add = X-Tag: added\\nSubject: new");
        deliver("a@remote.test");

        String sent = "From: alice@test.ex\r\nX-Tag: added\r\nSubject: new\r\n\r\nhello\r\n";
        assertThat(mx.messages()).containsExactly(sent);
        assertThat(mx.commands()).contains("MAIL FROM:<alice@test.ex> SIZE=" + sent.length(), "BDAT " + sent.length() + " LAST");
    }

    @Test
    void eachMessageOnAContinuedConnectionIsWrittenAfresh() throws Exception {
        mx = FakeSmtpServer.plain().slowToAcceptData(300);
        main = "remote_max_per_host = 1";
        start("  headers_add = X-Rcpt: for $host");
        String first = harness.submit("alice@test.ex", DATA, "a@remote.test");
        Thread.sleep(100); // the first is connected and sending when the second arrives
        List<String> ids = List.of(first, harness.submit("alice@test.ex", DATA, "b@remote.test"));
        harness.awaitIdle();

        assertThat(mx.connections()).as("%s", harness.mainLog()).isEqualTo(1);

        assertThat(mx.messages()).hasSize(2).allMatch(m -> m.equals(
                "From: alice@test.ex\r\nSubject: added\r\nX-Rcpt: for 127.0.0.1\r\n\r\nhello\r\n"));
        assertThat(ids).allMatch(id -> !harness.spool.contains(id));
    }
}
