package dev.petrel.transport.smtp;

import dev.petrel.tls.ClientCredentials;
import dev.petrel.tls.TlsPeer;
import dev.petrel.transport.RemoteHost;

import java.net.InetAddress;
import java.time.Duration;

/**
 * The transport's options as they apply to one host (host lists already matched against its address).
 *
 * @param heloName what EHLO/HELO says ({@code helo_data}); null when it needs the local address, known once connected
 *     (unless {@code bind} fixes it)
 * @param smtps TLS from the first octet ({@code protocol = smtps})
 * @param tryTls STARTTLS when offered (not in {@code hosts_avoid_tls})
 * @param requireTls {@code hosts_require_tls}: no TLS session is a reason to defer
 * @param requireVerify {@code tls_verify_hosts}: a certificate that does not verify is a reason to defer
 * @param resumption {@code tls_resumption_hosts}
 * @param sni {@code tls_sni}, null for none
 * @param pipelining PIPELINING may be used (not in {@code hosts_avoid_pipelining})
 * @param chunking CHUNKING may be used ({@code hosts_try_chunking})
 * @param pipeConnect early pipelining may be used and its EHLO record kept ({@code hosts_pipe_connect}, and an
 *     EHLO name fixed before the connection exists)
 * @param fastOpen TCP Fast Open may be tried ({@code hosts_try_fastopen})
 * @param bind the local address to connect from ({@code interface}), null for the kernel's choice
 * @param credentials the client certificate ({@code tls_certificate}, {@code tls_privatekey}), null for none
 */
record HostPolicy(String heloName, boolean smtps, boolean tryTls, boolean requireTls, boolean requireVerify,
                  boolean resumption, String sni, boolean pipelining, boolean chunking, boolean pipeConnect,
                  Duration commandTimeout, Duration dataTimeout, boolean fastOpen, InetAddress bind,
                  ClientCredentials credentials) {

    /** The far end as the ticket store keys it; {@code local}: the connection's local address. */
    TlsPeer tlsPeer(RemoteHost host, int port, InetAddress local) {
        String name = host.name().equals(host.address().getHostAddress()) ? null : host.name();
        return new TlsPeer(name, host.address(), port, local, sni, credentials);
    }

    /** The same host again, in cleartext, after a TLS session could not be set up. */
    HostPolicy withoutTls() {
        return new HostPolicy(heloName, smtps, false, requireTls, requireVerify, resumption, sni, pipelining, chunking,
                pipeConnect, commandTimeout, dataTimeout, fastOpen, bind, credentials);
    }

    /** The same host again, at once, after an early {@code EHLO,STARTTLS} met a refused banner or EHLO. */
    HostPolicy withoutEarlyPipelining() {
        return new HostPolicy(heloName, smtps, tryTls, requireTls, requireVerify, resumption, sni, pipelining, chunking,
                false, commandTimeout, dataTimeout, fastOpen, bind, credentials);
    }
}
