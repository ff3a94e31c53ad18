package dev.petrel.tls;

import dev.petrel.config.Config;
import dev.petrel.config.MainConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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

    /** The output of a command fed {@code input}, stdout and stderr merged. */
    static String run(String input, List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** {@code openssl s_client} against 127.0.0.1:port; sends {@code quit} and reads until the server closes. */
    static String sClient(int port, String version, Path sessOut, Path sessIn, String... extra)
            throws IOException, InterruptedException {
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
