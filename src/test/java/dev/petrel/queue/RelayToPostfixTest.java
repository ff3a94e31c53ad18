package dev.petrel.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.petrel.config.Config;
import dev.petrel.peers.Peers;
import dev.petrel.peers.PostfixServer;
import dev.petrel.testkit.Ports;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Petrel's smtp transport against a real Postfix 3.7 smtpd, which delivers into a maildir: with CHUNKING offered
 * (Petrel sends {@code BDAT n LAST}) and with it discarded (Petrel falls back to DATA and dot-stuffs). Both
 * sides' logs tell the same story, and the text Postfix stores is exactly the text Petrel spooled (lines that
 * start with a dot, a line that is only a dot, 8-bit octets), behind the headers Postfix adds.
 */
class RelayToPostfixTest {
    private static final String MESSAGE = """
            Message-ID: <relay-postfix@test.ex>
            Date: Sun, 29 Nov 2026 12:00:00 +0000
            From: alice@test.ex
            To: a@relay.test, b@relay.test
            Subject: through Postfix
            MIME-Version: 1.0
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: 8bit

            .a line that starts with a dot
            ..two dots
            .
            Grüße aus Köln: naïve café, 8-bit octets
            ...
            the last line
            """.replace("\n", "\r\n");
    /** What Postfix adds in front of the message (virtual(8)'s three, smtpd's Received, folded). */
    private static final Pattern ADDED_HEADERS = Pattern.compile(
            "Return-Path: <alice@test\\.ex>\nX-Original-To: ([ab]@relay\\.test)\nDelivered-To: \\1\nReceived: from petrel\\.test "
                    + "\\(unknown \\[127\\.0\\.0\\.1\\]\\)\n(\t[^\n]*\n)+");

    @TempDir
    Path dir;
    private DeliveryHarness harness;

    @AfterEach
    void close() throws Exception {
        closeHarness();
    }

    private void closeHarness() throws Exception {
        if (harness != null) {
            harness.close();
            harness = null;
        }
    }

    @Test
    void withChunkingPetrelSendsBdatLast() throws Exception {
        int port = Ports.free();
        try (PostfixServer postfix = Peers.postfixServer(dir.resolve("postfix"), port).start()) {
            String queueId = relay(postfix, " K");
            assertThat(postfix.maillog()).noneMatch(l -> l.contains("discarding EHLO keywords"));
            assertThat(disconnect(postfix)).contains(" ehlo=1 mail=1 rcpt=2 bdat=1 ").doesNotContain("data=");
            assertDelivered(postfix, queueId);
        }
    }

    @Test
    void withChunkingDiscardedPetrelFallsBackToData() throws Exception {
        int port = Ports.free();
        try (PostfixServer postfix = Peers.postfixServer(dir.resolve("postfix"), port)
                .mainOption("smtpd_discard_ehlo_keywords = chunking").start()) {
            String queueId = relay(postfix, "");
            assertThat(postfix.maillog()).anyMatch(l -> l.contains("discarding EHLO keywords: CHUNKING"));
            assertThat(disconnect(postfix)).contains(" ehlo=1 mail=1 rcpt=2 data=1 ").doesNotContain("bdat=");
            assertDelivered(postfix, queueId);
        }
    }

    /**
     * Relays MESSAGE to a@ and b@relay.test through Postfix and checks Petrel's log ({@code chunking}: " K" or
     * ""); returns the queue id Postfix's 250 named.
     */
    private String relay(PostfixServer postfix, String chunking) throws Exception {
        Config config = Config.parse("""
                primary_hostname = petrel.test
                log_selector = +pipelining
                begin routers
                smarthost:
                  driver = manualroute
                  transport = remote_smtp
                  route_list = * 127.0.0.1::%d
                begin transports
                remote_smtp:
                  driver = smtp
                  command_timeout = 10s
                  connect_timeout = 5s
                """.formatted(postfix.port()), "test.conf");
        harness = new DeliveryHarness(dir.resolve("petrel"), config);
        String id = harness.deliver("alice@test.ex", MESSAGE, "a@relay.test", "b@relay.test");
        List<String> lines = harness.mainLog();
        closeHarness(); // ends any connection kept open for reuse, so Postfix logs its disconnect

        assertThat(lines).hasSize(3);
        // After BDAT, Postfix's 250 counts the octets it received: the whole message, unstuffed.
        String received = chunking.isEmpty() ? "" : MESSAGE.getBytes(StandardCharsets.UTF_8).length + " bytes ";
        String host = "R=smarthost T=remote_smtp H=127.0.0.1 [127.0.0.1] L" + chunking
                + " C=\"250 2.0.0 Ok: " + received + "queued as ";
        Matcher first = Pattern.compile(Pattern.quote(id + " => a@relay.test " + host) + "(\\w+)\"").matcher(lines.get(0));
        assertThat(first.matches()).as(lines.get(0)).isTrue();
        String queueId = first.group(1);
        assertThat(lines.get(1)).isEqualTo(id + " -> b@relay.test " + host + queueId + "\"");
        assertThat(lines.get(2)).isEqualTo(id + " Completed");
        return queueId;
    }

    /** smtpd's last line for Petrel's connection: the count of each command it received. */
    private static String disconnect(PostfixServer postfix) {
        assertThat(postfix.awaitMaillog("disconnect from unknown[127.0.0.1]", Duration.ofSeconds(20))).isTrue();
        return postfix.maillog().stream().filter(l -> l.contains("disconnect from unknown[127.0.0.1]"))
                .reduce((a, b) -> b).orElseThrow();
    }

    private static void assertDelivered(PostfixServer postfix, String queueId) throws Exception {
        for (String rcpt : List.of("a@relay.test", "b@relay.test")) {
            assertThat(postfix.awaitMaillog(queueId + ": to=<" + rcpt + ">", Duration.ofSeconds(20))).isTrue();
        }
        List<String> log = postfix.maillog();
        assertThat(log).anyMatch(l -> l.endsWith(" " + queueId + ": client=unknown[127.0.0.1]"));
        assertThat(log).anyMatch(l -> l.contains(" " + queueId + ": from=<alice@test.ex>, size=")
                && l.endsWith(", nrcpt=2 (queue active)"));
        assertThat(log.stream().filter(l -> l.contains(" " + queueId + ": to=<")))
                .hasSize(2).allMatch(l -> l.contains(", relay=virtual, ") && l.endsWith(", status=sent (delivered to maildir)"));

        List<Path> files = postfix.delivered();
        assertThat(files).hasSize(2);
        String expected = MESSAGE.replace("\r\n", "\n"); // Postfix stores lines with a bare LF
        for (Path file : files) {
            String stored = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            assertThat(stored).endsWith(expected);
            String added = stored.substring(0, stored.length() - expected.length());
            assertThat(added).matches(ADDED_HEADERS).contains(" with ESMTP id " + queueId + ";\n");
        }
    }
}
