package dev.petrel.tls;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.OpenOption;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The server's certificate chain and private key: the configured PEM files, or a self-signed certificate for
 * {@code primary_hostname} generated once into {@code spool_directory/tls/} and reused afterwards (so a
 * client pinning it, or a resumed session, keeps working across restarts).
 *
 * @param chain leaf first
 * @param key the leaf's private key
 * @param source a description for the log
 */
public record ServerCredentials(List<X509Certificate> chain, PrivateKey key, String source) {
    static final String SELF_CERT = "selfsigned-cert.pem";
    static final String SELF_KEY = "selfsigned-key.pem";
    private static final Duration SELF_VALIDITY = Duration.ofDays(3 * 365);

    public ServerCredentials {
        chain = List.copyOf(chain);
    }

    public X509Certificate[] chainArray() {
        return chain.toArray(X509Certificate[]::new);
    }

    /**
     * Loads {@code tls_certificate} and {@code tls_privatekey}; as in Exim, an unset private key means the key
     * is in the certificate file.
     */
    public static ServerCredentials load(Path certificate, Path privateKey) throws IOException {
        List<X509Certificate> chain = new ArrayList<>();
        PrivateKey key = null;
        for (Object o : readPem(certificate)) {
            if (o instanceof X509CertificateHolder h) {
                chain.add(toX509(h));
            } else if (privateKey == null && key == null) {
                key = toKey(o);
            }
        }
        if (privateKey != null) {
            for (Object o : readPem(privateKey)) {
                key = key != null ? key : toKey(o);
            }
        }
        if (chain.isEmpty()) {
            throw new IOException("no certificate in " + certificate);
        }
        if (key == null) {
            throw new IOException("no private key in " + (privateKey != null ? privateKey : certificate));
        }
        return new ServerCredentials(chain, key,
                certificate + (privateKey != null ? " + " + privateKey : ""));
    }

    /** Reuses {@code dir/selfsigned-*.pem} when still valid for {@code hostname}, else generates them. */
    public static ServerCredentials selfSigned(Path dir, String hostname) throws IOException {
        return selfSigned(dir, hostname, note -> { });
    }

    /**
     * The same, telling {@code log} when existing files could not be used: after a power cut they may be
     * empty or cut short, or hold a key that is not the certificate's (one file written, not the other).
     * Then a new pair is made: a daemon that cannot start over a file it wrote itself helps nobody.
     */
    public static ServerCredentials selfSigned(Path dir, String hostname, Consumer<String> log) throws IOException {
        Path certFile = dir.resolve(SELF_CERT);
        Path keyFile = dir.resolve(SELF_KEY);
        if (Files.exists(certFile) || Files.exists(keyFile)) {
            try {
                ServerCredentials existing = load(certFile, keyFile);
                requireMatchingKey(existing);
                if (stillGood(existing.chain().getFirst(), hostname)) {
                    return existing;
                }
            } catch (IOException | RuntimeException e) {
                String why = e instanceof NoSuchFileException ? "missing " + e.getMessage() : e.getMessage();
                log.accept("self-signed certificate " + certFile + " unusable (" + why + "): generating a new one");
            }
        }
        Files.createDirectories(dir);
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            X509Certificate cert = selfSign(pair, hostname);
            writeOwnerOnly(keyFile, pem(new JcaPKCS8Generator(pair.getPrivate(), null).generate()));
            writeOwnerOnly(certFile, pem(cert));
            return new ServerCredentials(List.of(cert), pair.getPrivate(), certFile + " (self-signed, generated)");
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot generate a self-signed certificate: " + e.getMessage(), e);
        }
    }

    /** A signature by the key that the certificate's public key verifies. */
    static void requireMatchingKey(ServerCredentials credentials) throws IOException {
        String algorithm = switch (credentials.key().getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> throw new IOException("unsupported key type " + credentials.key().getAlgorithm());
        };
        try {
            byte[] probe = "petrel".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(credentials.key());
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(credentials.chain().getFirst().getPublicKey());
            verifier.update(probe);
            if (!verifier.verify(signature)) {
                throw new IOException("the key is not the certificate's");
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("the key is not the certificate's: " + e.getMessage(), e);
        }
    }

    private static boolean stillGood(X509Certificate cert, String hostname) {
        try {
            cert.checkValidity(Date.from(Instant.now().plus(Duration.ofDays(1))));
        } catch (CertificateException e) {
            return false;
        }
        String subject = cert.getSubjectX500Principal().getName();
        return subject.equalsIgnoreCase("CN=" + hostname);
    }

    private static X509Certificate selfSign(KeyPair pair, String hostname)
            throws OperatorCreationException, IOException, CertificateException {
        var name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, hostname).build();
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(name, new BigInteger(64, new SecureRandom()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(SELF_VALIDITY)), name, pair.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true,
                new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        builder.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.dNSName, hostname)));
        var signer = new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate());
        return toX509(builder.build(signer));
    }

    private static List<Object> readPem(Path file) throws IOException {
        List<Object> out = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            for (Object o = p.readObject(); o != null; o = p.readObject()) {
                out.add(o);
            }
        }
        return out;
    }

    private static PrivateKey toKey(Object pem) throws IOException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        if (pem instanceof PEMKeyPair pair) {
            return converter.getKeyPair(pair).getPrivate();
        }
        if (pem instanceof PrivateKeyInfo info) {
            return converter.getPrivateKey(info);
        }
        return null;
    }

    private static X509Certificate toX509(X509CertificateHolder holder) throws IOException {
        try {
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (CertificateException e) {
            throw new IOException("bad certificate: " + e.getMessage(), e);
        }
    }

    private static String pem(Object o) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o);
        }
        return out.toString();
    }

    /**
     * Written under a temporary name created 0600, so the key is never readable by others, even briefly;
     * synced, renamed into place, and the directory synced, so that after a power cut the file is either the
     * old one or the whole new one, and is there.
     */
    private static void writeOwnerOnly(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        FileAttribute<?>[] ownerOnly = tmp.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        try (FileChannel out = FileChannel.open(tmp, options, ownerOnly)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel directory = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            directory.force(true);
        }
    }
}
