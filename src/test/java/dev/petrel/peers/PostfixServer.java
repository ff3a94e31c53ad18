package dev.petrel.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Postfix 3.7 as an SMTP server on 127.0.0.1:port, run from the extracted tree as bench/postfix-standalone.sh
 * runs it, except that its master runs in the foreground ({@code master -d}), so the Java process owns it and
 * {@link #close()} ends it with everything it started. smtpd accepts any recipient from 127.0.0.1 and the
 * virtual(8) agent delivers every message into one maildir ({@link #maildir()}); the log, with every daemon's
 * lines, is {@link #maillog()}.
 *
 * <p>Needs root, as Exim does: master binds and then runs its daemons as the {@code postfix} user, which owns
 * the data and mail directories here. Setters take effect at the next {@link #start()}.
 */
public final class PostfixServer implements AutoCloseable {
    private static final String USER = "postfix";

    private final Path workDir;
    private final int port;
    private final Path conf;
    private final List<String> mainOptions = new ArrayList<>();
    private Process process;

    PostfixServer(Path workDir, int port) {
        Peers.requireRoot("Postfix");
        this.workDir = Peers.prepareWorkDir(workDir);
        this.port = port;
        this.conf = this.workDir.resolve("etc");
    }

    /** An extra main.cf line, e.g. {@code "smtpd_discard_ehlo_keywords = chunking"}. */
    public PostfixServer mainOption(String line) {
        mainOptions.add(line);
        return this;
    }

    public int port() {
        return port;
    }

    /** The maildir every message is delivered into. */
    public Path maildir() {
        return workDir.resolve("mail/box");
    }

    /** Lines of Postfix's log (maillog_file, written by postlogd; empty before the first line). */
    public List<String> maillog() {
        return Peers.readLines(workDir.resolve("maillog"));
    }

    /** Waits (bounded) until the log has a line containing {@code fragment}; returns whether it came. */
    public boolean awaitMaillog(String fragment, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            if (maillog().stream().anyMatch(l -> l.contains(fragment))) {
                return true;
            }
            Peers.sleep(50);
        } while (System.nanoTime() < deadline);
        return false;
    }

    /** Files of delivered messages ({@code new/} and {@code cur/}), in name order. */
    public List<Path> delivered() {
        List<Path> out = new ArrayList<>();
        for (String sub : List.of("new", "cur")) {
            Path d = maildir().resolve(sub);
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

    /**
     * Writes the configuration, lets {@code postfix check} create the queue directories, starts the master in
     * the foreground and waits (bounded) until smtpd listens.
     */
    public synchronized PostfixServer start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already started");
        }
        try {
            Files.createDirectories(conf);
            Files.createDirectories(workDir.resolve("queue"));
            Peers.ownedDir(workDir.resolve("data"), USER);
            Peers.ownedDir(workDir.resolve("mail"), USER);
            Path meta = Peers.root().resolve("etc/postfix");
            Files.copy(meta.resolve("postfix-files"), conf.resolve("postfix-files"), StandardCopyOption.REPLACE_EXISTING);
            Files.createDirectories(conf.resolve("postfix-files.d"));
            Files.createDirectories(conf.resolve("dynamicmaps.cf.d"));
            Files.writeString(conf.resolve("dynamicmaps.cf"), "");
            Files.writeString(conf.resolve("main.cf"), mainCf());
            Files.writeString(conf.resolve("master.cf"), masterCf());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> env = Map.of("LD_LIBRARY_PATH", Peers.postfixLdLibraryPath());
        Peers.run(List.of(Peers.root().resolve("usr/sbin/postfix").toString(), "-c", conf.toString(), "check"),
                env, null, Peers.DEFAULT_TIMEOUT).requireOk();
        List<String> cmd = List.of(daemonDir().resolve("master").toString(), "-c", conf.toString(), "-d");
        Path out = workDir.resolve("master.out");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
            pb.environment().putAll(env);
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("postfix master exited with " + process.exitValue() + ": "
                        + Peers.readLines(out) + " log: " + maillog());
            }
            if (Peers.isListening(port)) {
                return this;
            }
            Peers.sleep(50);
        }
        stop();
        throw new IllegalStateException("postfix did not listen on port " + port + "; log: " + maillog());
    }

    /** Stops the master (SIGTERM: it ends its daemons) and anything left of them. */
    public synchronized void stop() {
        if (process != null) {
            Peers.kill(process);
            process = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static Path daemonDir() {
        return Peers.root().resolve("usr/lib/postfix/sbin");
    }

    private String mainCf() {
        Path root = Peers.root();
        StringBuilder c = new StringBuilder();
        c.append("# Postfix 3.7 as an SMTP server for Petrel tests (generated by ").append(getClass().getName())
                .append(")\n");
        c.append("""
                compatibility_level = 3.6
                config_directory = %1$s/etc
                meta_directory = %1$s/etc
                queue_directory = %1$s/queue
                data_directory = %1$s/data
                command_directory = %2$s/usr/sbin
                daemon_directory = %3$s
                shlib_directory = %4$s
                sendmail_path = %2$s/usr/sbin/sendmail
                newaliases_path = %2$s/usr/bin/newaliases
                mailq_path = %2$s/usr/bin/mailq
                html_directory = no
                readme_directory = no
                manpage_directory = %2$s/usr/share/man
                sample_directory = %1$s/etc
                import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C LD_LIBRARY_PATH=%4$s
                mail_owner = postfix
                setgid_group = postdrop
                maillog_file = %1$s/maillog
                maillog_file_prefixes = %1$s
                myhostname = postfix.petrel.test
                mydomain = petrel.test
                myorigin = petrel.test
                mydestination =
                inet_interfaces = 127.0.0.1
                inet_protocols = ipv4
                mynetworks = 127.0.0.0/8
                relay_domains =
                alias_maps =
                alias_database =
                local_recipient_maps =
                smtpd_peername_lookup = no
                smtp_dns_support_level = disabled
                biff = no
                in_flow_delay = 0
                smtpd_client_connection_count_limit = 0
                smtpd_relay_restrictions = permit_mynetworks, reject
                smtpd_recipient_restrictions = permit_mynetworks, reject
                # every domain is a virtual mailbox domain, every recipient goes into one maildir
                virtual_mailbox_domains = static:all
                virtual_mailbox_base = %1$s/mail
                virtual_mailbox_maps = static:box/
                virtual_uid_maps = static:%5$d
                virtual_gid_maps = static:%6$d
                """.formatted(workDir, root, daemonDir(), Peers.postfixLdLibraryPath(), uid(), gid()));
        mainOptions.forEach(l -> c.append(l).append('\n'));
        return c.toString();
    }

    /** chroot off everywhere (the queue is no prepared jail); what receiving and virtual delivery need. */
    private String masterCf() {
        return """
                127.0.0.1:%d inet n - n - - smtpd
                pickup    unix  n - n 60 1 pickup
                cleanup   unix  n - n - 0 cleanup
                qmgr      unix  n - n 300 1 qmgr
                rewrite   unix  - - n - - trivial-rewrite
                bounce    unix  - - n - 0 bounce
                defer     unix  - - n - 0 bounce
                trace     unix  - - n - 0 bounce
                verify    unix  - - n - 1 verify
                flush     unix  n - n 1000? 0 flush
                proxymap  unix  - - n - - proxymap
                showq     unix  n - n - - showq
                error     unix  - - n - - error
                retry     unix  - - n - - error
                discard   unix  - - n - - discard
                virtual   unix  - n n - - virtual
                anvil     unix  - - n - 1 anvil
                scache    unix  - - n - 1 scache
                postlog   unix-dgram n - n - 1 postlogd
                """.formatted(port);
    }

    private static int uid() {
        return idOf("-u");
    }

    private static int gid() {
        return idOf("-g");
    }

    private static int idOf(String flag) {
        ProcessResult r = Peers.run(List.of("id", flag, USER), Map.of(), null, Duration.ofSeconds(10)).requireOk();
        return Integer.parseInt(r.stdout().trim());
    }
}
