package dev.petrel.transport.smtp;

import dev.petrel.config.Option;
import dev.petrel.config.TransportConfig;
import dev.petrel.config.TransportOptions.Smtp;
import dev.petrel.tls.ClientCredentials;
import dev.petrel.transport.Expansion;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The smtp transport's {@code tls_certificate} and {@code tls_privatekey} for one host: expanded with
 * {@code $host} and {@code $host_address}, then loaded (from {@link ClientCredentials}'s cache while the files
 * are unchanged). As in Exim, an empty expansion or a forced failure of {@code tls_certificate} means no client
 * certificate, and an unset or empty {@code tls_privatekey} means the key is in the certificate file.
 */
final class ClientCertificate {
    private ClientCertificate() {}

    /**
     * @return null when the transport presents no certificate to this host
     * @throws IllegalArgumentException saying what could not be expanded, read or parsed: the host is deferred
     */
    static ClientCredentials forHost(TransportConfig config, Expansion expansion) {
        String certificate = expanded(config, Smtp.TLS_CERTIFICATE, expansion);
        if (certificate == null) {
            return null;
        }
        String key = expanded(config, Smtp.TLS_PRIVATEKEY, expansion);
        try {
            return ClientCredentials.load(Path.of(certificate), key == null ? null : Path.of(key));
        } catch (IOException | InvalidPathException e) {
            throw new IllegalArgumentException("TLS error (client certificate setup): " + e.getMessage(), e);
        }
    }

    /** The option's value, null for unset, empty or forced failure. */
    private static String expanded(TransportConfig config, Option<String> option, Expansion expansion) {
        String template = config.get(option);
        if (template == null) {
            return null;
        }
        try {
            String value = expansion.expand(template).strip();
            return value.isEmpty() ? null : value;
        } catch (Expansion.ForcedFailure e) {
            return null;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("TLS error: failed to expand " + option.name() + " in "
                    + config.name() + " transport: " + e.getMessage(), e);
        }
    }
}
