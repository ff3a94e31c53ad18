package dev.petrel.tls;

import dev.petrel.config.Config;
import dev.petrel.config.MainConfig;
import dev.petrel.peers.Peers;
import dev.petrel.peers.ProcessResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Shared by the TLS tests here and the probe's tests in transport.smtp. */
public final class TlsTestSupport {
    private TlsTestSupport() {}

    public static MainConfig config(Path dir, String... extra) throws Exception {
        String text = """
                primary_hostname = petrel.test
                spool_directory = %s/spool
                log_file_path = %s/log/%%slog
                %s
                """.formatted(dir.toAbsolutePath(), dir.toAbsolutePath(), String.join("\n", extra));
        return Config.parse(text, "test.conf").main();
    }

    /** The output of a command fed {@code input}, stdout then stderr; bounded, so a peer that hangs fails. */
    static String run(String input, List<String> command) {
        ProcessResult r = Peers.run(command, Map.of(), input.getBytes(StandardCharsets.US_ASCII), Duration.ofSeconds(20));
        if (r.timedOut()) {
            throw new AssertionError("timed out: " + r);
        }
        return r.stdout() + r.stderr();
    }

    /** {@code openssl s_client} against 127.0.0.1:port; sends {@code quit} and reads until the server closes. */
    static String sClient(int port, String version, Path sessOut, Path sessIn, String... extra) {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, version,
                "-ign_eof"));
        if (sessOut != null) {
            cmd.addAll(List.of("-sess_out", sessOut.toString()));
        }
        if (sessIn != null) {
            cmd.addAll(List.of("-sess_in", sessIn.toString()));
        }
        cmd.addAll(List.of(extra));
        return run("hello\nquit\n", cmd);
    }

    /** The "Reused, ..." or "New, ..." line of s_client's output. */
    static String handshakeLine(String out) {
        return out.lines().filter(l -> l.startsWith("Reused,") || l.startsWith("New,")).findFirst()
                .orElseThrow(() -> new AssertionError("no New/Reused line in:\n" + out));
    }
}
