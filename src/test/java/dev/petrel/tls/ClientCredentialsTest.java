package dev.petrel.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientCredentialsTest {
    @TempDir
    Path dir;

    @Test
    void parsedOnceWhileUnchangedAndAgainOnceReplaced() throws Exception {
        TestCa ca = TestCa.create(dir.resolve("ca"));
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        ca.issueClient("one.petrel.test", cert, key);
        ClientCredentials first = ClientCredentials.load(cert, key);
        assertThat(ClientCredentials.load(cert, key)).isSameAs(first);
        assertThat(first.fingerprint()).isEqualTo(HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(first.chain().getFirst().getEncoded())));
        assertThat(first.chain().getFirst().getSubjectX500Principal().getName()).contains("CN=one.petrel.test");

        ca.issueClient("two.petrel.test", cert, key);
        ClientCredentials second = ClientCredentials.load(cert, key);
        assertThat(second.fingerprint()).isNotEqualTo(first.fingerprint());
        assertThat(second.chain().getFirst().getSubjectX500Principal().getName()).contains("CN=two.petrel.test");
    }

    @Test
    void theKeyMayFollowTheCertificateInOneFile() throws Exception {
        Path combined = dir.resolve("both.pem");
        TestCa.create(dir.resolve("ca")).issueClient("both.petrel.test", combined, null);
        ClientCredentials c = ClientCredentials.load(combined, null);
        assertThat(c.chain()).hasSize(1);
        assertThat(c.key().getAlgorithm()).isEqualTo("RSA");
    }

    @Test
    void brokenFilesSayWhichAndWhy() throws Exception {
        TestCa ca = TestCa.create(dir.resolve("ca"));
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        assertThatThrownBy(() -> ClientCredentials.load(cert, key)).isInstanceOf(IOException.class)
                .hasMessage(cert + ": no such file");
        Files.writeString(cert, "no PEM here\n");
        Files.writeString(key, "");
        assertThatThrownBy(() -> ClientCredentials.load(cert, key)).isInstanceOf(IOException.class)
                .hasMessage("no certificate in " + cert);
        ca.issueClient("a.petrel.test", cert, dir.resolve("unused-key.pem"));
        assertThatThrownBy(() -> ClientCredentials.load(cert, key)).isInstanceOf(IOException.class)
                .hasMessage("no private key in " + key);
        ca.issueClient("b.petrel.test", dir.resolve("other-cert.pem"), key);
        assertThatThrownBy(() -> ClientCredentials.load(cert, key)).isInstanceOf(IOException.class)
                .hasMessage(cert + " + " + key + ": the key is not the certificate's");
    }

    /** A session made under one client identity is never offered under another, nor without one. */
    @Test
    void theTicketKeyDependsOnTheClientCertificate() throws Exception {
        TestCa ca = TestCa.create(dir.resolve("ca"));
        ca.issueClient("a.petrel.test", dir.resolve("a.pem"), null);
        ca.issueClient("b.petrel.test", dir.resolve("b.pem"), null);
        ClientCredentials a = ClientCredentials.load(dir.resolve("a.pem"), null);
        ClientCredentials b = ClientCredentials.load(dir.resolve("b.pem"), null);
        InetAddress ip = InetAddress.getLoopbackAddress();
        ClientTls.Settings settings = ClientTls.Settings.defaults();
        String none = TicketStore.key(new TlsPeer("mx.test", ip, 25, null, null), settings);
        String withA = TicketStore.key(new TlsPeer("mx.test", ip, 25, null, null, a), settings);
        assertThat(withA).isNotEqualTo(none)
                .isNotEqualTo(TicketStore.key(new TlsPeer("mx.test", ip, 25, null, null, b), settings))
                .isEqualTo(TicketStore.key(new TlsPeer("mx.test", ip, 25, null, null,
                        ClientCredentials.load(dir.resolve("a.pem"), null)), settings));
    }
}
