package dev.petrel.transport.smtp;

import dev.petrel.tls.TlsSessionInfo;
import dev.petrel.transport.Expansion;
import dev.petrel.transport.HeadersAdd;
import dev.petrel.transport.HeadersRemove;
import dev.petrel.transport.RemoteHost;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The smtp transport's {@code headers_remove} and {@code headers_add}, expanded as the message is written, as
 * Exim does: with
 * {@code $host}, {@code $host_address}, {@code $sending_ip_address} and the outgoing TLS session's
 * {@code $tls_out_*} as they stand at that moment. An early-pipelined message is written before the first
 * reply over TLS, so a TLS 1.3 ticket (bit 0x08 of {@code $tls_out_resumption}) may not have come yet; a
 * message on a continued connection reports no resumption, as its log line does.
 */
record OutgoingHeaders(HeadersRemove remove, HeadersAdd add, String primaryHostname) {
    private static final List<String> TLS_VARIABLES = List.of("tls_out_cipher", "tls_out_ver", "tls_out_bits",
            "tls_out_resumption", "tls_out_certificate_verified", "tls_out_peerdn", "tls_out_sni");

    boolean isEmpty() {
        return remove.isEmpty() && add.isEmpty();
    }

    boolean mentions(String variable) {
        return remove.mentions(variable) || add.mentions(variable);
    }

    /** Whether an item names the outgoing TLS session, which then must exist when the message is written. */
    boolean usesTls() {
        return TLS_VARIABLES.stream().anyMatch(this::mentions);
    }

    /**
     * The message with the named fields left out and the lines added.
     *
     * @param local the local address, null when not known yet (then {@code $sending_ip_address} is undefined)
     * @param tlsNow the TLS facts as they stand (null without TLS), asked for only when an item names them
     * @throws IllegalArgumentException when an item does not expand
     */
    Message apply(Message message, RemoteHost host, InetAddress local, Supplier<TlsSessionInfo> tlsNow, String sni,
            boolean continued) {
        if (isEmpty()) {
            return message;
        }
        TlsSessionInfo tls = usesTls() ? tlsNow.get() : null;
        Map<String, String> v = new HashMap<>();
        v.put("tls_out_cipher", tls == null ? "" : tls.eximCipherField());
        v.put("tls_out_ver", tls == null ? "" : tls.protocol());
        v.put("tls_out_bits", tls == null ? "0" : Integer.toString(tls.bits()));
        v.put("tls_out_resumption", tls == null || continued ? "0" : Integer.toString(tls.resumption()));
        v.put("tls_out_certificate_verified", tls != null && tls.certificateVerified() ? "1" : "0");
        v.put("tls_out_peerdn", tls == null || tls.peerDn() == null ? "" : tls.peerDn());
        v.put("tls_out_sni", tls == null || sni == null ? "" : sni);
        Expansion e = Expansion.forHost(primaryHostname, host, local).with(v);
        return message.withData(add.apply(remove.apply(message.data(), e), e, message.id()));
    }
}
