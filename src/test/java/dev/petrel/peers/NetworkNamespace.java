package dev.petrel.peers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A private network namespace with its own loopback, for what cannot be set on the host: server-side TCP
 * Fast Open ({@code net.ipv4.tcp_fastopen = 3}; the host has 1, client only). A holder process
 * ({@code unshare -n}) keeps the namespace alive; programs join it through {@link #enter()}, a command prefix
 * ({@code nsenter --net=...}). Closing kills the holder, and the namespace goes with its last process.
 */
public final class NetworkNamespace implements AutoCloseable {
    private final Process holder;

    private NetworkNamespace(Process holder) {
        this.holder = holder;
    }

    /** Whether this machine can make one: root, with unshare, nsenter, ip and sysctl. */
    public static boolean available() {
        return Peers.runningAsRoot()
                && List.of("/usr/bin/unshare", "/usr/bin/nsenter", "/usr/sbin/ip", "/usr/sbin/sysctl").stream()
                .allMatch(p -> Files.isExecutable(Path.of(p)));
    }

    /** A new namespace with loopback up and TCP Fast Open on for clients and servers. */
    public static NetworkNamespace withFastOpen() {
        try {
            Process p = new ProcessBuilder("unshare", "-n", "sh", "-c",
                    "ip link set lo up && sysctl -q -w net.ipv4.tcp_fastopen=3 && echo ready && exec sleep 3600")
                    .redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if (!"ready".equals(line)) {
                p.destroyForcibly();
                throw new IllegalStateException("cannot set up a network namespace: " + line);
            }
            return new NetworkNamespace(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Put this in front of a command to run it inside the namespace. */
    public List<String> enter() {
        return List.of("nsenter", "--net=/proc/" + holder.pid() + "/ns/net", "--");
    }

    @Override
    public void close() {
        holder.destroyForcibly();
    }
}
