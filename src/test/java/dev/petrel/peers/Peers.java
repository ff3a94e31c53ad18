package dev.petrel.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Real, independent SMTP peers for tests: Exim 4.96 (client and server), Postfix 3.7's smtp-source and
 * smtp-sink, eximstats, exim_dumpdb and swaks, as installed by {@code test-peers/install.sh} (Exim and
 * Postfix are extracted into {@code test-peers/root}, not installed). Everything listens on 127.0.0.1 only,
 * every process run is bounded by a timeout, and background processes are killed by {@code close()}/{@code stop()}.
 *
 * <p>Exim runs as root from the extracted tree (its configuration must be owned by root, mode 0644) and drops
 * to the {@code Debian-exim} user for delivery ({@code deliver_drop_privilege = true}), so its spool, log and
 * mail directories inside the work directory are owned by {@code Debian-exim}, and the work directory and its
 * ancestors must be traversable by that user: {@link #prepareWorkDir(Path)} adds {@code o+x} where missing
 * (JUnit's {@code @TempDir} directories are created with mode 0700).
 */
public final class Peers {

    public static final String LOOPBACK = "127.0.0.1";
    public static final String EXIM_USER = "Debian-exim";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private Peers() {
    }

    // ---------------------------------------------------------------- locations

    /** The project directory: the nearest ancestor of {@code user.dir} holding {@code test-peers/install.sh}. */
    public static Path projectDir() {
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("test-peers/install.sh"))) {
                return p;
            }
        }
        throw new IllegalStateException("no test-peers/install.sh above " + start);
    }

    /** {@code test-peers/root}, or the {@code petrel.peers.root} system property / {@code PEERS_ROOT} env var. */
    public static Path root() {
        String override = System.getProperty("petrel.peers.root", System.getenv("PEERS_ROOT"));
        Path root = override != null && !override.isBlank() ? Path.of(override) : projectDir().resolve("test-peers/root");
        if (!Files.isExecutable(root.resolve("usr/sbin/exim4"))) {
            throw new IllegalStateException("the SMTP test peers are not installed in " + root
                    + ": run test-peers/install.sh (as root) first");
        }
        return root.toAbsolutePath();
    }

    /** True when the peers are installed (for {@code Assumptions.assumeTrue}). */
    public static boolean installed() {
        try {
            root();
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    public static Path eximBinary() {
        return root().resolve("usr/sbin/exim4");
    }

    public static Path eximDumpdbBinary() {
        return root().resolve("usr/sbin/exim_dumpdb");
    }

    public static Path eximstatsScript() {
        return root().resolve("usr/sbin/eximstats");
    }

    public static Path smtpSourceBinary() {
        return root().resolve("usr/sbin/smtp-source");
    }

    public static Path smtpSinkBinary() {
        return root().resolve("usr/sbin/smtp-sink");
    }

    /** LD_LIBRARY_PATH for Exim (libidn.so.12 normally comes from the installed libidn12 package). */
    public static String eximLdLibraryPath() {
        return root().resolve("usr/lib/x86_64-linux-gnu").toString();
    }

    /** LD_LIBRARY_PATH for Postfix programs: its private libpostfix-*.so libraries. */
    public static String postfixLdLibraryPath() {
        return root().resolve("usr/lib/postfix").toString();
    }

    static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    // ---------------------------------------------------------------- peers

    /** An Exim 4.96 SMTP client whose configuration, spool (with its hints DBs) and logs live in {@code workDir}. */
    public static EximClient exim(Path workDir) {
        return new EximClient(workDir);
    }

    /** An Exim 4.96 SMTP server daemon on 127.0.0.1:{@code port}; configure it, then {@link EximServer#start()}. */
    public static EximServer eximServer(Path workDir, int port) {
        return new EximServer(workDir, port);
    }

    /**
     * Postfix 3.7 as an SMTP server on 127.0.0.1:{@code port}, delivering into one maildir; configure it, then
     * {@link PostfixServer#start()}.
     */
    public static PostfixServer postfixServer(Path workDir, int port) {
        return new PostfixServer(workDir, port);
    }

    /** Postfix's smtp-source, e.g. {@code smtpSource("-s", "5", "-m", "100", "127.0.0.1:2525")}; 120 s timeout. */
    public static ProcessResult smtpSource(String... args) {
        return smtpSource(Duration.ofSeconds(120), args);
    }

    public static ProcessResult smtpSource(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(smtpSourceBinary().toString());
        cmd.addAll(List.of(args));
        return run(cmd, Map.of("LD_LIBRARY_PATH", postfixLdLibraryPath()), null, timeout);
    }

    /**
     * Postfix's smtp-sink on 127.0.0.1:{@code port} in the background (already listening when this returns).
     * {@code args} are smtp-sink options placed before the address, e.g. {@code "-c"} or {@code "-d", "dir/%M"}.
     */
    public static SmtpSink smtpSink(Path workDir, int port, String... args) {
        return SmtpSink.start(workDir, port, List.of(args), null);
    }

    /**
     * As {@link #smtpSink(Path, int, String...)}, dumping each transaction it receives into a file of its own
     * ({@code -d}), for {@link SmtpSink#transactions()}.
     */
    public static SmtpSink smtpSinkDumping(Path workDir, int port, String... args) {
        Path dumps = ownedDir(prepareWorkDir(workDir).resolve("dumps"), "postfix");
        List<String> options = new ArrayList<>(List.of("-d", dumps + "/%H%M%S."));
        options.addAll(List.of(args));
        return SmtpSink.start(workDir, port, options, dumps);
    }

    /** {@code eximstats mainlog} (a perl script from exim4-base). */
    public static ProcessResult eximstats(Path mainlog, String... options) {
        List<String> cmd = new ArrayList<>(List.of("perl", eximstatsScript().toString()));
        cmd.addAll(List.of(options));
        cmd.add(mainlog.toString());
        return run(cmd, Map.of(), null, DEFAULT_TIMEOUT);
    }

    /** {@code exim_dumpdb spoolDir dbName}, e.g. {@code "misc"} holds the PIPECONNECT EHLO cache. */
    public static ProcessResult eximDumpdb(Path spoolDir, String dbName) {
        return run(List.of(eximDumpdbBinary().toString(), spoolDir.toString(), dbName),
                Map.of("LD_LIBRARY_PATH", eximLdLibraryPath()), null, DEFAULT_TIMEOUT);
    }

    /** swaks (system package), e.g. {@code swaks("--server", "127.0.0.1:2525", "--to", "a@b.test")}. */
    public static ProcessResult swaks(String... args) {
        return swaks(DEFAULT_TIMEOUT, args);
    }

    public static ProcessResult swaks(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("swaks");
        cmd.addAll(List.of(args));
        return run(cmd, Map.of(), null, timeout);
    }

    // ---------------------------------------------------------------- processes

    /**
     * Runs {@code command} to completion or until {@code timeout} (then it and its descendants are killed and
     * {@link ProcessResult#timedOut()} is true). Output goes through temporary files, so it cannot block.
     */
    public static ProcessResult run(List<String> command, Map<String, String> env, byte[] stdin, Duration timeout) {
        Path tmp;
        try {
            tmp = Files.createTempDirectory("petrel-peer-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path out = tmp.resolve("stdout");
        Path err = tmp.resolve("stderr");
        long t0 = System.nanoTime();
        Process p = null;
        try {
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            pb.environment().putAll(env);
            if (stdin == null) {
                pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            }
            p = pb.start();
            if (stdin != null) {
                try (var os = p.getOutputStream()) {
                    os.write(stdin);
                } catch (IOException e) {
                    // the program closed its input early; its exit status tells the rest
                }
            }
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                kill(p);
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
            return new ProcessResult(List.copyOf(command), done ? p.exitValue() : -1,
                    Files.readString(out, StandardCharsets.ISO_8859_1), Files.readString(err, StandardCharsets.ISO_8859_1),
                    !done, elapsed);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        } finally {
            if (p != null && p.isAlive()) {
                kill(p);
            }
            deleteTree(tmp);
        }
    }

    /** Terminates a process and its descendants: SIGTERM, up to 5 s grace, then SIGKILL. */
    public static void kill(Process p) {
        kill(p.toHandle());
    }

    static void kill(ProcessHandle h) {
        List<ProcessHandle> all = new ArrayList<>(h.descendants().toList());
        all.add(h);
        all.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (ProcessHandle ph : all) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                try {
                    ph.onExit().get(left, TimeUnit.NANOSECONDS);
                } catch (Exception e) {
                    // fall through to destroyForcibly
                }
            }
            if (ph.isAlive()) {
                ph.destroyForcibly();
            }
        }
    }

    // ---------------------------------------------------------------- ports, files, permissions

    /**
     * Waits (bounded) until a socket listens on 127.0.0.1:{@code port} (or on any address), read from
     * /proc/net/tcp so that no probe connection disturbs the peer's logs or counters.
     */
    public static boolean awaitListening(int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            if (isListening(port)) {
                return true;
            }
            sleep(50);
        } while (System.nanoTime() < deadline);
        return false;
    }

    /** True when /proc/net/tcp shows a LISTEN socket on 127.0.0.1:{@code port} or 0.0.0.0:{@code port}. */
    public static boolean isListening(int port) {
        String suffix = String.format(":%04X", port);
        for (String line : readLines(Path.of("/proc/net/tcp"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 3 && f[3].equals("0A")
                    && (f[1].equals("0100007F" + suffix) || f[1].equals("00000000" + suffix))) {
                return true;
            }
        }
        return false;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Lines of a log file, or an empty list when it does not exist (yet). */
    public static List<String> readLines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.ISO_8859_1) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Creates {@code workDir} (mode 0755) and makes it and its ancestors traversable by other users (adds o+x
     * where missing, only on directories this process owns), so that Exim's unprivileged user can reach it.
     */
    public static Path prepareWorkDir(Path workDir) {
        Path dir = workDir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            String me = System.getProperty("user.name");
            for (Path p = dir.getParent(); p != null; p = p.getParent()) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)
                        && Files.getOwner(p).getName().equals(me)) {
                    perms.add(PosixFilePermission.OTHERS_EXECUTE);
                    Files.setPosixFilePermissions(p, perms);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** Creates {@code dir} (and parents) owned by the Exim user, mode 0750 (when running as root). */
    static Path eximOwnedDir(Path dir) {
        return ownedDir(dir, EXIM_USER);
    }

    /** Creates {@code dir} (and parents) owned by {@code user} and its group, mode 0750 (when running as root). */
    static Path ownedDir(Path dir, String user) {
        try {
            Files.createDirectories(dir);
            if (runningAsRoot()) {
                UserPrincipalLookupService lookup = dir.getFileSystem().getUserPrincipalLookupService();
                PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
                view.setOwner(lookup.lookupPrincipalByName(user));
                view.setGroup(lookup.lookupPrincipalByGroupName(user));
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes an Exim configuration file as Exim insists: owned by root, not writable by group or others. */
    static void writeEximConfig(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void requireRoot(String what) {
        if (!runningAsRoot()) {
            throw new IllegalStateException(what + " needs root: Exim refuses a configuration not owned by root"
                    + " (run the tests as root, as bin/test does in CI)");
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
