package dev.petrel.config;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One address the daemon listens on.
 *
 * @param address an IP literal as written in the configuration, without brackets
 * @param port the port, or 0 for one the kernel picks when binding (the daemon's start line names it): what
 *     a test or a second instance needs to listen without guessing a free port in advance
 */
public record ListenAddress(String address, int port) {
    public ListenAddress {
        IpAddresses.parse(address);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range (0 to 65535)");
        }
    }

    /** A socket address for binding; no DNS is involved because {@link #address} is a literal. */
    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(IpAddresses.parse(address), port);
    }

    public boolean isIpv6() {
        return IpAddresses.parse(address) instanceof Inet6Address;
    }

    /** Exim's spelling: {@code 127.0.0.1.25} for IPv4, {@code [::1]:25} for IPv6 (unambiguous in any list). */
    @Override
    public String toString() {
        return isIpv6() ? "[" + address + "]:" + port : address + "." + port;
    }

    /**
     * Parses {@code local_interfaces}. An entry is an IP literal, optionally with a port written Exim's
     * way ({@code 127.0.0.1.2525}, {@code ::1.2525}) or bracketed ({@code [::1]:2525}); an entry without
     * a port is listened on at every port in {@code daemon_smtp_ports}. Port 0 here (not in the port
     * options) lets the kernel pick.
     */
    static List<ListenAddress> parseList(String text, List<Integer> defaultPorts) {
        return parse(text, defaultPorts, true);
    }

    /** A list of servers to talk to ({@code dns_servers}): the same notation, but a port must be a real one. */
    static List<ListenAddress> parseServers(String text, int defaultPort) {
        return parse(text, List.of(defaultPort), false);
    }

    private static List<ListenAddress> parse(String text, List<Integer> defaultPorts, boolean kernelPicksZero) {
        Set<ListenAddress> out = new LinkedHashSet<>();
        for (String item : EximList.split(text)) {
            if (item.isEmpty()) {
                continue;
            }
            String address;
            String port = null;
            if (item.startsWith("[")) {
                int close = item.indexOf(']');
                if (close < 0) {
                    throw new IllegalArgumentException("missing ] in \"" + item + "\"");
                }
                address = item.substring(1, close);
                String rest = item.substring(close + 1);
                if (!rest.isEmpty()) {
                    if (!rest.startsWith(":") && !rest.startsWith(".")) {
                        throw new IllegalArgumentException("bad port in \"" + item + "\"");
                    }
                    port = rest.substring(1);
                }
            } else {
                // The dots after the last colon tell a trailing port apart from an embedded IPv4 address.
                String tail = item.substring(item.lastIndexOf(':') + 1);
                long dots = tail.chars().filter(c -> c == '.').count();
                boolean v6 = item.indexOf(':') >= 0;
                boolean hasPort = v6 ? dots == 1 || dots == 4 : dots == 4;
                if (hasPort) {
                    int lastDot = item.lastIndexOf('.');
                    address = item.substring(0, lastDot);
                    port = item.substring(lastDot + 1);
                } else {
                    address = item;
                }
            }
            if (!IpAddresses.looksLikeIp(address)) {
                throw new IllegalArgumentException("\"" + item + "\" is not an IP address (host names are not allowed here)");
            }
            IpAddresses.parse(address);
            if (port != null) {
                boolean pick = kernelPicksZero && port.strip().equals("0");
                out.add(new ListenAddress(address, pick ? 0 : Values.parsePort(port)));
            } else {
                for (int p : defaultPorts) {
                    out.add(new ListenAddress(address, p));
                }
            }
        }
        return new ArrayList<>(out);
    }
}
