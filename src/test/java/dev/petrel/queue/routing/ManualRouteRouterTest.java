package dev.petrel.queue.routing;

import dev.petrel.config.Config;
import dev.petrel.peers.DnsServer;
import dev.petrel.queue.Router;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * manualroute, and the router chain as a configuration builds it, resolving through {@code dns_servers}
 * pointed at a real DNS server (NSD on loopback) serving {@link TestZone}.
 */
class ManualRouteRouterTest {
    @TempDir
    static Path dir;
    static DnsServer dns;

    @BeforeAll
    static void startDns() {
        dns = TestZone.start(dir);
    }

    @AfterAll
    static void stopDns() {
        if (dns != null) {
            dns.close();
        }
    }

    private static Router router(String routers) throws Exception {
        return Router.from(Config.parse("""
                primary_hostname = myself.petrel.test
                dns_servers = %s
                begin routers
                %s
                begin transports
                remote_smtp:
                  driver = smtp
                """.formatted(dns.dnsServersOption(), routers), "test.conf"));
    }

    /** A chain of one manualroute router named {@code r}, with these options. */
    private static Router manualroute(String options) throws Exception {
        return router("r:\n  driver = manualroute\n  transport = remote_smtp\n" + options);
    }

    private static List<String> hosts(RoutingResult result) {
        assertThat(result).isInstanceOf(RoutingResult.Routed.class);
        return ((RoutingResult.Routed) result).hosts().stream().map(Host::toString).toList();
    }

    @Test
    void hostsWithPortsAndLiteralsInRouteOrder() throws Exception {
        Router router = manualroute("""
                  route_list = *.partner.example "mx2.petrel.test : [127.0.0.9]::2526 : smarthost.petrel.test::587" ; \\
                               * 127.0.0.8
                """);
        RoutingResult result = router.route("user@a.partner.example");
        assertThat(result).isInstanceOf(RoutingResult.Routed.class);
        assertThat(((RoutingResult.Routed) result).router()).isEqualTo("r");
        assertThat(((RoutingResult.Routed) result).transport()).isEqualTo("remote_smtp");
        assertThat(hosts(result)).containsExactly("mx2.petrel.test [127.0.0.12]", "127.0.0.9 [127.0.0.9]:2526",
                "smarthost.petrel.test [127.0.0.41]:587", "smarthost.petrel.test [127.0.0.42]:587");
        assertThat(hosts(router.route("user@elsewhere.example"))).containsExactly("127.0.0.8 [127.0.0.8]");
    }

    @Test
    void randomizeShufflesTheHosts() throws Exception {
        Router router = manualroute("""
                  route_list = one.example  "mx1.petrel.test : mx2.petrel.test : mx3.petrel.test" randomize ; \\
                               two.example  "mx1.petrel.test : mx2.petrel.test : mx3.petrel.test"
                """);
        Set<List<String>> orders = new HashSet<>();
        for (int i = 0; i < 60; i++) {
            List<String> hosts = hosts(router.route("u@one.example"));
            assertThat(hosts).hasSize(4);
            orders.add(hosts.stream().map(h -> h.substring(0, 3)).distinct().toList());
        }
        // Six orders, 60 draws: the chance that one is missing by luck is about 6 * (5/6)^60, under 1e-4.
        assertThat(orders).hasSize(6);
        for (int i = 0; i < 10; i++) {
            assertThat(hosts(router.route("u@two.example"))).containsExactly("mx1.petrel.test [0:0:0:0:0:0:0:1]",
                    "mx1.petrel.test [127.0.0.11]", "mx2.petrel.test [127.0.0.12]", "mx3.petrel.test [127.0.0.13]");
        }
    }

