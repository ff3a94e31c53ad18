package dev.petrel.queue.routing;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One address a remote delivery may try, in the order routing chose. A host name with several addresses
 * appears once per address.
 *
 * @param name the host's name as routing found it (an MX target, a name from {@code route_list}), or the
 *     literal's text when it was written as an IP address
 * @param port the port routing set ({@code name::port} in a route), or -1 to leave it to the transport
 * @param mx the MX preference the host came from, or -1 when it did not come from an MX record
 */
public record Host(String name, InetAddress address, int port, int mx) {
    public Host {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
    }

    /** Exim's way of naming a host in a log line: {@code name [ip]}, with {@code :port} when routing set one. */
    @Override
    public String toString() {
        return name + " [" + address.getHostAddress() + "]" + (port < 0 ? "" : ":" + port);
    }
}
