package dev.petrel.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority for tests, made with BouncyCastle: its certificate in {@code ca.pem}, and client
 * certificates it signs (what a server's {@code tls_verify_certificates} checks a client's against).
 */
public final class TestCa {
    private final KeyPair pair;
    private final X500Name name;
    private final Path pem;

    private TestCa(KeyPair pair, X500Name name, Path pem) {
        this.pair = pair;
        this.name = name;
        this.pem = pem;
    }

    /** A new CA, its certificate written to {@code dir/ca.pem}. */
    public static TestCa create(Path dir) throws Exception {
        Files.createDirectories(dir);
        KeyPair pair = rsa();
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Petrel Test")
                .addRDN(BCStyle.CN, "Petrel Test CA").build();
        var builder = builder(name, name, pair);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        Path pem = dir.resolve("ca.pem");
        Files.writeString(pem, pem(sign(builder, pair)));
        return new TestCa(pair, name, pem);
    }

    public Path pem() {
        return pem;
    }

    /**
     * A client certificate for {@code commonName} (O=Petrel Test), written to {@code certificate} and its
     * key to {@code key} (or, when {@code key} is null, after the certificate in the same file). Each file is
     * written beside itself and renamed into place, as an operator replacing it would.
     */
    public void issueClient(String commonName, Path certificate, Path key) throws Exception {
        KeyPair client = rsa();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Petrel Test")
                .addRDN(BCStyle.CN, commonName).build();
        var builder = builder(name, subject, client);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        String cert = pem(sign(builder, pair));
        String privateKey = pem(new JcaPKCS8Generator(client.getPrivate(), null).generate());
        if (key == null) {
            replace(certificate, cert + privateKey);
        } else {
            replace(certificate, cert);
            replace(key, privateKey);
        }
    }

    private static void replace(Path file, String text) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".new");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair subjectKeys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, new SecureRandom()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(30))), subject,
                subjectKeys.getPublic());
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder builder, KeyPair issuerKeys) throws Exception {
        var signer = new JcaContentSignerBuilder("SHA256withRSA").build(issuerKeys.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }

    private static String pem(Object o) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o);
        }
        return out.toString();
    }
}
