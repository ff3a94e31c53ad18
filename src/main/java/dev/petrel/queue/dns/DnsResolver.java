package dev.petrel.queue.dns;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.IDN;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * A {@link Resolver} that asks DNS servers directly with dnsjava: the servers of Petrel's {@code dns_servers}
 * option, or the system's resolver configuration when that is unset (as Exim always does). Questions are
 * asked with recursion desired; a CNAME is followed whether the server followed it or not, since an
 * authoritative server only follows it within its own zones.
 */
public final class DnsResolver implements Resolver {
    /** Exim's defaults come from resolv.conf, typically 5 s and 2 attempts; the same here. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    private static final int ATTEMPTS = 2;
    private static final int MAX_CNAMES = 8;

    private final org.xbill.DNS.Resolver resolver;

    private DnsResolver(org.xbill.DNS.Resolver resolver) {
        this.resolver = resolver;
    }

    /**
     * @param servers the servers to ask in turn; empty for the system's resolver configuration
     * @param timeout how long to wait for one answer before asking again (each server is asked twice)
     */
    public static DnsResolver using(List<InetSocketAddress> servers, Duration timeout) {
        List<InetSocketAddress> addresses = servers.isEmpty() ? ResolverConfig.getCurrentConfig().servers() : servers;
        List<SimpleResolver> each = addresses.stream().map(SimpleResolver::new).toList();
        ExtendedResolver resolver = new ExtendedResolver(List.<org.xbill.DNS.Resolver>copyOf(each));
        resolver.setLoadBalance(false);
        resolver.setRetries(ATTEMPTS - 1);
        // The extended resolver's timeout bounds the whole question; each server's bounds one attempt.
        resolver.setTimeout(timeout.multipliedBy((long) ATTEMPTS * Math.max(1, each.size())));
        each.forEach(r -> r.setTimeout(timeout));
        return new DnsResolver(resolver);
    }

    @Override
    public Lookup<MxRecord> mx(String domain) {
        return query(domain, Type.MX, r -> {
            MXRecord mx = (MXRecord) r;
            return new MxRecord(mx.getPriority(), hostName(mx.getTarget()));
        });
    }

    @Override
    public Lookup<InetAddress> addresses(String host) {
        Lookup<InetAddress> v6 = query(host, Type.AAAA, r -> ((AAAARecord) r).getAddress());
        Lookup<InetAddress> v4 = query(host, Type.A, r -> ((ARecord) r).getAddress());
        List<InetAddress> found = new ArrayList<>();
        String name = host;
        for (Lookup<InetAddress> l : List.of(v6, v4)) {
            if (l instanceof Lookup.Found<InetAddress> f) {
                found.addAll(f.records());
                name = f.name();
            }
        }
        if (!found.isEmpty()) {
            return new Lookup.Found<>(name, found);
        }
        if (v6 instanceof Lookup.TryAgain<InetAddress> || v4 instanceof Lookup.TryAgain<InetAddress>) {
            return v6 instanceof Lookup.TryAgain<InetAddress> ? v6 : v4;
        }
        if (v6 instanceof Lookup.NoSuchDomain<InetAddress> && v4 instanceof Lookup.NoSuchDomain<InetAddress>) {
            return v4;
        }
        return new Lookup.NoData<>();
    }

    private <T> Lookup<T> query(String domain, int type, Function<Record, T> convert) {
        Name name;
        try {
            // An internationalised domain (from an SMTPUTF8 address) is asked for in its A-label form.
            String ascii = IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED);
            name = Name.fromString(ascii.endsWith(".") ? ascii : ascii + ".");
        } catch (TextParseException | IllegalArgumentException e) {
            return new Lookup.NoSuchDomain<>(); // not a possible DNS name, e.g. a domain literal
        }
        for (int hop = 0; hop <= MAX_CNAMES; hop++) {
            Message response;
            try {
                response = resolver.send(Message.newQuery(Record.newRecord(name, type, DClass.IN)));
            } catch (IOException e) {
                return new Lookup.TryAgain<>(Type.string(type) + " lookup of " + name + " failed: "
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
            int rcode = response.getRcode();
            if (rcode == Rcode.NXDOMAIN) {
                return new Lookup.NoSuchDomain<>();
            }
            if (rcode != Rcode.NOERROR) {
                return new Lookup.TryAgain<>(Type.string(type) + " lookup of " + name + ": " + Rcode.string(rcode));
            }
            List<Record> answer = response.getSection(Section.ANSWER);
            Name owner = name;
            boolean aliased = false;
            for (int i = 0; i <= MAX_CNAMES; i++) {
                Name target = cnameOf(answer, owner);
                if (target == null) {
                    break;
                }
                owner = target;
                aliased = true;
            }
            List<T> records = new ArrayList<>();
            for (Record r : answer) {
                if (r.getType() == type && r.getName().equals(owner)) {
                    records.add(convert.apply(r));
                }
            }
            if (!records.isEmpty()) {
                return new Lookup.Found<>(hostName(owner), records);
            }
            if (!aliased) {
                return new Lookup.NoData<>();
            }
            name = owner; // the server did not follow the alias out of its zone: ask for the target ourselves
        }
        return new Lookup.TryAgain<>("CNAME chain of " + domain + " longer than " + MAX_CNAMES);
    }

    private static Name cnameOf(List<Record> answer, Name owner) {
        for (Record r : answer) {
            if (r.getType() == Type.CNAME && r.getName().equals(owner)) {
                return ((CNAMERecord) r).getTarget();
            }
        }
        return null;
    }

    private static String hostName(Name name) {
        return name.toString(true).toLowerCase(Locale.ROOT).replaceFirst("^\\.$", "");
    }
}
