package dev.petrel.tls;

import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.internal.tcnative.SSL;
import javax.net.ssl.SSLEngine;

/** Cipher and protocol names as Exim logs them (OpenSSL's names), and key sizes. */
final class CipherNames {
    private CipherNames() {}

    /** {@code TLSv1.3} → {@code TLS1.3}. */
    static String protocol(String javaName) {
        return javaName == null ? "" : javaName.replace("TLSv", "TLS");
    }

    /** The OpenSSL name of the negotiated cipher: from BoringSSL directly, else translated from JSSE's. */
    static String cipher(SSLEngine engine) {
        if (engine instanceof ReferenceCountedOpenSslEngine e) {
            synchronized (e) {
                long ssl = e.sslPointer();
                if (ssl != 0) {
                    String name = SSL.getCipherForSSL(ssl);
                    if (name != null) {
                        return name;
                    }
                }
            }
        }
        return openSslName(engine.getSession().getCipherSuite());
    }

    /**
     * JSSE's (IANA) name to OpenSSL's for the suites TLS 1.2 and 1.3 can negotiate here; TLS 1.3 names are the
     * same in both. {@code TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384} → {@code ECDHE-RSA-AES256-GCM-SHA384}.
     */
    static String openSslName(String iana) {
        if (iana == null || !iana.contains("_WITH_")) {
            return iana == null ? "" : iana;
        }
        String[] parts = iana.substring(iana.startsWith("TLS_") ? 4 : 0).split("_WITH_", 2);
        String kx = parts[0].replace('_', '-');
        String bulk = parts[1]
                .replace("AES_256_", "AES256-").replace("AES_128_", "AES128-")
                .replace("CHACHA20_POLY1305_SHA256", "CHACHA20-POLY1305")
                .replace('_', '-')
                .replace("CBC-", "");
        if (kx.equals("RSA")) {
            return bulk;
        }
        return kx + "-" + bulk;
    }

    /** Symmetric key bits of a cipher name in either convention, 0 if unknown. */
    static int bits(String cipher) {
        String c = cipher.toUpperCase(java.util.Locale.ROOT);
        if (c.contains("AES256") || c.contains("AES_256") || c.contains("CHACHA20")) {
            return 256;
        }
        if (c.contains("AES128") || c.contains("AES_128")) {
            return 128;
        }
        if (c.contains("3DES") || c.contains("DES-CBC3")) {
            return 168;
        }
        return 0;
    }
}
