package dev.petrel.config;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * An Exim host list, matched against a client's IP address.
 *
 * <p>Items are tried left to right, the first match deciding ({@link MatchList}).
 *
 * <p>Supported items: {@code *}; IPv4 and IPv6 literals, with {@code /bits} for a network (IPv6 colons
 * doubled, or a {@code <;} list); {@code localhost} (any loopback address); {@code +name} (a named
 * {@code hostlist}); {@code @} (the addresses of {@code primary_hostname}, looked up when matching, or
 * any loopback address when that lookup fails); {@code @[]} (any address of a local interface); an
 * empty item (matches only "no remote host", i.e. a {@code null} address); a host name, looked up
 * forward with the system resolver each time it is matched — a failed lookup is simply no match.
 *
 * <p>Not supported, rejected when parsed: wildcard and regex host names (they need a reverse lookup
 * Petrel does not do), file names, and lookups ({@code type;query}).
 */
public final class HostList {
    private static final HostList NONE = new HostList("", MatchList.empty());
    private static final Pattern HOST_NAME =
            Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?\\.?");

    private final String text;
    /** Each item tests a normalised client address, or null when there is no remote host. */
    private final MatchList<InetAddress> items;

    private HostList(String text, MatchList<InetAddress> items) {
        this.text = text;
        this.items = items;
    }

    /**
     * Parses a host list.
     *
     * @param namedHostLists lists that {@code +name} items may refer to (may be null when there are none)
     * @param primaryHostname the name {@code @} stands for
     * @throws IllegalArgumentException naming the bad item
     */
    public static HostList parse(String text, Map<String, HostList> namedHostLists, String primaryHostname) {
        if (text == null) {
            return NONE;
        }
        Map<String, HostList> named = namedHostLists == null ? Map.of() : namedHostLists;
        return new HostList(text, MatchList.parse(text, item -> pattern(item, named, primaryHostname)));
    }

    /** The unset list: matches nothing. */
    public static HostList none() {
        return NONE;
    }

    /**
     * Whether the address is in the list. IPv4-mapped IPv6 addresses are compared as IPv4. A null
     * address means "no remote host" (local submission): only {@code *} and an empty item match it.
     */
    public boolean matches(InetAddress address) {
        return items.matches(address == null ? null : IpAddresses.normalize(address));
    }

    /** The list as written, for {@code describe()}. */
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostList other && other.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    private static Predicate<InetAddress> pattern(String p, Map<String, HostList> named, String primaryHostname) {
        if (p.isEmpty()) {
            return a -> a == null;
        }
        if (p.equals("*")) {
            return a -> true;
        }
        if (p.equalsIgnoreCase("localhost")) {
            return a -> a != null && a.isLoopbackAddress();
        }
        if (p.equals("@")) {
            return a -> a != null && primaryHostMatches(primaryHostname, a);
        }
        if (p.equals("@[]")) {
            return a -> a != null && isLocalInterface(a);
        }
        if (p.startsWith("+")) {
            HostList sub = named.get(p.substring(1));
            if (sub == null) {
                throw new IllegalArgumentException("unknown host list \"" + p + "\" (define it with hostlist before use)");
            }
            return a -> sub.matches(a);
        }
        if (p.startsWith("/")) {
            throw new IllegalArgumentException("file names in host lists are not supported: \"" + p + "\"");
        }
        if (p.indexOf(';') >= 0) {
            throw new IllegalArgumentException("lookups in host lists are not supported: \"" + p + "\"");
        }
        if (p.startsWith("*") || p.startsWith("^")) {
            throw new IllegalArgumentException("host name patterns need a reverse DNS lookup, which Petrel does not do: \""
                    + p + "\" (use IP addresses or networks)");
        }
        if (p.startsWith("@")) {
            throw new IllegalArgumentException("unsupported special host list item \"" + p + "\"");
        }
        int slash = p.lastIndexOf('/');
        if (slash >= 0) {
            return network(p, slash);
        }
        if (IpAddresses.looksLikeIp(p)) {
            byte[] exact = IpAddresses.parse(p).getAddress();
            return a -> a != null && IpAddresses.inPrefix(a.getAddress(), exact, exact.length * 8);
        }
        if (HOST_NAME.matcher(p).matches()) {
            String name = p.toLowerCase(Locale.ROOT);
            return a -> a != null && resolvesTo(name, a);
        }
        throw new IllegalArgumentException("invalid host list item \"" + p + "\"");
    }

    private static Predicate<InetAddress> network(String p, int slash) {
        byte[] net = IpAddresses.parse(p.substring(0, slash)).getAddress();
        String bitsText = p.substring(slash + 1);
        int max = net.length * 8;
        if (!bitsText.matches("\\d{1,3}") || Integer.parseInt(bitsText) > max) {
            throw new IllegalArgumentException("invalid mask length in \"" + p + "\" (0 to " + max + ")");
        }
        int bits = Integer.parseInt(bitsText);
        return a -> a != null && IpAddresses.inPrefix(a.getAddress(), net, bits);
    }

    private static boolean primaryHostMatches(String primaryHostname, InetAddress a) {
        try {
            for (InetAddress candidate : InetAddress.getAllByName(primaryHostname)) {
                if (IpAddresses.sameAddress(candidate, a)) {
                    return true;
                }
            }
            return false;
        } catch (UnknownHostException | SecurityException e) {
            // A host whose own name does not resolve still knows its loopback addresses are itself.
            return a.isLoopbackAddress();
        }
    }

    private static boolean resolvesTo(String name, InetAddress a) {
        try {
            for (InetAddress candidate : InetAddress.getAllByName(name)) {
                if (IpAddresses.sameAddress(candidate, a)) {
                    return true;
                }
            }
        } catch (UnknownHostException | SecurityException e) {
            // Documented: an unresolvable name matches nothing rather than failing the whole list.
        }
        return false;
    }

    static boolean isLocalInterface(InetAddress a) {
        try {
            return NetworkInterface.networkInterfaces()
                    .flatMap(NetworkInterface::inetAddresses)
                    .anyMatch(local -> IpAddresses.sameAddress(local, a));
        } catch (SocketException e) {
            return a.isLoopbackAddress();
        }
    }
}
