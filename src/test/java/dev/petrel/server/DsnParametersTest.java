package dev.petrel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.petrel.spool.Envelope;
import dev.petrel.spool.MailOptions;
import dev.petrel.spool.RecipientOptions;
import dev.petrel.spool.RecipientOptions.Notify;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MAIL and RCPT parameters over a real socket: DSN offered per dsn_advertise_hosts, kept in the spooled envelope. */
class DsnParametersTest {
    @TempDir
    Path dir;

    @Test
    void dsnIsOfferedOnlyToDsnAdvertiseHosts() throws Exception {
        try (TestServer server = TestServer.start(dir); RawClient c = server.client()) {
            c.banner();
            c.send("EHLO client.test\r\n");
            assertThat(c.reply()).doesNotContain("250-DSN");
        }
        try (TestServer server = TestServer.start(dir.resolve("on"), "dsn_advertise_hosts = 127.0.0.1");
             RawClient c = server.client()) {
            c.banner();
            c.send("EHLO client.test\r\n");
            assertThat(c.reply()).contains("250-DSN");
        }
    }

    @Test
    void theEnvelopeKeepsMailAndRcptParameters() throws Exception {
        try (TestServer server = TestServer.start(dir, "dsn_advertise_hosts = *"); RawClient c = server.client()) {
            c.ehlo("client.test");
            c.send("MAIL FROM:<a@test.ex> BODY=8BITMIME SIZE=30 RET=HDRS ENVID=QQ+2B1\r\n");
            assertThat(c.replyLine()).startsWith("250 ");
            c.send("RCPT TO:<b@test.ex> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;B+40test.ex\r\n");
            assertThat(c.replyLine()).startsWith("250 ");
            c.send("RCPT TO:<c@test.ex>\r\n");
            assertThat(c.replyLine()).startsWith("250 ");
            c.send("RCPT TO:<d@test.ex> NOTIFY=never\r\n");
            assertThat(c.replyLine()).startsWith("250 ");
            c.send("DATA\r\n");
            assertThat(c.replyLine()).startsWith("354");
            String id = c.finishMessage("Subject: dsn\r\n\r\nbody");

            Envelope e = server.spool.read(id).envelope();
            assertThat(e.mail()).isEqualTo(new MailOptions(MailOptions.Body.EIGHT_BIT_MIME, false, 30,
                    MailOptions.Ret.HDRS, "QQ+2B1"));
            assertThat(e.recipientOptions()).containsExactly(
                    new RecipientOptions(Set.of(Notify.SUCCESS, Notify.FAILURE), "rfc822;B+40test.ex"),
                    RecipientOptions.NONE, new RecipientOptions(Set.of(Notify.NEVER), null));
            assertThat(e.optionsOf("b@test.ex").orcptAddress()).isEqualTo("B@test.ex");
        }
    }

    @Test
    void badDsnSyntaxGets501AndALogLine() throws Exception {
        try (TestServer server = TestServer.start(dir, "dsn_advertise_hosts = *", "smtp_max_synprot_errors = 10");
             RawClient c = server.client()) {
            c.ehlo("client.test");
            for (String bad : List.of("MAIL FROM:<a@test.ex> RET=ALL", "MAIL FROM:<a@test.ex> ENVID=a+zz",
                    "MAIL FROM:<a@test.ex> ENVID=a=b", "MAIL FROM:<a@test.ex> BODY=BINARYMIME")) {
                c.send(bad + "\r\n");
                assertThat(c.replyLine()).as(bad).startsWith("501 5.5.4 ");
            }
            c.send("MAIL FROM:<a@test.ex>\r\n");
            assertThat(c.replyLine()).startsWith("250 ");
            c.send("RCPT TO:<b@test.ex> NOTIFY=NEVER,SUCCESS\r\n");
            assertThat(c.replyLine()).startsWith("501 5.5.4 Invalid value for NOTIFY");
            c.send("RCPT TO:<b@test.ex> ORCPT=rfc822\r\n");
            assertThat(c.replyLine()).isEqualTo("501 5.5.4 ORCPT must be addr-type;xtext");
            assertThat(server.awaitLog("SMTP syntax error in \"RCPT TO:<b@test.ex> ORCPT=rfc822\""))
                    .contains("ORCPT must be addr-type;xtext");
        }
    }

    @Test
    void withoutDsnRetAndEnvidAreIgnoredAndNotifyIsRefused() throws Exception {
        try (TestServer server = TestServer.start(dir); RawClient c = server.client()) {
            c.ehlo("client.test");
            c.send("MAIL FROM:<a@test.ex> RET=FULL ENVID=x\r\n");
            assertThat(c.replyLine()).startsWith("250 ");
            c.send("RCPT TO:<b@test.ex> NOTIFY=SUCCESS\r\n");
            assertThat(c.replyLine()).isEqualTo("501 5.5.4 NOTIFY parameter not permitted: DSN was not advertised");
            c.send("RCPT TO:<b@test.ex>\r\nDATA\r\n");
            assertThat(c.replyLine()).startsWith("250 ");
            assertThat(c.replyLine()).startsWith("354");
            String id = c.finishMessage("Subject: x\r\n\r\nbody");
            assertThat(server.spool.read(id).envelope().mail()).isEqualTo(MailOptions.NONE);
        }
    }
}
