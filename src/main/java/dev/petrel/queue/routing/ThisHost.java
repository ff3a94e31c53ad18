package dev.petrel.queue.routing;

import dev.petrel.config.ListenAddress;
import dev.petrel.config.MainConfig;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What counts as "this host" when a route points back at it (Exim's {@code self} rule): its
 * {@code primary_hostname}, and the addresses of {@code local_interfaces}, which for a wildcard listener
 * means every address of every interface.
 */
public record ThisHost(String primaryHostname, Set<InetAddress> addresses) {
    public ThisHost {
        primaryHostname = primaryHostname.toLowerCase(Locale.ROOT);
        addresses = Set.copyOf(addresses);
    }

    public static ThisHost of(MainConfig main) {
        return new ThisHost(main.primaryHostname(), addresses(main.localInterfaces()));
    }

    public boolean isNamed(String hostName) {
        return primaryHostname.equalsIgnoreCase(hostName);
    }

    public boolean hasAddress(InetAddress address) {
        return addresses.contains(address);
    }

    private static Set<InetAddress> addresses(List<ListenAddress> interfaces) {
        Set<InetAddress> out = new HashSet<>();
        for (ListenAddress listen : interfaces) {
            InetAddress a = listen.socketAddress().getAddress();
            if (a.isAnyLocalAddress()) {
                try {
                    NetworkInterface.networkInterfaces().flatMap(NetworkInterface::inetAddresses).forEach(out::add);
                } catch (SocketException e) {
                    out.add(InetAddress.getLoopbackAddress());
                }
            } else {
                out.add(a);
            }
        }
        return out;
    }
}
