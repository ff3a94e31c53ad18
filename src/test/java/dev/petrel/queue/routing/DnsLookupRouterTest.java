package dev.petrel.queue.routing;

import dev.petrel.peers.DnsServer;
import dev.petrel.queue.dns.DnsResolver;
import dev.petrel.queue.dns.Lookup;
import dev.petrel.queue.dns.MxRecord;
import dev.petrel.queue.dns.Resolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

import static org.assertj.core.api.Assertions.assertThat;

/** The dnslookup driver against a real DNS server (NSD on loopback) serving {@link TestZone}. */
class DnsLookupRouterTest {
    @TempDir
    static Path dir;
    static DnsServer dns;
    static Resolver resolver;

    private static final ThisHost THIS_HOST =
            new ThisHost("myself.petrel.test", Set.of(address("127.0.0.1")));

    @BeforeAll
    static void startDns() {
        dns = TestZone.start(dir);
        resolver = DnsResolver.using(List.of(dns.address()), Duration.ofSeconds(2));
    }

    @AfterAll
    static void stopDns() {
        if (dns != null) {
            dns.close();
        }
    }

    private static RoutingResult route(String domain) {
        return router("freeze").route("user", domain);
    }

    private static DnsLookupRouter router(String self) {
        return new DnsLookupRouter("dnslookup", "remote_smtp", self, resolver, THIS_HOST, RandomGenerator.getDefault());
    }

    private static List<String> hosts(RoutingResult result) {
        assertThat(result).isInstanceOf(RoutingResult.Routed.class);
        RoutingResult.Routed routed = (RoutingResult.Routed) result;
        assertThat(routed.router()).isEqualTo("dnslookup");
        assertThat(routed.transport()).isEqualTo("remote_smtp");
        return routed.hosts().stream().map(Host::toString).toList();
    }

    @Test
    void mxHostsComeInPreferenceOrderWithTheirIpv6AndIpv4Addresses() {
        assertThat(hosts(route("mx-order.petrel.test"))).containsExactly(
                "mx1.petrel.test [0:0:0:0:0:0:0:1]", "mx1.petrel.test [127.0.0.11]",
                "mx2.petrel.test [127.0.0.12]", "mx3.petrel.test [127.0.0.13]");
        RoutingResult.Routed routed = (RoutingResult.Routed) route("MX-Order.petrel.test".toLowerCase());
        assertThat(routed.hosts()).extracting(Host::mx).containsExactly(10, 10, 20, 30);
        assertThat(routed.hosts()).extracting(Host::port).containsOnly(-1);
    }

    @Test
    void anInternationalisedDomainIsLookedUpByItsALabel() {
        assertThat(hosts(route("b\u00fccher.petrel.test"))).containsExactly("mx2.petrel.test [127.0.0.12]");
    }

    @Test
    void equalPreferencesAreShuffledButNeverOvertakeABetterOne() {
        Set<List<String>> orders = new HashSet<>();
        for (int i = 0; i < 60; i++) {
            List<String> hosts = hosts(route("equal.petrel.test"));
            assertThat(hosts).hasSize(3);
            assertThat(hosts.get(2)).isEqualTo("eq-c.petrel.test [127.0.0.23]");
            orders.add(hosts.subList(0, 2));
        }
        // 60 routings that all came out the same way would happen by chance once in 2^59.
        assertThat(orders).containsExactlyInAnyOrder(
                List.of("eq-a.petrel.test [127.0.0.21]", "eq-b.petrel.test [127.0.0.22]"),
                List.of("eq-b.petrel.test [127.0.0.22]", "eq-a.petrel.test [127.0.0.21]"));
    }

    @Test
    void aDomainWithoutMxIsItsOwnMailHost() {
        assertThat(hosts(route("implicit.petrel.test"))).containsExactlyInAnyOrder(
                "implicit.petrel.test [127.0.0.31]", "implicit.petrel.test [127.0.0.32]");
        assertThat(((RoutingResult.Routed) route("implicit.petrel.test")).hosts()).extracting(Host::mx).containsOnly(-1);
    }

    @Test
    void aNullMxFailsTheAddress() {
        assertThat(route("nullmx.petrel.test"))
                .isEqualTo(new RoutingResult.Failed("dnslookup", "domain does not accept mail"));
    }

    @Test
    void aDomainThatDoesNotExistIsDeclined() {
        assertThat(route("no-such-domain.petrel.test")).isEqualTo(new RoutingResult.Declined());
        // Exists, but has neither MX nor address records: nowhere to deliver either.
        assertThat(route("no-address.petrel.test")).isEqualTo(new RoutingResult.Declined());
        assertThat(route("[127.0.0.1]")).isEqualTo(new RoutingResult.Declined());
    }

