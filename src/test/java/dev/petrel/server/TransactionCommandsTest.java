package dev.petrel.server;

import dev.petrel.config.Config;
import dev.petrel.config.MainConfig;
import dev.petrel.log.MainLog;
import dev.petrel.smtp.DataFlaw;
import dev.petrel.smtp.Reply;
import dev.petrel.smtp.SmtpCommand;
import dev.petrel.spool.Spool;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** MAIL, RCPT, DATA and BDAT decisions and message reception, on a real spool but without a connection. */
class TransactionCommandsTest {
    @TempDir
    Path dir;
    MainLog main;
    Spool spool;
    TransactionCommands mail;
    SessionLog log;
    final ReceivedHeader received = new ReceivedHeader("c", "[127.0.0.1]", "petrel.test", "esmtp", "test", null);

    @BeforeEach
    void open() throws Exception {
        MainConfig config = Config.parse("""
                primary_hostname = petrel.test
                message_size_limit = 100
                recipients_max = 2
                domainlist local_domains = @ : test.ex
                """, "t.conf").main();
        main = MainLog.open(dir + "/log/%slog", Set.of());
        spool = Spool.open(dir.resolve("spool"));
        mail = new TransactionCommands(config, spool);
        log = new SessionLog(main, new InetSocketAddress("127.0.0.1", 40000), System.nanoTime(), "c");
    }

    @AfterEach
    void close() throws IOException {
        spool.close();
        main.close();
    }

    private static final Capabilities EHLO = new Capabilities(true, true, false, true, false, 0);

    private static SmtpCommand command(String line) {
        return SmtpCommand.parse(line);
    }

    private void envelope() {
        assertThat(mail.mail(command("MAIL FROM:<a@test.ex>"), log, EHLO)).isEqualTo(Outcome.ok(250, "2.1.0 OK"));
        assertThat(mail.rcpt(command("RCPT TO:<b@test.ex>"), log, false)).isEqualTo(Outcome.ok(250, "2.1.5 Accepted"));
    }

