package dev.petrel.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Exim 4.96 running as an SMTP server daemon on 127.0.0.1:port ({@code exim -C conf -bdf}, foreground, so the
 * Java process owns it). It accepts any sender and any recipient for any domain and, by default, delivers every
 * message into one maildir under the work directory (a fixed path: a path built from {@code $local_part} is
 * refused as tainted). {@link Delivery#QUEUE_ONLY} keeps accepted messages on the spool (acceptance only, as in
 * benchmarks), {@link Delivery#DEV_NULL} appends them to /dev/null. PIPECONNECT is advertised to every host.
 *
 * <p>Extra main-section lines ({@link #mainOption}) and the {@link #tls(Path, Path)} shortcut leave room for TLS
 * tests. Setters only take effect at the next {@link #start()}.
 */
public final class EximServer extends EximInstance implements AutoCloseable {
    private boolean namespaced;

    public enum Delivery { MAILDIR, DEV_NULL, QUEUE_ONLY }

    private final int port;
    private final Path maildir;
    private Delivery delivery = Delivery.MAILDIR;
    private boolean pipeConnectAdvertise = true;
    private String logSelector = EximClient.DEFAULT_LOG_SELECTOR;
    private String primaryHostname = "server.petrel.test";
    private String tlsAdvertiseHosts = "";
    private int tlsOnConnectPort = -1;
    private final List<String> mainOptions = new ArrayList<>();
    private final List<String> rcptAcl = new ArrayList<>();
    private String bannerDelay;
    private Duration startTimeout = Duration.ofSeconds(15);
    private Process process;

    EximServer(Path workDir, int port) {
        super(workDir, "server");
        this.port = port;
        this.maildir = this.workDir.resolve("maildir");
        Peers.eximOwnedDir(maildir);
    }

    public EximServer delivery(Delivery delivery) {
        this.delivery = delivery;
        return this;
    }

    /** {@code pipelining_connect_advertise_hosts = *} (default) or empty. */
    public EximServer pipeConnectAdvertise(boolean on) {
        this.pipeConnectAdvertise = on;
        return this;
    }

    public EximServer logSelector(String selector) {
        this.logSelector = selector;
        return this;
    }

    public EximServer primaryHostname(String name) {
        this.primaryHostname = name;
        return this;
    }

    /**
     * Offers STARTTLS with this certificate chain and key (PEM). They are copied into the work directory,
     * readable by the Exim user. Also sets {@code tls_advertise_hosts = *}.
     */
    public EximServer tls(Path certificatePem, Path privateKeyPem) {
        Path dir = Peers.eximOwnedDir(workDir.resolve("tls"));
        try {
            Path cert = dir.resolve("cert.pem");
            Path key = dir.resolve("key.pem");
            Files.copy(certificatePem, cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(privateKeyPem, key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            for (Path p : List.of(cert, key)) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
            }
            if (!mainOptions.contains("tls_certificate = " + cert)) {
                // Called again (another certificate for a restart): the files are replaced, the lines stay.
                mainOptions.add("tls_certificate = " + cert);
                mainOptions.add("tls_privatekey = " + key);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.tlsAdvertiseHosts = "*";
        return this;
    }

    /**
     * Asks TLS clients for a certificate signed by the CA in {@code caPem} (copied where the Exim user can read
     * it): {@code required} makes a client without one fail the handshake ({@code tls_verify_hosts = *}), else it
     * is only checked ({@code tls_try_verify_hosts = *}). Call after {@link #tls}.
     */
    public EximServer verifyClients(Path caPem, boolean required) {
        Path ca = Peers.eximOwnedDir(workDir.resolve("tls")).resolve("client-ca.pem");
        try {
            Files.copy(caPem, ca, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(ca, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        mainOptions.add("tls_verify_certificates = " + ca);
        mainOptions.add((required ? "tls_verify_hosts" : "tls_try_verify_hosts") + " = *");
        return this;
    }

    /** Also listens on {@code port} with TLS from the first octet ({@code tls_on_connect_ports}). */
    public EximServer tlsOnConnect(int port) {
        this.tlsOnConnectPort = port;
        mainOptions.add("tls_on_connect_ports = " + port);
        return this;
    }

    /** {@code tls_advertise_hosts} (default empty: no STARTTLS). */
    public EximServer tlsAdvertiseHosts(String hosts) {
        this.tlsAdvertiseHosts = hosts;
        return this;
    }

    /** Main option {@code tls_resumption_hosts} (hosts offered TLS session resumption). */
    public EximServer tlsResumptionHosts(String hosts) {
        mainOptions.add("tls_resumption_hosts = " + hosts);
        return this;
    }

    /** An extra line for the main configuration section. */
    public EximServer mainOption(String line) {
        mainOptions.add(line);
        return this;
    }

    /** An extra line placed before the final {@code accept} of the RCPT ACL, e.g. {@code "deny local_parts = nobody"}. */
    public EximServer rcptAclLine(String line) {
        rcptAcl.add(line);
        return this;
    }

    /**
     * Holds the banner back this long (a {@code delay} in {@code acl_smtp_connect}), as a server across a
     * network is slow to greet: a client's early-pipelined first octets are then surely there before it.
     */
    public EximServer bannerDelay(String eximTime) {
        this.bannerDelay = eximTime;
        return this;
    }

    public EximServer startTimeout(Duration timeout) {
        this.startTimeout = timeout;
        return this;
    }

    public int port() {
        return port;
    }

    public Path maildir() {
        return maildir;
    }

    /** Starts the daemon and waits (bounded) until it listens on 127.0.0.1:port. */
    /** Runs the daemon inside {@code namespace}; its port is then only reachable from inside it too. */
    public EximServer inNamespace(NetworkNamespace namespace) {
        runIn(namespace);
        namespaced = true;
        return this;
    }

    public synchronized EximServer start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already started");
        }
        Peers.writeEximConfig(config, configuration());
        List<String> cmd = eximCommand("-bdf");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.resolve("exim-server.out").toFile()));
            pb.environment().putAll(eximEnvironment());
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
        long deadline = System.nanoTime() + startTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("exim daemon exited with " + process.exitValue() + ": "
                        + Peers.readLines(workDir.resolve("exim-server.out")) + " panic: " + paniclog());
            }
            // Exim logs its start once its listeners are bound; a namespace's port cannot be seen from here.
            if (mainlog().stream().anyMatch(l -> l.contains("daemon started")) && (namespaced || Peers.isListening(port))) {
                return this;
            }
            Peers.sleep(50);
        }
        stop();
        throw new IllegalStateException("exim daemon did not listen on port " + port + " within " + startTimeout);
    }

    /** Stops the daemon and anything it forked (SIGTERM, then SIGKILL after 5 s). */
    public synchronized void stop() {
        if (process != null) {
            Peers.kill(process);
            process = null;
        }
    }

    public boolean running() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        stop();
    }

    public List<String> rejectlog() {
        return Peers.readLines(logDir.resolve("rejectlog"));
    }

    /** Waits (bounded) until the mainlog has a line containing {@code fragment}; returns whether it came. */
    public boolean awaitMainlog(String fragment, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            if (mainlog().stream().anyMatch(l -> l.contains(fragment))) {
                return true;
            }
            Peers.sleep(50);
        } while (System.nanoTime() < deadline);
        return false;
    }

    /** Files of delivered messages ({@code maildir/new} and {@code maildir/cur}). */
    public List<Path> maildirMessages() {
        List<Path> out = new ArrayList<>();
        for (String sub : List.of("new", "cur")) {
            Path d = maildir.resolve(sub);
            if (Files.isDirectory(d)) {
                try (Stream<Path> s = Files.list(d)) {
                    s.sorted().forEach(out::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return out;
    }

    /** Runs this Exim with the server configuration and {@code args}, e.g. {@code "-bp"} to list the queue. */
    public ProcessResult run(String... args) {
        return exim(null, Peers.DEFAULT_TIMEOUT, args);
    }

    public String configuration() {
        StringBuilder c = mainSection(primaryHostname, logSelector);
        c.append("local_interfaces = ").append(Peers.LOOPBACK).append('\n');
        c.append("daemon_smtp_ports = ").append(port).append(tlsOnConnectPort < 0 ? "" : " : " + tlsOnConnectPort)
                .append('\n');
        c.append("tls_advertise_hosts = ").append(tlsAdvertiseHosts).append('\n');
        c.append("pipelining_connect_advertise_hosts = ").append(pipeConnectAdvertise ? "*" : "").append('\n');
        c.append("smtp_accept_max = 200\n");
        c.append("smtp_connect_backlog = 128\n");
        c.append("smtp_accept_queue_per_connection = 0\n");
        c.append("message_size_limit = 100M\n");
        if (delivery == Delivery.QUEUE_ONLY) {
            c.append("queue_only = true\n");
        }
        c.append("acl_smtp_rcpt = acl_rcpt\n");
        if (bannerDelay != null) {
            c.append("acl_smtp_connect = acl_connect\n");
        }
        mainOptions.forEach(l -> c.append(l).append('\n'));
        c.append("\nbegin acl\n\n");
        if (bannerDelay != null) {
            c.append("acl_connect:\n  accept delay = ").append(bannerDelay).append("\n\n");
        }
        c.append("acl_rcpt:\n");
        rcptAcl.forEach(l -> c.append("  ").append(l).append('\n'));
        c.append("  accept\n");
        c.append("\nbegin routers\n\n");
        c.append("everything:\n  driver = accept\n  transport = store\n");
        c.append("\nbegin transports\n\n");
        c.append("store:\n  driver = appendfile\n  user = ").append(Peers.EXIM_USER).append('\n');
        if (delivery == Delivery.DEV_NULL) {
            c.append("  file = /dev/null\n");
        } else {
            c.append("  directory = ").append(maildir).append("\n  maildir_format\n  create_directory\n");
        }
        c.append("\nbegin retry\n\n* * F,1m,1m\n");
        return c.toString();
    }
}
