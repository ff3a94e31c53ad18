package dev.petrel.server;

import dev.petrel.log.MainLog;
import dev.petrel.smtp.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The session's log lines, written to real log files, without a connection. */
class SessionLogTest {
    @TempDir
    Path dir;
    MainLog main;
    SessionLog log;

    @BeforeEach
    void open() throws IOException {
        main = MainLog.open(dir + "/%slog", Set.of("smtp_connection"));
        log = new SessionLog(main, new InetSocketAddress("127.0.0.1", 40000), System.nanoTime(), null);
    }

    @AfterEach
    void close() throws IOException {
        main.close();
    }

    private List<String> lines(String which) throws IOException {
        return Files.readAllLines(dir.resolve(which + "log")).stream().map(l -> l.substring(20)).toList();
    }

    @Test
    void namesTheClientByAddressUntilItGreets() throws IOException {
        log.commandTimeout(false);
        log.withHelo("client.test").commandTimeout(true);
        assertThat(lines("main")).containsExactly(
                "SMTP command timeout on connection from H=[127.0.0.1]",
                "SMTP command timeout on TLS connection from H=(client.test) [127.0.0.1]");
    }

    @Test
    void connectionLinesFollowTheSelector() throws IOException {
        log.withHelo("c").closedByQuit();
        log.lost();
        SessionLog quiet = new SessionLog(MainLog.discarding(Set.of()), log.remote(), 0, null);
        quiet.closedByQuit();
        assertThat(lines("main")).hasSize(2).first().isEqualTo("SMTP connection from (c) [127.0.0.1]:40000 closed by QUIT");
        assertThat(lines("main").get(1)).matches("SMTP connection from \\[127.0.0.1\\]:40000 lost D=[0-9]+s");
    }

    @Test
    void rejectionsGoToTheRejectLogToo() throws IOException {
        SessionLog greeted = log.withHelo("c");
        greeted.relayRefused("a@b.test", "x@elsewhere.test");
        greeted.tooBig("a@b.test", 5000, 4096);
        greeted.protocolError("RCPT before MAIL", Reply.of(503, "5.5.1 sender not yet given"));
        List<String> expected = List.of(
                "H=(c) [127.0.0.1] F=<a@b.test> rejected RCPT <x@elsewhere.test>: relay not permitted",
                "H=(c) [127.0.0.1] F=<a@b.test> rejected after DATA: message too big: read=5000 max=4096",
                "SMTP protocol error in \"RCPT before MAIL\" H=(c) [127.0.0.1] 503 5.5.1 sender not yet given");
        assertThat(lines("reject")).isEqualTo(expected);
        assertThat(lines("main")).isEqualTo(expected);
    }

    @Test
    void clientTextIsEscapedWhereverItIsQuoted() throws IOException {
        SessionLog greeted = log.withHelo("evil\r\nname");
        greeted.unknownCommand("FOO\u0000\u001b[2J\"x\"");
        greeted.earlyTalker("EHLO x\r\nMAIL");
        assertThat(lines("main")).containsExactly(
                "unknown command \"FOO\\x00\\x1b[2J\\\"x\\\"\" from H=(evil\\r\\nname) [127.0.0.1]",
                "SMTP protocol synchronization error (input sent without waiting for greeting): rejected connection"
                        + " from H=[127.0.0.1] input=\"EHLO x\\r\\nMAIL\"");
    }

    @Test
    void panicsGoToThePanicLog() throws IOException {
        log.cannotSpool("disk full");
        assertThat(lines("panic")).containsExactly("failed to spool message from H=[127.0.0.1]: disk full");
    }
}