    private void content(String text) {
        mail.content(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8), log);
    }

    @Test
    void mailNeedsAGreetingAndOnlyOneSender() {
        SessionLog anonymous = log.withHelo(null);
        assertThat(mail.mail(command("MAIL FROM:<a@test.ex>"), anonymous, EHLO).kind())
                .isEqualTo(Outcome.Kind.PROTOCOL_ERROR);
        envelope();
        Outcome second = mail.mail(command("MAIL FROM:<a@test.ex>"), log, EHLO);
        assertThat(second).isEqualTo(Outcome.protocolError(503, "5.5.1 Sender already given", "second MAIL"));
    }

    @Test
    void badArgumentsAreSyntaxErrorsAndParametersNeedEhlo() {
        assertThat(mail.mail(command("MAIL FROM:a@test.ex"), log, EHLO).kind()).isEqualTo(Outcome.Kind.SYNTAX_ERROR);
        assertThat(mail.mail(command("MAIL FROM:<a@test.ex> BODY=8BITMIME"), log, Capabilities.NONE).reply().code())
                .isEqualTo(555);
        assertThat(mail.mail(command("MAIL FROM:<a@test.ex> SIZE=101"), log, EHLO))
                .isEqualTo(Outcome.ok(552, "5.3.4 Message size exceeds maximum permitted"));
        assertThat(mail.current()).isNull();
    }

    @Test
    void recipientsAreLimitedAndRelayIsRefused() throws IOException {
        assertThat(mail.rcpt(command("RCPT TO:<b@test.ex>"), log, false).kind()).isEqualTo(Outcome.Kind.PROTOCOL_ERROR);
        envelope();
        assertThat(mail.rcpt(command("RCPT TO:<x@elsewhere.test>"), log, false))
                .isEqualTo(Outcome.ok(550, "5.7.1 relay not permitted"));
        assertThat(mail.rcpt(command("RCPT TO:<postmaster>"), log, false).reply().code()).isEqualTo(250);
        assertThat(mail.rcpt(command("RCPT TO:<c@test.ex>"), log, false))
                .isEqualTo(Outcome.ok(452, "4.5.3 Too many recipients"));
        assertThat(mail.current().recipients).containsExactly("b@test.ex", "postmaster@petrel.test");
        assertThat(Files.readString(dir.resolve("log/rejectlog"))).contains("relay not permitted")
                .contains("too many recipients");
    }

    @Test
    void dataNeedsSenderAndRecipientThenReceives() {
        assertThat(mail.data(received).reply().lines().get(0)).startsWith("5.5.1 DATA without MAIL");
        assertThat(mail.mail(command("MAIL FROM:<a@test.ex>"), log, EHLO).kind()).isEqualTo(Outcome.Kind.OK);
        assertThat(mail.data(received).reply().lines().get(0)).startsWith("5.5.1 valid RCPT command must precede");
        assertThat(mail.rcpt(command("RCPT TO:<b@test.ex>"), log, false).kind()).isEqualTo(Outcome.Kind.OK);
        assertThat(mail.data(received).reply().code()).isEqualTo(354);
        assertThat(mail.receiving()).isTrue();
        assertThat(mail.rcpt(command("RCPT TO:<c@test.ex>"), log, false).kind()).isEqualTo(Outcome.Kind.PROTOCOL_ERROR);
        content("Subject: s\r\n\r\nbody\r\n");
        assertThat(mail.refusalAtEnd(Set.of(), log)).isNull();
        Transaction t = mail.take();
        assertThat(mail.current()).isNull();
        assertThat(t.headers.header("Subject")).isEqualTo("s");
        assertThat(t.reception().size()).as("Received header plus content").isGreaterThan(22);
        t.abandon();
    }

    @Test
    void flawedMessageIsRefusedAtItsEndAndTheTransactionEnds() {
        envelope();
        mail.data(received);
        content("a\nb\r\n");
        assertThat(mail.refusalAtEnd(Set.of(DataFlaw.BARE_LF), log))
                .isEqualTo(Reply.parse(DataFlaw.BARE_LF.reply()));
        assertThat(mail.current()).isNull();
    }

    @Test
    void chunksFormOneMessageAndDataIsRefusedAfterBdat() {
        envelope();
        mail.chunk(false, true, received);
        content("Subject: c\r\n\r\n");
        assertThat(mail.chunkEnded()).isEqualTo(Outcome.ok(250, "2.0.0 chunk received"));
        assertThat(mail.data(received).reply()).isEqualTo(Reply.of(503, "5.5.1 DATA not permitted after BDAT"));
        mail.chunk(true, true, received);
        content("x\r\n");
        assertThat(mail.chunkEnded()).as("the last chunk completes the message").isNull();
        assertThat(mail.current().chunking()).isTrue();
        assertThat(mail.refusalAtEnd(Set.of(), log)).isNull();
        mail.take().abandon();
    }

    @Test
    void refusedChunkIsThrownAwayAndItsRefusalOwedAtItsEnd() {
        mail.chunk(true, true, received);
        content("RSET\r\n");
        assertThat(mail.chunkEnded()).isEqualTo(Outcome.protocolError(
                Reply.of(503, "5.5.1 BDAT without MAIL (sender not yet given)"), "BDAT refused"));
        envelope();
        mail.chunk(true, false, received);
        assertThat(mail.receiving()).isFalse();
        assertThat(mail.rcpt(command("RCPT TO:<c@test.ex>"), log, false).kind()).as("during a chunk")
                .isEqualTo(Outcome.Kind.PROTOCOL_ERROR);
        assertThat(mail.chunkEnded().reply()).isEqualTo(Reply.of(503, "5.5.1 CHUNKING not advertised"));
    }

    @Test
    void oversizeMessageIsReadToItsEndThenRefused() throws IOException {
        envelope();
        mail.chunk(true, true, received);
        content("y".repeat(60));
        content("y".repeat(60));
        content("y".repeat(60));
        assertThat(mail.current().oversize()).isTrue();
        assertThat(mail.refusalAtEnd(Set.of(), log))
                .isEqualTo(Reply.of(552, "5.3.4 Message size exceeds maximum permitted"));
        assertThat(Files.readString(dir.resolve("log/rejectlog"))).contains("message too big: read=180 max=100");
    }

    @Test
    void resetForgetsTheTransaction() {
        envelope();
        mail.data(received);
        mail.reset();
        assertThat(mail.current()).isNull();
        assertThat(mail.receiving()).isFalse();
    }
}
