package dev.petrel.it;

import dev.petrel.peers.EximClient;
import dev.petrel.peers.Peers;
import dev.petrel.peers.ProcessResult;
import dev.petrel.testkit.Poll;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Petrel's daemon (its own JVM) against SMTP clients nobody here wrote: swaks, Python's smtplib, Angus Mail,
 * Exim 4.96 with PIPECONNECT, Postfix's smtp-source.
 */
@Timeout(300)
class RealClientsTest {
    @TempDir
    static Path dir;
    static DaemonProcess daemon;

    @BeforeAll
    static void startDaemon() throws Exception {
        Files.createDirectories(dir.resolve("petrel"));
        daemon = new DaemonProcess(dir.resolve("petrel"));
        daemon.start();
    }

    @AfterAll
    static void stopDaemon() throws Exception {
        daemon.close();
    }

    private static String awaitDelivery(String user) throws Exception {
        return daemon.awaitLog(l -> l.contains(" => " + user + " <"), Duration.ofSeconds(20));
    }

    @Test
    void swaksPipelined() throws Exception {
        ProcessResult r = Peers.swaks("--pipeline", "--server", "127.0.0.1:" + daemon.port(), "--from", "s@client.test",
                "--to", "swaks@test.ex", "--header", "Subject: swaks pipelined").requireOk();
        assertThat(r.stdout()).contains("<-  250-PIPECONNECT").contains("250 OK id=");
        String received = daemon.awaitLog(l -> l.contains(" <= s@client.test "), Duration.ofSeconds(10));
        assertThat(received).contains(" P=esmtp L. S=").contains(" for swaks@test.ex");
        awaitDelivery("swaks");
        assertThat(daemon.maildirFiles("swaks")).hasSize(1);
    }

    @Test
    void pythonSmtplib() throws Exception {
        String script = """
                import smtplib, sys
                from email.message import EmailMessage
                m = EmailMessage()
                m['From'] = 'py@client.test'; m['To'] = 'python@test.ex'; m['Subject'] = 'from smtplib'
                m.set_content('hello from python\\n.leading dot\\n')
                with smtplib.SMTP('127.0.0.1', %d, timeout=10) as s:
                    s.ehlo('py.client.test')
                    assert s.has_extn('pipelining') and s.has_extn('pipeconnect') and s.has_extn('chunking')
                    refused = s.send_message(m)
                    print('refused', refused)
                    try:
                        s.sendmail('py@client.test', ['nobody@elsewhere.test'], 'Subject: x\\r\\n\\r\\nx\\r\\n')
                    except smtplib.SMTPRecipientsRefused as e:
                        print('relay refused', e.recipients['nobody@elsewhere.test'][0])
                """.formatted(daemon.port());
        ProcessResult r = Peers.run(List.of("python3", "-c", script), java.util.Map.of(), new byte[0],
                Duration.ofSeconds(30)).requireOk();
        assertThat(r.stdout()).contains("refused {}").contains("relay refused 550");
        awaitDelivery("python");
        String mail = Files.readString(daemon.maildirFiles("python").get(0));
        assertThat(mail).contains("Subject: from smtplib").contains("\n.leading dot\n").doesNotContain("\r\n");
    }

    @Test
    void angusMail() throws Exception {
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(daemon.port()));
        props.put("mail.smtp.localhost", "angus.client.test");
        props.put("mail.smtp.connectiontimeout", "5000");
        props.put("mail.smtp.timeout", "5000");
        Session session = Session.getInstance(props);
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("angus@client.test"));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress("angus@test.ex"));
        message.setSubject("from Angus Mail");
        message.setText("hello\n");
        Transport.send(message);
        awaitDelivery("angus");
        assertThat(daemon.awaitLog(l -> l.contains(" <= angus@client.test "), Duration.ofSeconds(5)))
                .contains("H=(angus.client.test) [127.0.0.1]");
    }

    /**
     * Exim is the only other PIPECONNECT implementation: its first connection learns our EHLO (Petrel logs
     * L.), its second sends EHLO, MAIL, RCPT and BDAT before our banner (L* on both sides).
     */
    @Test
    void eximClientUsesEarlyPipeliningOnItsSecondConnection() throws Exception {
        EximClient exim = Peers.exim(dir.resolve("exim-client")).port(daemon.port());
        exim.send("alice@client.test", "exim@test.ex", "Subject: first\n\nfirst\n").requireOk();
        exim.send("alice@client.test", "exim@test.ex", "Subject: second\n\nsecond\n").requireOk();

        List<String> out = exim.mainlog().stream().filter(l -> l.contains(" => ")).toList();
        assertThat(out).as("exim mainlog %s\npetrel mainlog %s", exim.mainlog(), daemon.mainlog()).hasSize(2);
        assertThat(out.get(0)).doesNotContain(" L* ");
        assertThat(out.get(1)).as("Exim's second delivery used PIPECONNECT").contains(" L* ");

        List<String> in = daemon.mainlog().stream().filter(l -> l.contains(" <= alice@client.test ")).toList();
        assertThat(in).hasSize(2);
        assertThat(in.get(0)).contains(" L. ");
        assertThat(in.get(1)).contains(" L* ");
        System.out.println("Exim client:\n  " + String.join("\n  ", out) + "\nPetrel:\n  " + String.join("\n  ", in));
        Poll.until(Duration.ofSeconds(20), "both of Exim's messages delivered", () -> daemon.maildirFiles("exim").size() >= 2);
        assertThat(daemon.maildirFiles("exim")).hasSize(2);
    }

    /** 2000 messages over 20 concurrent sessions: every one delivered, none twice. */
    @Test
    void smtpSourceTwoThousandMessagesOverTwentySessions() throws Exception {
        ProcessResult r = Peers.smtpSource(Duration.ofSeconds(180), "-s", "20", "-m", "2000", "-l", "5000",
                "-f", "load@client.test", "-t", "load@test.ex", "127.0.0.1:" + daemon.port()).requireOk();
        assertThat(r.timedOut()).isFalse();
        Poll.until(Duration.ofSeconds(120), "2000 messages delivered", () -> daemon.maildirFiles("load").size() >= 2000);
        // A message's file is in the maildir just before its => line is written.
        Poll.until(Duration.ofSeconds(30), "2000 deliveries logged",
                () -> daemon.mainlog().stream().filter(l -> l.contains(" => load <")).count() >= 2000);
        assertThat(daemon.maildirFiles("load")).hasSize(2000);
        List<String> deliveries = daemon.mainlog().stream().filter(l -> l.contains(" => load <")).toList();
        Set<String> ids = deliveries.stream().map(l -> l.split(" ")[2]).collect(Collectors.toSet());
        assertThat(deliveries).hasSize(2000);
        assertThat(ids).as("each message delivered once").hasSize(2000);
        assertThat(daemon.mainlog().stream().filter(l -> l.contains(" <= load@client.test ")).count()).isEqualTo(2000);
    }
}
