package dev.petrel.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** What the kernel says about loopback TCP connections, read from /proc/net/tcp without touching them. */
public final class Loopback {
    private static final String ESTABLISHED = "01";

    private Loopback() {
    }

    /**
     * Returns once every byte that clients of {@code serverPort} wrote has reached the server side, in its
     * socket's receive queue whether or not the server reads it: no connection to that port has octets left
     * unacknowledged in its send queue. On loopback the acknowledgement comes as the data is queued.
     */
    public static void awaitDelivered(int serverPort, Duration timeout) throws Exception {
        String remote = String.format("0100007F:%04X", serverPort);
        Poll.until(timeout, "the clients' octets in the server's socket buffers", () -> {
            for (String line : lines()) {
                String[] f = line.trim().split("\\s+");
                // sl local_address rem_address st tx_queue:rx_queue ...
                if (f.length > 4 && f[2].equals(remote) && f[3].equals(ESTABLISHED)
                        && Long.parseLong(f[4].substring(0, f[4].indexOf(':')), 16) > 0) {
                    return false;
                }
            }
            return true;
        });
    }

    private static List<String> lines() {
        return LogLines.of(Path.of("/proc/net/tcp"));
    }
}
