package dev.petrel.tls;

import dev.petrel.hints.FileStamp;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client certificate the smtp transport presents when a server asks for one ({@code tls_certificate} and
 * {@code tls_privatekey} on the transport). Its identity, the SHA-256 of the leaf's DER, is part of the ticket
 * key: a session made under one client identity is never resumed under another.
 *
 * @param chain leaf first
 * @param key the leaf's private key
 * @param fingerprint lowercase hex SHA-256 of the leaf's DER encoding
 * @param source the file names, for messages
 */
public record ClientCredentials(List<X509Certificate> chain, PrivateKey key, String fingerprint, String source) {
    /** Distinct file pairs remembered at once; past it the cache starts again (paths may name {@code $host}). */
    private static final int CACHE_LIMIT = 256;
    private static final Map<FilePair, Loaded> CACHE = new ConcurrentHashMap<>();

    public ClientCredentials {
        chain = List.copyOf(chain);
        Objects.requireNonNull(key, "key");
    }

    private record FilePair(Path certificate, Path privateKey) {
    }

    private record Loaded(FileStamp certificate, FileStamp privateKey, ClientCredentials credentials) {
    }

    /**
     * The credentials in these PEM files (an unset {@code privateKey}: the key is in the certificate file, as
     * for the server), read again only when either file has changed since it was last parsed, so that an
     * operator can replace them without a restart. The key must be the certificate's.
     *
     * @throws IOException naming the file and what is wrong with it
     */
    public static ClientCredentials load(Path certificate, Path privateKey) throws IOException {
        try {
            return loadCached(certificate, privateKey);
        } catch (IOException | RuntimeException e) {
            // BouncyCastle reports some malformed PEM unchecked; some messages name no file.
            String what = e instanceof NoSuchFileException n ? n.getFile() + ": no such file" : e.getMessage();
            boolean named = what.contains(certificate.toString())
                    || (privateKey != null && what.contains(privateKey.toString()));
            throw new IOException(named ? what : certificate + (privateKey == null ? "" : " + " + privateKey)
                    + ": " + what, e);
        }
    }

    private static ClientCredentials loadCached(Path certificate, Path privateKey) throws IOException {
        FilePair files = new FilePair(certificate, privateKey);
        FileStamp certStamp = FileStamp.of(certificate);
        FileStamp keyStamp = privateKey == null ? null : FileStamp.of(privateKey);
        Loaded cached = CACHE.get(files);
        if (cached != null && cached.certificate().equals(certStamp) && Objects.equals(cached.privateKey(), keyStamp)) {
            return cached.credentials();
        }
        ServerCredentials parsed = ServerCredentials.load(certificate, privateKey);
        ServerCredentials.requireMatchingKey(parsed);
        ClientCredentials loaded = new ClientCredentials(parsed.chain(), parsed.key(),
                fingerprint(parsed.chain().getFirst()), parsed.source());
        if (CACHE.size() >= CACHE_LIMIT) {
            CACHE.clear();
        }
        CACHE.put(files, new Loaded(certStamp, keyStamp, loaded));
        return loaded;
    }

    public X509Certificate[] chainArray() {
        return chain.toArray(X509Certificate[]::new);
    }

    private static String fingerprint(X509Certificate leaf) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded()));
        } catch (CertificateEncodingException e) {
            throw new IOException("bad certificate: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