    @Test
    void aServerFailureDefers() {
        assertThat(resolver.mx("x.broken.petrel.test")).isInstanceOf(Lookup.TryAgain.class);
        assertThat(route("x.broken.petrel.test"))
                .isEqualTo(new RoutingResult.Deferred("dnslookup", "host lookup did not complete"));
        // The MX exists but its host's zone is broken: no address now, maybe later.
        assertThat(route("broken-mx.petrel.test"))
                .isEqualTo(new RoutingResult.Deferred("dnslookup", "host lookup did not complete"));
        // REFUSED (a domain the server does not serve) is not an answer either.
        assertThat(route("example.com")).isInstanceOf(RoutingResult.Deferred.class);
    }

    @Test
    void aServerThatNeverAnswersDefers() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            Resolver mute = DnsResolver.using(List.of((InetSocketAddress) silent.getLocalSocketAddress()),
                    Duration.ofMillis(300));
            long start = System.nanoTime();
            RoutingResult result = new DnsLookupRouter("dnslookup", "remote_smtp", null, mute, THIS_HOST,
                    RandomGenerator.getDefault()).route("user", "mx-order.petrel.test");
            assertThat(result).isEqualTo(new RoutingResult.Deferred("dnslookup", "host lookup did not complete"));
            // Asked twice, 300 ms each, then given up on: neither a hang nor a single hasty try.
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(550)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void cnamesAreFollowedInsideAndOutsideTheZone() {
        assertThat(hosts(route("alias.petrel.test"))).containsExactly(
                "mx1.petrel.test [0:0:0:0:0:0:0:1]", "mx1.petrel.test [127.0.0.11]",
                "mx2.petrel.test [127.0.0.12]", "mx3.petrel.test [127.0.0.13]");
        // An MX host that is an alias (against RFC 5321, but seen in the wild).
        assertThat(hosts(route("mx-alias.petrel.test"))).containsExactly("mx-cname.petrel.test [127.0.0.12]");
        // The authoritative server cannot follow an alias into a zone it answers separately: the resolver does.
        assertThat(resolver.mx("outside.petrel.test"))
                .isEqualTo(new Lookup.Found<>("target.other.test", List.of(new MxRecord(10, "mx3.petrel.test"))));
        assertThat(hosts(route("outside.petrel.test"))).containsExactly("mx3.petrel.test [127.0.0.13]");
    }

    @Test
    void mxHostsFromThisHostOnDownAreDropped() {
        // "here" is 127.0.0.1, one of this host's interfaces: it and mx2 (same preference) and mx3 go.
        assertThat(hosts(route("self.petrel.test"))).containsExactly(
                "mx1.petrel.test [0:0:0:0:0:0:0:1]", "mx1.petrel.test [127.0.0.11]");
        // "myself" is primary_hostname, recognised by name.
        assertThat(hosts(route("self-named.petrel.test"))).containsExactly(
                "mx1.petrel.test [0:0:0:0:0:0:0:1]", "mx1.petrel.test [127.0.0.11]");
    }

    @Test
    void whenThisHostIsTheBestMxTheSelfOptionDecides() {
        RoutingResult.Deferred defer = new RoutingResult.Deferred("dnslookup", "lowest numbered MX record points to local host");
        assertThat(route("self-only.petrel.test")).isEqualTo(defer);
        assertThat(route("self-lowest.petrel.test")).isEqualTo(defer);
        assertThat(router("fail").route("user", "self-only.petrel.test"))
                .isEqualTo(new RoutingResult.Failed("dnslookup", "lowest numbered MX record points to local host"));
        assertThat(router("pass").route("user", "self-only.petrel.test")).isEqualTo(new RoutingResult.Declined());
        // A better MX whose address cannot be looked up now: defer rather than bounce for self = fail.
        assertThat(router("fail").route("user", "self-broken.petrel.test"))
                .isEqualTo(new RoutingResult.Deferred("dnslookup", "host lookup did not complete"));
        assertThat(hosts(router("send").route("user", "self-only.petrel.test")))
                .containsExactly("here.petrel.test [127.0.0.1]");
        assertThat(hosts(router("send").route("user", "self-lowest.petrel.test")))
                .containsExactly("mx1.petrel.test [0:0:0:0:0:0:0:1]", "mx1.petrel.test [127.0.0.11]");
    }

    @Test
    void anMxWhoseHostDoesNotExistFails() {
        assertThat(route("dead-mx.petrel.test")).isEqualTo(
                new RoutingResult.Failed("dnslookup", "all relevant MX records point to non-existent hosts"));
    }

    private static InetAddress address(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
