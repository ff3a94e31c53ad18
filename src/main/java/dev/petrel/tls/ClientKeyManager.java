package dev.petrel.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Answers a server's CertificateRequest with the client certificate chosen for that connection: one TLS
 * context (and one session cache) serves every connection, whatever certificate each presents. The TLS stack
 * asks for an alias by engine, then for the chain and key by alias; the alias is the certificate's
 * fingerprint, found again among the engines still alive (weakly held: a connection's engine is forgotten
 * with it).
 */
final class ClientKeyManager extends X509ExtendedKeyManager {
    private final Map<SSLEngine, ClientCredentials> byEngine = Collections.synchronizedMap(new WeakHashMap<>());

    /** The certificate {@code engine} presents when asked; null: none (an empty Certificate message). */
    void use(SSLEngine engine, ClientCredentials credentials) {
        if (credentials != null) {
            byEngine.put(engine, credentials);
        }
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        ClientCredentials c = byEngine.get(engine);
        return c == null ? null : c.fingerprint();
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        ClientCredentials c = find(alias);
        return c == null ? null : c.chainArray();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        ClientCredentials c = find(alias);
        return c == null ? null : c.key();
    }

    private ClientCredentials find(String alias) {
        List<ClientCredentials> live;
        synchronized (byEngine) {
            live = new ArrayList<>(byEngine.values());
        }
        return live.stream().filter(c -> c.fingerprint().equals(alias)).findFirst().orElse(null);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
