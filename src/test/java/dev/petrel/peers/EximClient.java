package dev.petrel.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Exim 4.96 used as an SMTP client: every message, for any domain, is routed by a manualroute router to
 * {@link #host(String) 127.0.0.1} port {@link #port(int) P} and sent by an smtp transport. Each
 * {@link #send} is a one-shot {@code exim -C conf -odi -oi -f from -- to} (message on stdin) that delivers
 * immediately and returns when the delivery attempt is over. The configuration, spool and logs live in the work
 * directory; the spool's hints databases (retry, wait-*, and {@code misc}, which caches the EHLO response that
 * PIPECONNECT needs) persist between sends, so the second connection to a PIPECONNECT server pipelines early.
 *
 * <p>Setters may be called at any time: the configuration is rewritten before each run. Extra configuration
 * lines can be added to the main section ({@link #mainOption}) and to the smtp transport ({@link #transportOption})
 * for TLS work, e.g. {@code transportOption("tls_verify_certificates = /path/ca.pem")}.
 */
public final class EximClient extends EximInstance implements AutoCloseable {

    public static final String DEFAULT_LOG_SELECTOR =
            "+pipelining +tls_resumption +received_recipients +smtp_connection";

    private String host = Peers.LOOPBACK;
    private int port = 25;
    private boolean pipeConnect = true;
    private String tlsResumptionHosts;
    private String hostsRequireTls;
    private String hostsAvoidTls = "*";
    private String logSelector = DEFAULT_LOG_SELECTOR;
    private String primaryHostname = "client.petrel.test";
    private final List<String> mainOptions = new ArrayList<>();
    private final List<String> transportOptions = new ArrayList<>();
    private Duration timeout = Duration.ofSeconds(60);
    private boolean clearRetryDb = true;

    EximClient(Path workDir) {
        super(workDir, "client");
    }

    /** The server's address (default 127.0.0.1; keep it on loopback). */
    public EximClient host(String host) {
        this.host = host;
        return this;
    }

    public EximClient port(int port) {
        this.port = port;
        return this;
    }

    /** {@code hosts_pipe_connect = *} (default on): use PIPECONNECT when the cached EHLO allows it. */
    public EximClient pipeConnect(boolean on) {
        this.pipeConnect = on;
        return this;
    }

    /** smtp transport {@code tls_resumption_hosts} (e.g. {@code "*"}); null = Exim's default (none). */
    public EximClient tlsResumptionHosts(String hosts) {
        this.tlsResumptionHosts = hosts;
        return this;
    }

    /** smtp transport {@code hosts_require_tls} (e.g. {@code "*"}). Setting it clears {@link #hostsAvoidTls}. */
    public EximClient hostsRequireTls(String hosts) {
        this.hostsRequireTls = hosts;
        if (hosts != null) {
            this.hostsAvoidTls = null;
        }
        return this;
    }

    /**
     * smtp transport {@code hosts_avoid_tls}: defaults to {@code "*"} (plain SMTP, no STARTTLS even if offered);
     * pass null to let Exim try STARTTLS whenever the server advertises it (Exim's own default behaviour).
     */
    public EximClient hostsAvoidTls(String hosts) {
        this.hostsAvoidTls = hosts;
        return this;
    }

    public EximClient logSelector(String selector) {
        this.logSelector = selector;
        return this;
    }

    public EximClient primaryHostname(String name) {
        this.primaryHostname = name;
        return this;
    }

    /** An extra line for the main configuration section, e.g. {@code "tls_require_ciphers = ..."}. */
    public EximClient mainOption(String line) {
        this.mainOptions.add(line);
        return this;
    }

    /** An extra option line for the smtp transport, e.g. {@code "hosts_try_fastopen = *"}. */
    public EximClient transportOption(String line) {
        this.transportOptions.add(line);
        return this;
    }

    /**
     * Whether to delete the retry hints database before each run (default true): otherwise one failed
     * connection makes Exim skip the host for every later message until its retry time. The {@code misc} DB
     * (PIPECONNECT's EHLO cache) is always kept.
     */
    public EximClient clearRetryDb(boolean on) {
        this.clearRetryDb = on;
        return this;
    }

    /** Runs Exim inside this network namespace (the server must listen there too). */
    public EximClient inNamespace(NetworkNamespace namespace) {
        runIn(namespace);
        return this;
    }

    public EximClient timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    /** Sends one message with a {@code Subject:} header and {@code body} on its own connection. */
    public ProcessResult send(String from, String to, String body) {
        return sendRaw(from, List.of(to), "Subject: petrel test\n\n" + body);
    }

    /** Sends a complete message (headers, blank line, body; LF line ends) to {@code recipients}. */
    public ProcessResult sendRaw(String from, List<String> recipients, String message) {
        List<String> args = new ArrayList<>(List.of("-odi", "-oi", "-f", from, "--"));
        args.addAll(recipients);
        return run(message.getBytes(StandardCharsets.UTF_8), args.toArray(String[]::new));
    }

    /** Runs this Exim with its configuration and {@code args} (e.g. {@code "-bp"}, {@code "-qff"}, {@code "-bV"}). */
    public ProcessResult run(String... args) {
        return run(null, args);
    }

    private ProcessResult run(byte[] stdin, String... args) {
        Peers.writeEximConfig(config, configuration());
        if (clearRetryDb) {
            try {
                Files.deleteIfExists(spool.resolve("db/retry"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return exim(stdin, timeout, args);
    }

    /** The hints database that caches EHLO responses for PIPECONNECT ({@code exim_dumpdb spool misc}). */
    public ProcessResult dumpMiscDb() {
        return Peers.eximDumpdb(spool, "misc");
    }

    /** The configuration text written before each run. */
    public String configuration() {
        StringBuilder c = mainSection(primaryHostname, logSelector);
        mainOptions.forEach(l -> c.append(l).append('\n'));
        c.append("\nbegin routers\n\n");
        c.append("to_peer:\n");
        c.append("  driver = manualroute\n");
        c.append("  route_list = * ").append(host).append('\n');
        c.append("  self = send\n");
        c.append("  transport = to_peer_smtp\n");
        c.append("\nbegin transports\n\n");
        c.append("to_peer_smtp:\n");
        c.append("  driver = smtp\n");
        c.append("  port = ").append(port).append('\n');
        c.append("  allow_localhost\n");
        if (pipeConnect) {
            c.append("  hosts_pipe_connect = *\n");
        }
        if (tlsResumptionHosts != null) {
            c.append("  tls_resumption_hosts = ").append(tlsResumptionHosts).append('\n');
        }
        if (hostsRequireTls != null) {
            c.append("  hosts_require_tls = ").append(hostsRequireTls).append('\n');
        }
        if (hostsAvoidTls != null) {
            c.append("  hosts_avoid_tls = ").append(hostsAvoidTls).append('\n');
        }
        transportOptions.forEach(l -> c.append("  ").append(l).append('\n'));
        c.append("\nbegin retry\n\n* * F,1m,1m\n");
        return c.toString();
    }

    /** Nothing runs in the background between sends; present so tests can use try-with-resources uniformly. */
    @Override
    public void close() {
    }
}
