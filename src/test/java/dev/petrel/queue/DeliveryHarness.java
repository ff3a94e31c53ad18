package dev.petrel.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.petrel.config.Config;
import dev.petrel.log.MainLog;
import dev.petrel.spool.Envelope;
import dev.petrel.spool.MessageId;
import dev.petrel.spool.Reception;
import dev.petrel.spool.Spool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A spool, a main log and a queue runner for one configuration: spool a message, deliver it, read the log. */
final class DeliveryHarness implements AutoCloseable {
    private final Path dir;
    final Spool spool;
    final QueueRunner runner;
    private final MainLog log;
    MessageId.Format idFormat = MessageId.Format.EXIM_4_97;

    DeliveryHarness(Path dir, Config config) throws IOException {
        this.dir = dir;
        this.spool = Spool.open(dir.resolve("spool"));
        this.log = MainLog.open(dir.resolve("log/%slog").toString(), config.main().logSelector());
        this.runner = new QueueRunner(config, spool, log, Duration.ofHours(1), dir);
    }

    /**
     * A configuration that relays everything to 127.0.0.1 at {@code port} through the smtp transport
     * {@code remote_smtp} (router {@code smarthost}), with short timeouts and {@code +pipelining}.
     *
     * @param main further main option lines
     * @param transportOptions further option lines of the transport, indented
     */
    static Config smarthost(Path dir, int port, String main, String... transportOptions) throws Exception {
        return Config.parse("""
                primary_hostname = petrel.test
                spool_directory = %s
                log_selector = +pipelining
                %s
                begin routers
                smarthost:
                  driver = manualroute
                  transport = remote_smtp
                  route_list = * 127.0.0.1::%d
                begin transports
                remote_smtp:
                  driver = smtp
                  command_timeout = 5s
                  data_timeout = 5s
                  connect_timeout = 5s
                %s
                """.formatted(dir.resolve("spool"), main, port, String.join("\n", transportOptions)), "test.conf");
    }

    /** Spools a message, submits it and waits (bounded) until the attempt is over; returns its id. */
    String deliver(String sender, String data, String... rcpts) throws Exception {
        String id = submit(sender, data, rcpts);
        awaitIdle();
        return id;
    }

    /** Spools a message and submits it for delivery without waiting; returns its id. */
    String submit(String sender, String data, String... rcpts) throws Exception {
        return submit(Envelope.local(sender, List.of(rcpts)), data);
    }

    /** Spools a message with this envelope and submits it without waiting; returns its id. */
    String submit(Envelope envelope, String data) throws Exception {
        String id = MessageId.next(idFormat);
        Reception r = spool.receive(id);
        r.append(data.getBytes(StandardCharsets.UTF_8));
        r.commit(envelope).join();
        runner.submit(id);
        return id;
    }

    /** Spools a message with this envelope, submits it and waits (bounded) until the attempt is over. */
    String deliver(Envelope envelope, String data) throws Exception {
        String id = submit(envelope, data);
        awaitIdle();
        return id;
    }

    void awaitIdle() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!runner.idle()) {
            assertThat(System.nanoTime()).as("delivery still running; log: %s", mainLog()).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** The main log without the timestamps. */
    List<String> mainLog() throws IOException {
        Path p = dir.resolve("log/mainlog");
        return Files.exists(p) ? Files.readAllLines(p).stream().map(l -> l.substring(20)).toList() : List.of();
    }

    Path mainLogFile() {
        return dir.resolve("log/mainlog");
    }

    @Override
    public void close() throws IOException {
        runner.close();
        spool.close();
        log.close();
    }
}
