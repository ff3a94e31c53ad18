package dev.petrel.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * A port for a program that must be told where to listen before it starts and cannot report where it did (Exim,
 * smtp-sink, NSD, Petrel's implicit-TLS listeners, whose port must be named in {@code tls_on_connect_ports}).
 * Petrel's other listeners bind port 0 and the tests read the real port back instead.
 */
public final class Ports {
    private Ports() {
    }

    /** A TCP port free on 127.0.0.1 right now (another process may still take it before it is used). */
    public static int free() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
