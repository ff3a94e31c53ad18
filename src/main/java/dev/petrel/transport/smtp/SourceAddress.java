package dev.petrel.transport.smtp;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;

/**
 * The local address a connection to a server will have, known before it is made: what a handshake begun
 * before the connect (implicit TLS, whose ClientHello rides in the SYN) needs for its ticket key, which names
 * the local IP (SPEC §2). Without a bound address the kernel picks the source by route at the connect; a
 * connected UDP socket asks the same route lookup the same question and sends nothing. A bound address (the
 * transport's {@code interface}) is the answer as it stands.
 */
final class SourceAddress {
    private SourceAddress() {
    }

    /**
     * @param bound the address the connection will be bound to, or null for the kernel's choice
     * @return the local address, or null when there is no route (the connect will fail and say why)
     */
    static InetAddress toward(InetSocketAddress server, InetAddress bound) {
        if (bound != null) {
            return bound;
        }
        InetAddress address = server.getAddress();
        try (DatagramChannel probe = DatagramChannel.open(address instanceof Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET)) {
            probe.connect(server);
            return ((InetSocketAddress) probe.getLocalAddress()).getAddress();
        } catch (IOException e) {
            return null;
        }
    }
}
