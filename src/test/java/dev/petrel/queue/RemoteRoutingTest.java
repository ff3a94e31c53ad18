package dev.petrel.queue;

import dev.petrel.config.Config;
import dev.petrel.log.MainLog;
import dev.petrel.peers.DnsServer;
import dev.petrel.spool.Envelope;
import dev.petrel.spool.MessageId;
import dev.petrel.spool.Reception;
import dev.petrel.spool.Spool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a delivery attempt logs for each routing outcome, with dnslookup asking a real DNS server (NSD on
 * loopback) through {@code dns_servers}; the routed recipient then meets a closed port.
 */
class RemoteRoutingTest {
    @TempDir
    Path dir;
    private DnsServer dns;
    private Spool spool;
    private MainLog log;
    private QueueRunner runner;

    @AfterEach
    void close() throws Exception {
        if (runner != null) {
            runner.close();
        }
        if (spool != null) {
            spool.close();
        }
        if (log != null) {
            log.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    @Test
    void eachRoutingOutcomeIsLoggedTheEximWay() throws Exception {
        dns = DnsServer.in(dir.resolve("dns")).zone("relay.test", """
                good      MX 10 mx
                mx        A 127.0.0.11
                nullmx    MX 0 .
                """).unloadedZone("broken.relay.test").start();
        Config config = Config.parse("""
                primary_hostname = petrel.relay.test
                dns_servers = %s
                begin routers
                dns:
                  driver = dnslookup
                  transport = remote_smtp
                begin transports
                remote_smtp:
                  driver = smtp
                  port = %d
                """.formatted(dns.dnsServersOption(), dev.petrel.testkit.Ports.free() /* free again: nothing listens */), "test.conf");
        spool = Spool.open(dir.resolve("spool"));
        log = MainLog.open(dir.resolve("log/%slog").toString(), Set.of());
        runner = new QueueRunner(config, spool, log, Duration.ofHours(1), dir);

        String id = MessageId.next();
        Reception r = spool.receive(id);
        r.append("Subject: routed\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII));
        r.commit(Envelope.local("", List.of("a@good.relay.test", "b@nullmx.relay.test", "c@nowhere.relay.test",
                "d@x.broken.relay.test"))).join();
        runner.submit(id);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!runner.idle() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(runner.idle()).isTrue();

        List<String> lines = Files.readAllLines(dir.resolve("log/mainlog")).stream().map(l -> l.substring(20)).toList();
        // Every recipient is routed before any is delivered; the routed one then finds no server at its MX. The
        // message is from <>, so its failures freeze it.
        assertThat(lines).containsExactly(
                id + " ** b@nullmx.relay.test R=dns: domain does not accept mail",
                id + " ** c@nowhere.relay.test: Unrouteable address",
                id + " == d@x.broken.relay.test R=dns defer (-1): host lookup did not complete",
                id + " H=mx.relay.test [127.0.0.11] Connection refused",
                id + " == a@good.relay.test R=dns T=remote_smtp defer (111): Connection refused",
                id + " Frozen (delivery error message)");
        // Frozen, every recipient waits for the operator: a thaw tries the failed ones again too.
        assertThat(spool.read(id).delivered()).isEmpty();
        assertThat(spool.read(id).frozen()).isTrue();
    }
}
