package dev.petrel.tls;

/**
 * What a client connection's TLS came to.
 *
 * @param info protocol, cipher, resumption bits ({@code $tls_out_resumption}), certificate facts
 * @param verification the certificate check (the stored one, on a resumed session)
 * @param key the ticket store key
 */
public record ClientOutcome(TlsSessionInfo info, Verification verification, String key) {}
