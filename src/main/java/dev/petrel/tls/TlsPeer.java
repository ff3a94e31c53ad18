package dev.petrel.tls;

import java.net.InetAddress;
import java.util.Objects;

/**
 * Everything about the far end that selects its TLS setup, and so keys its stored session (docs/behaviour.md,
 * "Client: the ticket store").
 *
 * @param serverName the server's host name as extracted for the transport ({@code host_name_extract}), or null
 * @param serverIp the address connected to
 * @param port the port connected to
 * @param localIp the local address used, or null when not bound
 * @param sni the SNI sent, or null for none
 * @param credentials the client certificate presented if the server asks ({@code tls_certificate}), or null
 */
public record TlsPeer(String serverName, InetAddress serverIp, int port, InetAddress localIp, String sni,
        ClientCredentials credentials) {
    public TlsPeer {
        Objects.requireNonNull(serverIp, "serverIp");
    }

    /** Without a client certificate. */
    public TlsPeer(String serverName, InetAddress serverIp, int port, InetAddress localIp, String sni) {
        this(serverName, serverIp, port, localIp, sni, null);
    }
}
