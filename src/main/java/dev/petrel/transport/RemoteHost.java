package dev.petrel.transport;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One host a remote transport may try, in the order routing chose; a name with several addresses appears
 * once per address.
 *
 * @param name the host's name (an MX target, a name from a route), or the literal's text for an IP address
 * @param port the port routing set, or -1 for the transport's {@code port}
 * @param fromMx the host came from an MX record (Exim's retry rules tell {@code refused_MX} from {@code refused_A})
 */
public record RemoteHost(String name, InetAddress address, int port, boolean fromMx) {
    public RemoteHost {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
    }

    public RemoteHost(String name, InetAddress address, int port) {
        this(name, address, port, false);
    }
}