    @Test
    void hostsRandomizeIsTheDefaultThatRouteOptionsOverride() throws Exception {
        Router router = manualroute("""
                  hosts_randomize
                  route_list = fixed.example  127.0.0.1:127.0.0.2:127.0.0.3:127.0.0.4 no_randomize ; \\
                               * 127.0.0.1:127.0.0.2:127.0.0.3:127.0.0.4
                """);
        Set<List<String>> orders = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            assertThat(hosts(router.route("u@fixed.example"))).containsExactly("127.0.0.1 [127.0.0.1]",
                    "127.0.0.2 [127.0.0.2]", "127.0.0.3 [127.0.0.3]", "127.0.0.4 [127.0.0.4]");
            orders.add(hosts(router.route("u@any.example")));
        }
        assertThat(orders).hasSizeGreaterThan(1);
    }

    @Test
    void routeDataIsExpandedPerAddress() throws Exception {
        Router router = manualroute("""
                  route_data = ${domain}::2525 byname
                """);
        assertThat(hosts(router.route("u@implicit.petrel.test")))
                .containsExactlyInAnyOrder("implicit.petrel.test [127.0.0.31]:2525", "implicit.petrel.test [127.0.0.32]:2525");
        // What Petrel cannot expand defers the address and says why, rather than routing it somewhere odd.
        RoutingResult unexpandable = manualroute("  route_data = ${lc:$domain}\n").route("u@x.example");
        assertThat(unexpandable).isInstanceOf(RoutingResult.Deferred.class);
        assertThat(((RoutingResult.Deferred) unexpandable).reason()).startsWith("failed to expand \"${lc:$domain}\"")
                .endsWith(" in r router");
    }

    @Test
    void hostFindFailedDecidesAboutAHostThatDoesNotExist() throws Exception {
        String route = "  route_list = * nohost.petrel.test:mx2.petrel.test\n";
        String base = route;
        assertThat(manualroute(base).route("u@x.example")).isEqualTo(
                new RoutingResult.Deferred("r", "lookup of host \"nohost.petrel.test\" failed in r router"));
        assertThat(manualroute(base + "  host_find_failed = fail\n").route("u@x.example")).isEqualTo(
                new RoutingResult.Failed("r", "lookup of host \"nohost.petrel.test\" failed in r router"));
        assertThat(hosts(manualroute(base + "  host_find_failed = ignore\n").route("u@x.example")))
                .containsExactly("mx2.petrel.test [127.0.0.12]");
        assertThat(manualroute("  route_list = * nohost.petrel.test\n"
                + "  host_find_failed = ignore\n").route("u@x.example")).isEqualTo(
                new RoutingResult.Deferred("r", "all hosts for x.example were ignored (host_find_failed = ignore)"));
        // Declining passes the address on; with no router after this one, it is unrouteable.
        assertThat(manualroute(base + "  host_find_failed = decline\n").route("u@x.example"))
                .isEqualTo(new RoutingResult.Failed(null, "Unrouteable address"));
        assertThat(manualroute("  route_list = * x.broken.petrel.test\n")
                .route("u@x.example")).isEqualTo(new RoutingResult.Deferred("r", "host lookup did not complete"));
    }

    @Test
    void theChainTriesRoutersInOrderWithTheirDomainsPreconditions() throws Exception {
        Router router = router("""
                local:
                  driver = accept
                  domains = myself.petrel.test
                  transport = remote_smtp
                partners:
                  driver = manualroute
                  transport = remote_smtp
                  route_list = partner.example 127.0.0.5
                dns:
                  driver = dnslookup
                  transport = remote_smtp
                """);
        assertThat(router.route("u@myself.petrel.test"))
                .isEqualTo(new RoutingResult.Routed("local", "remote_smtp", List.of()));
        assertThat(hosts(router.route("u@partner.example"))).containsExactly("127.0.0.5 [127.0.0.5]");
        // manualroute declines what no route matches; dnslookup takes it from there.
        assertThat(hosts(router.route("u@mx-alias.petrel.test"))).containsExactly("mx-cname.petrel.test [127.0.0.12]");
        assertThat(router.route("u@nullmx.petrel.test"))
                .isEqualTo(new RoutingResult.Failed("dns", "domain does not accept mail"));
        assertThat(router.route("u@nxdomain.petrel.test"))
                .isEqualTo(new RoutingResult.Failed(null, "Unrouteable address"));
        assertThat(router.route("u@x.broken.petrel.test"))
                .isEqualTo(new RoutingResult.Deferred("dns", "host lookup did not complete"));
    }

    @Test
    void noMoreStopsTheChainWhenTheRouterDeclines() throws Exception {
        Router router = router("""
                partners:
                  driver = manualroute
                  transport = remote_smtp
                  route_list = partner.example 127.0.0.5
                  no_more
                dns:
                  driver = dnslookup
                  transport = remote_smtp
                """);
        assertThat(router.route("u@mx-alias.petrel.test")).isEqualTo(new RoutingResult.Failed(null, "Unrouteable address"));
    }
}
