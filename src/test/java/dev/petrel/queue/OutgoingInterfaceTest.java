package dev.petrel.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.petrel.peers.FakeSmtpServer;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The smtp transport's {@code interface}: the connection leaves from the first address of the host's family,
 * which is also {@code $sending_ip_address}, known before the connect. All of 127/8 is loopback on Linux, so
 * 127.0.0.2 is a second local address to tell apart from the kernel's choice, 127.0.0.1.
 */
class OutgoingInterfaceTest {
    private static final String DATA = "From: alice@test.ex\r\nSubject: iface\r\n\r\nhello\r\n";

    @TempDir
    Path dir;
    private DeliveryHarness harness;
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

    private void start(String... transportOptions) throws Exception {
        harness = new DeliveryHarness(dir, DeliveryHarness.smarthost(dir, mx.port(), "", transportOptions));
    }

    private String line(String id, String rcpt) throws Exception {
        return harness.mainLog().stream().filter(l -> l.startsWith(id + " ") && l.contains(" " + rcpt + " "))
                .findFirst().orElse("(none for " + rcpt + " in " + harness.mainLog() + ")");
    }

    @Test
    void theConnectionLeavesFromTheInterfaceAndHeloDataNamesIt() throws Exception {
        mx = FakeSmtpServer.plain();
        start("  interface = 127.0.0.2", "  helo_data = ip-$sending_ip_address.petrel.test");
        String id = harness.deliver("alice@test.ex", DATA, "a@remote.test");

        assertThat(line(id, "a@remote.test")).contains(" => a@remote.test ");
        assertThat(mx.clients()).containsExactly("127.0.0.2");
        assertThat(mx.commands()).contains("EHLO ip-127.0.0.2.petrel.test");
    }

    @Test
    void withoutInterfaceTheKernelChooses() throws Exception {
        mx = FakeSmtpServer.plain();
        start("  helo_data = ip-$sending_ip_address.petrel.test");
        harness.deliver("alice@test.ex", DATA, "a@remote.test");

        assertThat(mx.clients()).containsExactly("127.0.0.1");
        assertThat(mx.commands()).contains("EHLO ip-127.0.0.1.petrel.test");
    }

    @Test
    void theFirstAddressOfTheHostsFamilyIsUsed() throws Exception {
        mx = FakeSmtpServer.plain();
        start("  interface = <; ::1 ; 127.0.0.2 ; 127.0.0.3");
        harness.deliver("alice@test.ex", DATA, "a@remote.test");

        assertThat(mx.clients()).containsExactly("127.0.0.2");
    }

    @Test
    void theOptionIsExpanded() throws Exception {
        mx = FakeSmtpServer.plain();
        start("  interface = ${listextract{2}{127.0.0.1:127.0.0.3}}");
        harness.deliver("alice@test.ex", DATA, "a@remote.test");

        assertThat(mx.clients()).containsExactly("127.0.0.3");
    }

    @Test
    void noAddressOfTheHostsFamilyMeansNoBinding() throws Exception {
        mx = FakeSmtpServer.plain();
        start("  interface = <; ::1");
        String id = harness.deliver("alice@test.ex", DATA, "a@remote.test");

        assertThat(line(id, "a@remote.test")).contains(" => a@remote.test ");
        assertThat(mx.clients()).containsExactly("127.0.0.1");
    }

    @Test
    void aValueThatIsNoIpAddressDefersWithTheReasonAndConnectsNowhere() throws Exception {
        mx = FakeSmtpServer.plain();
        start("  interface = mail.example.com");
        String id = harness.deliver("alice@test.ex", DATA, "a@remote.test");

        String reason = "\"mail.example.com\" is not a valid IP address for the \"interface\" option for remote_smtp "
                + "transport";
        assertThat(harness.mainLog()).contains(id + " H=127.0.0.1 [127.0.0.1]: " + reason);
        assertThat(line(id, "a@remote.test")).contains(" == a@remote.test R=smarthost T=remote_smtp defer (-1): " + reason);
        assertThat(harness.spool.contains(id)).isTrue();
        assertThat(mx.connections()).isZero();
    }

    @Test
    void anExpansionFailureDefersToo() throws Exception {
        mx = FakeSmtpServer.plain();
        start("  interface = $no_such_variable");
        String id = harness.deliver("alice@test.ex", DATA, "a@remote.test");

        assertThat(line(id, "a@remote.test")).contains(" == a@remote.test ").contains("unknown variable name \"no_such_variable\"");
        assertThat(mx.connections()).isZero();
    }

    /** SPEC §1: a helo_data using $sending_ip_address keeps early pipelining only when interface fixes the address. */
    @Test
    void heloDataWithTheSendingAddressPipelinesEarlyOnlyWithInterface() throws Exception {
        mx = new FakeSmtpServer("220 fake.test ESMTP", "PIPELINING", "PIPECONNECT").greetingDelay(300);
        start("  hosts_pipe_connect = *", "  interface = 127.0.0.2", "  helo_data = ip-$sending_ip_address.petrel.test");
        harness.deliver("alice@test.ex", DATA, "a@remote.test");
        String second = harness.deliver("alice@test.ex", DATA, "b@remote.test");

        assertThat(line(second, "b@remote.test")).contains(" L* C=");
        assertThat(mx.talkedFirst()).containsExactly(false, true);
        assertThat(mx.clients()).containsExactly("127.0.0.2", "127.0.0.2");
        assertThat(mx.commands().stream().filter(c -> c.startsWith("EHLO")).distinct())
                .containsExactly("EHLO ip-127.0.0.2.petrel.test");
    }

    @Test
    void heloDataWithTheSendingAddressAndNoInterfaceWaitsForTheBanner() throws Exception {
        mx = new FakeSmtpServer("220 fake.test ESMTP", "PIPELINING", "PIPECONNECT").greetingDelay(300);
        start("  hosts_pipe_connect = *", "  helo_data = ip-$sending_ip_address.petrel.test");
        harness.deliver("alice@test.ex", DATA, "a@remote.test");
        String second = harness.deliver("alice@test.ex", DATA, "b@remote.test");

        assertThat(line(second, "b@remote.test")).contains(" L C=");
        assertThat(mx.talkedFirst()).containsExactly(false, false);
        assertThat(mx.commands()).contains("EHLO ip-127.0.0.1.petrel.test");
    }
}
