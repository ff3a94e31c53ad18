package dev.petrel.queue.routing;

import dev.petrel.queue.dns.Lookup;
import dev.petrel.queue.dns.MxRecord;
import dev.petrel.queue.dns.Resolver;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The {@code dnslookup} driver: the domain's MX hosts by preference (equal preferences in random order, to
 * spread the load as RFC 5321 asks), each with its AAAA and A addresses; the domain's own addresses when it
 * has no MX (the implicit MX). A null MX (RFC 7505) fails the address, a domain that does not exist makes
 * the router decline (and, with no router after it, the address unrouteable), and a DNS server that cannot
 * answer defers it.
 *
 * <p>Exim's {@code self} rule: an MX host that is this host, and every host of the same or a higher
 * preference, is dropped, so that a backup MX hands mail on to the better ones instead of to itself. When
 * nothing is left, the {@code self} option decides: {@code freeze} (the default, which defers here since
 * Petrel does not freeze messages), {@code defer}, {@code fail}, {@code pass} (decline) or {@code send}
 * (keep this host after all).
 */
public final class DnsLookupRouter implements RouterDriver {
    static final String DID_NOT_COMPLETE = "host lookup did not complete";
    static final String NULL_MX = "domain does not accept mail";
    static final String SELF = "lowest numbered MX record points to local host";

    private final String name;
    private final String transport;
    private final String self;
    private final Resolver resolver;
    private final ThisHost thisHost;
    private final RandomGenerator random;

    public DnsLookupRouter(String name, String transport, String self, Resolver resolver, ThisHost thisHost,
                           RandomGenerator random) {
        this.name = name;
        this.transport = transport;
        this.self = self == null ? "freeze" : self;
        this.resolver = resolver;
        this.thisHost = thisHost;
        this.random = random;
    }

    @Override
    public RoutingResult route(String localPart, String domain) {
        if (domain.startsWith("[")) {
            return new RoutingResult.Declined(); // a domain literal is not a DNS name
        }
        return switch (resolver.mx(domain)) {
            case Lookup.Found<MxRecord> found -> viaMx(found.records());
            case Lookup.NoData<MxRecord> none -> implicitMx(domain);
            case Lookup.NoSuchDomain<MxRecord> none -> new RoutingResult.Declined();
            case Lookup.TryAgain<MxRecord> again -> new RoutingResult.Deferred(name, DID_NOT_COMPLETE);
        };
    }

    private RoutingResult viaMx(List<MxRecord> records) {
        if (records.stream().anyMatch(MxRecord::isNull)) {
            return new RoutingResult.Failed(name, NULL_MX);
        }
        List<MxRecord> ordered = byPreference(records);
        boolean keepSelf = self.equals("send");
        List<Host> hosts = new ArrayList<>();
        boolean pointsHere = false;
        boolean lookupDeferred = false;
        for (MxRecord mx : ordered) {
            if (!keepSelf && thisHost.isNamed(mx.host())) {
                pointsHere = true;
            } else {
                switch (resolver.addresses(mx.host())) {
                    case Lookup.Found<InetAddress> found -> {
                        if (!keepSelf && found.records().stream().anyMatch(thisHost::hasAddress)) {
                            pointsHere = true;
                        } else {
                            for (InetAddress a : found.records()) {
                                // Two MX names for one address: the better preference is enough.
                                if (hosts.stream().noneMatch(h -> h.address().equals(a))) {
                                    hosts.add(new Host(mx.host(), a, -1, mx.preference()));
                                }
                            }
                        }
                    }
                    case Lookup.TryAgain<InetAddress> again -> lookupDeferred = true;
                    // An MX host that does not exist is skipped, as Exim does; the others may still work.
                    case Lookup.NoData<InetAddress> none -> { }
                    case Lookup.NoSuchDomain<InetAddress> none -> { }
                }
            }
            if (pointsHere) {
                hosts.removeIf(h -> h.mx() >= mx.preference());
                break;
            }
        }
        if (!hosts.isEmpty()) {
            return new RoutingResult.Routed(name, transport, hosts);
        }
        if (lookupDeferred) {
            // A better host may exist once its lookup completes: not the moment to apply self or to fail.
            return new RoutingResult.Deferred(name, DID_NOT_COMPLETE);
        }
        if (pointsHere) {
            return selfAction();
        }
        return new RoutingResult.Failed(name, "all relevant MX records point to non-existent hosts");
    }

    private RoutingResult implicitMx(String domain) {
        return switch (resolver.addresses(domain)) {
            case Lookup.Found<InetAddress> found -> {
                boolean keepSelf = self.equals("send");
                if (!keepSelf && (thisHost.isNamed(domain) || found.records().stream().anyMatch(thisHost::hasAddress))) {
                    yield selfAction();
                }
                yield new RoutingResult.Routed(name, transport,
                        found.records().stream().map(a -> new Host(domain, a, -1, -1)).toList());
            }
            case Lookup.NoData<InetAddress> none -> new RoutingResult.Declined();
            case Lookup.NoSuchDomain<InetAddress> none -> new RoutingResult.Declined();
            case Lookup.TryAgain<InetAddress> again -> new RoutingResult.Deferred(name, DID_NOT_COMPLETE);
        };
    }

    private RoutingResult selfAction() {
        return switch (self) {
            case "fail" -> new RoutingResult.Failed(name, SELF);
            case "pass" -> new RoutingResult.Declined();
            default -> new RoutingResult.Deferred(name, SELF); // freeze or defer
        };
    }

    /** Lowest preference first; records of equal preference shuffled. */
    private List<MxRecord> byPreference(List<MxRecord> records) {
        List<MxRecord> shuffled = new ArrayList<>(records);
        for (int i = shuffled.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            MxRecord t = shuffled.get(i);
            shuffled.set(i, shuffled.get(j));
            shuffled.set(j, t);
        }
        shuffled.sort(Comparator.comparingInt(MxRecord::preference)); // stable: the shuffle survives within a preference
        return shuffled;
    }
}
