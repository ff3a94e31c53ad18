package dev.petrel.cli;

import dev.petrel.it.DaemonProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The daemon stopped as an operator or an init system stops it: SIGTERM. */
@Timeout(120)
class DaemonSignalTest {
    @TempDir
    Path dir;

    @Test
    void sigtermClosesTheListenersLogsTheStopAndExits() throws Exception {
        try (DaemonProcess daemon = new DaemonProcess(dir).start()) {
            int port = daemon.port();
            long pid = daemon.pid();
            // The JVM's status for a SIGTERM it handled with its shutdown hooks: 128 + 15.
            assertThat(daemon.terminate(Duration.ofSeconds(20))).isEqualTo(143);
            assertThat(daemon.mainlog()).last().asString().endsWith(" Petrel daemon stopped: pid=" + pid);
            assertThatThrownBy(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                }
            }).as("nothing listens any more").isInstanceOf(IOException.class);
        }
    }
}
