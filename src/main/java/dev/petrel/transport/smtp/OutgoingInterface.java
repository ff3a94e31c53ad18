package dev.petrel.transport.smtp;

import dev.petrel.config.EximList;
import dev.petrel.config.IpAddresses;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The smtp transport's {@code interface}: the local address a connection to one host is made from. As in
 * Exim, the expanded value is a list of IP addresses, and the first of the same family (IPv4 or IPv6) as the
 * host is used; with none of that family the kernel chooses, as when the option is unset.
 */
final class OutgoingInterface {
    private OutgoingInterface() {}

    /**
     * @param expanded the option's value after expansion, null when unset
     * @param transport the transport's name, for the reason
     * @return the address to bind, or null for none
     * @throws IllegalArgumentException when an item is not an IP address: the delivery is deferred with this
     *     reason, since a host name here would need a lookup that Exim does not do either
     */
    static InetAddress choose(String expanded, InetAddress host, String transport) {
        if (expanded == null) {
            return null;
        }
        InetAddress chosen = null;
        for (String item : EximList.split(expanded)) {
            InetAddress a;
            try {
                a = IpAddresses.parse(item);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("\"" + item + "\" is not a valid IP address for the \"interface\" "
                        + "option for " + transport + " transport");
            }
            if (chosen == null && (a instanceof Inet4Address) == (host instanceof Inet4Address)) {
                chosen = a;
            }
        }
        return chosen;
    }
}
