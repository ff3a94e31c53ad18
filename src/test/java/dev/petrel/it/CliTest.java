package dev.petrel.it;

import dev.petrel.peers.ProcessResult;
import dev.petrel.testkit.PetrelCommand;
import dev.petrel.testkit.TestConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code petrel} command as an operator runs it: each call its own JVM. */
@Timeout(180)
class CliTest {
    @TempDir
    Path dir;

    private static ProcessResult petrel(Path workDir, byte[] stdin, String... args) {
        return PetrelCommand.run(stdin, args);
    }

    private static ProcessResult petrel(Path workDir, String... args) {
        return petrel(workDir, new byte[0], args);
    }

    @Test
    void versionNamesTheFeatures() {
        ProcessResult r = petrel(dir, "version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).startsWith("Petrel version ").containsPattern("(?m)^Support for: .*PIPECONNECT.*CHUNKING.* BoringSSL TLS_resume$");
    }

    @Test
    void configPrintsOptionsAndRejectsUnknownOnesWithFileAndLine() throws Exception {
        Path good = dir.resolve("good.conf");
        Files.writeString(good, "primary_hostname = cli.test\npipelining_connect_advertise_hosts = 192.0.2.0/24\n");
        ProcessResult one = petrel(dir, "config", "-C", good.toString(), "pipelining_connect_advertise_hosts");
        assertThat(one.exitCode()).isZero();
        assertThat(one.stdout()).isEqualTo("pipelining_connect_advertise_hosts = 192.0.2.0/24\n");
        ProcessResult all = petrel(dir, "config", "-C", good.toString());
        assertThat(all.stdout()).contains("primary_hostname = cli.test\n", "message_size_limit = 50M\n");

        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, "primary_hostname = cli.test\n\nno_such_option = 1\n");
        ProcessResult r = petrel(dir, "config", "-C", bad.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).contains("bad.conf line 3").contains("no_such_option");
        ProcessResult daemon = petrel(dir, "daemon", "-C", bad.toString());
        assertThat(daemon.exitCode()).isEqualTo(1);
        assertThat(daemon.stderr()).contains("bad.conf line 3");
    }

    @Test
    void configPrintsDriverOptionsAndRefusesUnimplementedOnes() throws Exception {
        Path conf = dir.resolve("drivers.conf");
        Files.writeString(conf, """
                primary_hostname = cli.test
                begin routers
                smarthost:
                  driver = manualroute
                  route_list = * 127.0.0.1
                  transport = remote_smtp
                begin transports
                remote_smtp:
                  driver = smtp
                  port = 2526
                  connect_timeout = 90s
                """);
        ProcessResult port = petrel(dir, "config", "-C", conf.toString(), "-t", "remote_smtp", "port", "data_timeout");
        assertThat(port.exitCode()).isZero();
        assertThat(port.stdout()).isEqualTo("port = 2526\ndata_timeout = 5m\n");
        ProcessResult all = petrel(dir, "config", "-C", conf.toString(), "--transport=remote_smtp");
        assertThat(all.exitCode()).isZero();
        assertThat(all.stdout()).startsWith("command_timeout = 5m\nconnect_timeout = 1m30s\n")
                .contains("driver = smtp\n", "hosts_pipe_connect =\n", "hosts_try_chunking = *\n");
        ProcessResult router = petrel(dir, "config", "-C", conf.toString(), "-r", "smarthost", "route_list", "more", "no_such");
        assertThat(router.exitCode()).isEqualTo(1);
        assertThat(router.stdout()).isEqualTo("route_list = * 127.0.0.1\nmore = true\n");
        assertThat(router.stderr()).contains("no_such: unknown option of router smarthost");
        ProcessResult missing = petrel(dir, "config", "-C", conf.toString(), "-r", "nowhere");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.stderr()).contains("nowhere: no router of that name");

        Path bad = dir.resolve("local.conf");
        Files.writeString(bad, """
                begin transports
                local:
                  driver = appendfile
                  directory = /tmp/mail/$local_part
                  file = /var/mail/$local_part
                """);
        ProcessResult daemon = petrel(dir, "daemon", "-C", bad.toString());
        assertThat(daemon.exitCode()).isEqualTo(1);
        assertThat(daemon.stderr()).contains(bad + " line 5: transport \"local\": option \"file\" is not implemented yet");
    }

    @Test
    void submitQueueListRunAndRemove() throws Exception {
        Path conf = dir.resolve("petrel.conf");
        Files.writeString(conf, TestConfig.withLocalDelivery(dir, """
                primary_hostname = cli.test
                spool_directory = %1$s/spool
                log_file_path = %1$s/log/%%slog
                log_selector = +received_recipients
                domainlist local_domains = cli.test
                """.formatted(dir)));
        byte[] message = "Subject: queued\n\nfirst\n".getBytes(StandardCharsets.US_ASCII);
        ProcessResult queued = petrel(dir, message, "submit", "-C", conf.toString(), "-f", "a@cli.test",
                "--queue-only", "bob@cli.test");
        assertThat(queued.exitCode()).as(queued.toString()).isZero();
        String id = queued.stdout().strip();
        ProcessResult list = petrel(dir, "queue", "list", "-C", conf.toString());
        assertThat(list.stdout()).contains(id).contains("<a@cli.test>").contains("bob@cli.test");

        ProcessResult second = petrel(dir, message, "submit", "-C", conf.toString(), "-f", "a@cli.test",
                "--queue-only", "carol@cli.test");
        String secondId = second.stdout().strip();
        ProcessResult removed = petrel(dir, "queue", "remove", "-C", conf.toString(), secondId);
        assertThat(removed.stdout()).contains("Message " + secondId + " has been removed");

        ProcessResult run = petrel(dir, "queue", "run", "-C", conf.toString());
        assertThat(run.exitCode()).isZero();
        assertThat(petrel(dir, "queue", "list", "-C", conf.toString()).stdout()).isBlank();
        try (var files = Files.list(dir.resolve("mail/bob/new"))) {
            String delivered = Files.readString(files.findFirst().orElseThrow());
            assertThat(delivered).contains("Subject: queued").contains("Message-Id: <" + id + "@cli.test>")
                    .contains("first\n").doesNotContain("\r");
        }
        assertThat(Files.exists(dir.resolve("mail/carol"))).isFalse();
        String log = Files.readString(dir.resolve("log/mainlog"));
        assertThat(log).contains(id + " <= a@cli.test U=").contains(id + " => bob <bob@cli.test> R=localuser")
                .contains(secondId + " removed by ").contains(id + " Completed");
    }
}
