package dev.petrel.server;

import dev.petrel.config.Config;
import dev.petrel.log.MainLog;
import dev.petrel.queue.QueueRunner;
import dev.petrel.spool.MessageId;
import dev.petrel.spool.Spool;
import dev.petrel.testkit.LogLines;
import dev.petrel.testkit.Loopback;
import dev.petrel.testkit.TestConfig;
import dev.petrel.tls.ServerCredentials;
import dev.petrel.tls.ServerTls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Petrel server in the test JVM, listening on a loopback port the kernel picks (port 0, read back from the
 * listener), with its spool and logs in a temp dir.
 */
final class TestServer implements AutoCloseable {
    final Path dir;
    final Config config;
    final MainLog log;
    final Spool spool;
    final SmtpServer server;
    final QueueRunner queue;
    final ServerTls tls;
    private static final java.util.concurrent.ScheduledExecutorService TIMER =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "test-tls-timer");
                t.setDaemon(true);
                return t;
            });
    /** One certificate for every test server in this JVM: RSA key generation is slow. */
    private static Path sharedCredentials;

    static synchronized Path credentials() throws IOException {
        if (sharedCredentials == null) {
            Path dir = Files.createTempDirectory("petrel-test-tls");
            ServerCredentials.selfSigned(dir, "petrel.test");
            sharedCredentials = dir;
        }
        return sharedCredentials;
    }
    final List<String> accepted = new CopyOnWriteArrayList<>();

    private TestServer(Path dir, String extraMain, boolean deliver) throws Exception {
        this.dir = dir;
        String text = TestConfig.withLocalDelivery(dir, """
                primary_hostname = petrel.test
                local_interfaces = 127.0.0.1.0
                spool_directory = %1$s/spool
                log_file_path = %1$s/log/%%slog
                log_selector = +all
                smtp_receive_timeout = 30s
                tls_certificate = %3$s/selfsigned-cert.pem
                tls_privatekey = %3$s/selfsigned-key.pem
                domainlist local_domains = @ : localhost : test.ex
                domainlist relay_to_domains = relay.test
                hostlist relay_from_hosts =
                %2$s
                """.formatted(dir.toAbsolutePath(), extraMain, credentials()));
        this.config = Config.parse(text, "test.conf");
        this.log = MainLog.open(config.main().logFilePath(), config.main().logSelector());
        this.spool = Spool.open(config.main().spoolDirectory(), MessageId.Format.of(config.main().messageIdFormat()));
        this.queue = deliver ? new QueueRunner(config, spool, log, Duration.ofHours(1)) : null;
        this.tls = ServerTls.create(config.main(), TIMER, log);
        this.server = new SmtpServer(config.main(), spool, log, id -> {
            accepted.add(id);
            if (queue != null) {
                queue.submit(id);
            }
        }, "test", tls);
        server.start();
    }

    static TestServer start(Path dir, String... extraMainLines) throws Exception {
        return new TestServer(dir, String.join("\n", extraMainLines), false);
    }

    static TestServer startDelivering(Path dir, String... extraMainLines) throws Exception {
        return new TestServer(dir, String.join("\n", extraMainLines), true);
    }

    interface IoAction<T> {
        T run() throws Exception;
    }

    /**
     * Runs {@code action} while every worker event loop is held, so that whatever the client sends is already
     * waiting in the socket when the server first looks at the connection: the early-talker case, made
     * deterministic.
     */
    <T> T withWorkersHeld(IoAction<T> action) throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.List<io.netty.util.concurrent.EventExecutor> loops = new java.util.ArrayList<>();
        server.workers().forEach(loops::add);
        java.util.concurrent.CountDownLatch allHeld = new java.util.concurrent.CountDownLatch(loops.size());
        for (io.netty.util.concurrent.EventExecutor loop : loops) {
            loop.execute(() -> {
                allHeld.countDown();
                try {
                    release.await(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        allHeld.await(10, java.util.concurrent.TimeUnit.SECONDS);
        try {
            T result = action.run();
            Loopback.awaitDelivered(port(), Duration.ofSeconds(5));
            return result;
        } finally {
            release.countDown();
        }
    }

    int port() {
        return server.boundAddresses().get(0).getPort();
    }

    RawClient client() throws IOException {
        return new RawClient(port());
    }

    List<String> mainlog() {
        return LogLines.of(MainLog.pathOf(config.main().logFilePath(), "main"));
    }

    /** Waits (boundedly) for a mainlog line containing {@code text}. */
    String awaitLog(String text) throws Exception {
        return LogLines.await(MainLog.pathOf(config.main().logFilePath(), "main"), text, Duration.ofSeconds(10));
    }

    @Override
    public void close() throws Exception {
        server.close();
        tls.close();
        if (queue != null) {
            queue.close();
        }
        spool.close();
        log.close();
    }
}
