package dev.petrel.queue.routing;

import dev.petrel.peers.DnsServer;

import java.nio.file.Path;

/**
 * The zones the routing tests resolve through: {@code petrel.test} and {@code other.test}, served by NSD on
 * loopback, every address in them a loopback one; {@code broken.petrel.test} answers SERVFAIL.
 */
final class TestZone {
    static final String RECORDS = """
            mx-order    MX 20 mx2
            mx-order    MX 10 mx1
            mx-order    MX 30 mx3
            mx1         A 127.0.0.11
            mx1         AAAA ::1
            mx2         A 127.0.0.12
            mx3         A 127.0.0.13
            equal       MX 10 eq-a
            equal       MX 10 eq-b
            equal       MX 20 eq-c
            eq-a        A 127.0.0.21
            eq-b        A 127.0.0.22
            eq-c        A 127.0.0.23
            implicit    A 127.0.0.31
            implicit    A 127.0.0.32
            nullmx      MX 0 .
            no-address  TXT "exists, but neither MX nor A"
            alias       CNAME mx-order
            mx-alias    MX 10 mx-cname
            mx-cname    CNAME mx2
            outside     CNAME target.other.test.
            self        MX 10 mx1
            self        MX 20 here
            self        MX 20 mx2
            self        MX 30 mx3
            self-only   MX 10 here
            self-named  MX 10 mx1
            self-named  MX 20 myself
            self-named  MX 30 mx3
            self-lowest MX 10 myself
            self-lowest MX 20 mx1
            here        A 127.0.0.1
            self-broken MX 10 mx1.broken.petrel.test.
            self-broken MX 20 here
            dead-mx     MX 10 nohost
            broken-mx   MX 10 mx1.broken.petrel.test.
            xn--bcher-kva MX 10 mx2
            smarthost   A 127.0.0.41
            smarthost   A 127.0.0.42
            """;

    static final String OTHER = """
            target      MX 10 mx3.petrel.test.
            """;

    private TestZone() {}

    static DnsServer start(Path dir) {
        return DnsServer.in(dir).zone("petrel.test", RECORDS).zone("other.test", OTHER)
                .unloadedZone("broken.petrel.test").start();
    }
}
