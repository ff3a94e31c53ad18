package dev.petrel.cli;

import io.netty.channel.epoll.Epoll;
import io.netty.handler.ssl.OpenSsl;

import java.util.ArrayList;
import java.util.List;

/** The version and the built-in features, as {@code petrel version} prints them (Exim's -bV style). */
final class Version {
    static final String NUMBER = "0.1.0";

    private Version() {
    }

    static List<String> features() {
        List<String> features = new ArrayList<>(List.of("PIPELINING", "PIPECONNECT", "CHUNKING", "8BITMIME",
                "SMTPUTF8", "ENHANCEDSTATUSCODES", "Maildir"));
        if (Epoll.isAvailable()) {
            features.add("epoll");
            features.add("TCP_Fast_Open");
        }
        // Exim names its TLS library here; the JDK's JSSE is the fallback when BoringSSL cannot load.
        features.add(OpenSsl.isAvailable() ? "BoringSSL" : "JSSE");
        features.add("TLS_resume");
        return features;
    }
}
