package dev.petrel.transport;

import dev.petrel.config.TransportConfig;
import dev.petrel.spool.Envelope;
import dev.petrel.spool.MessageId;
import dev.petrel.spool.Reception;
import dev.petrel.spool.Spool;
import dev.petrel.spool.SpooledMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class MaildirDeliveryTest {
    private static final String DATA = "From: alice@example.org\r\nSubject: test\r\n\r\nline one\r\nline two\r\n";

    @TempDir
    Path dir;
    private Spool spool;

    @BeforeEach
    void openSpool() throws IOException {
        spool = Spool.open(dir.resolve("spool"));
    }

    @AfterEach
    void closeSpool() {
        spool.close();
    }

    private SpooledMessage spooled(String data, String sender, String... rcpts) throws IOException {
        String id = MessageId.next();
        Reception r = spool.receive(id);
        r.append(data.getBytes(StandardCharsets.UTF_8));
        r.commit(Envelope.local(sender, List.of(rcpts))).join();
        return spool.read(id);
    }

    private MaildirDelivery transport(boolean addHeaders) {
        Map<String, String> options = addHeaders
                ? Map.of("directory", "mail/$local_part", "maildir_format", "true", "return_path_add", "true",
                        "envelope_to_add", "true", "delivery_date_add", "true")
                : Map.of("directory", "mail/${domain}/${local_part}", "maildir_format", "true");
        return new MaildirDelivery(new TransportConfig("local_delivery", "appendfile", options), "mx.test.ex", dir,
                log::add);
    }

    private final List<String> log = new java.util.ArrayList<>();

    @Test
    void headersAddEndsTheHeaderSectionOfTheFile() throws IOException {
        SpooledMessage m = spooled("Subject: hi\r\n\r\nbody\r\n", "alice@example.org", "Bob@test.ex");
        MaildirDelivery t = new MaildirDelivery(new TransportConfig("local_delivery", "appendfile", Map.of(
                "directory", "mail/$local_part", "maildir_format", "true",
                "headers_add", "X-Delivered-To: $local_part@$domain by $primary_hostname\\nnot a header")),
                "mx.test.ex", dir, log::add);

        assertThat(t.deliver(m, "Bob@test.ex").status()).isEqualTo(DeliveryResult.Status.DELIVERED);
        List<Path> delivered = files(dir.resolve("mail/bob/new"));
        assertThat(delivered).hasSize(1);
        assertThat(Files.readString(delivered.getFirst()))
                .isEqualTo("Subject: hi\nX-Delivered-To: bob@test.ex by mx.test.ex\n\nbody\n");
        assertThat(log).containsExactly(m.id() + " T=local_delivery: headers_add line \"not a header\" left out: "
                + "not a header line");
    }

    @Test
    void headersAddThatFailsToExpandDefersAndWritesNothing() throws IOException {
        SpooledMessage m = spooled("Subject: hi\r\n\r\nbody\r\n", "alice@example.org", "bob@test.ex");
        MaildirDelivery t = new MaildirDelivery(new TransportConfig("local_delivery", "appendfile", Map.of(
                "directory", "mail/$local_part", "maildir_format", "true", "headers_add", "X-A: $tls_out_cipher")),
                "mx.test.ex", dir, log::add);

        DeliveryResult r = t.deliver(m, "bob@test.ex");
        assertThat(r.status()).isEqualTo(DeliveryResult.Status.DEFERRED);
        assertThat(r.reason()).contains("unknown variable name \"tls_out_cipher\"");
        assertThat(files(dir.resolve("mail/bob/new"))).isEmpty();
        assertThat(files(dir.resolve("mail/bob/tmp"))).isEmpty();
    }

    private static List<Path> files(Path d) throws IOException {
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.toList();
        }
    }

    @Test
    void deliversOneFileWithUnixLineEndsAndAddedHeaders() throws IOException {
        SpooledMessage m = spooled(DATA, "alice@example.org", "Bob@test.ex");

        DeliveryResult result = transport(true).deliver(m, "Bob@test.ex");

        assertThat(result.status()).isEqualTo(DeliveryResult.Status.DELIVERED);
        assertThat(result.localPart()).isEqualTo("bob");
        Path maildir = dir.resolve("mail/bob");
        assertThat(files(maildir.resolve("tmp"))).isEmpty();
        assertThat(files(maildir.resolve("cur"))).isEmpty();
        List<Path> delivered = files(maildir.resolve("new"));
        assertThat(delivered).hasSize(1);
        assertThat(delivered.getFirst().getFileName().toString())
                .isEqualTo(transport(true).fileName(m, "Bob@test.ex"))
                .startsWith(m.envelope().receivedAt().getEpochSecond() + "." + m.id() + "_")
                .endsWith(".mx.test.ex");
        String text = Files.readString(delivered.getFirst());
        assertThat(text).doesNotContain("\r");
        assertThat(text).startsWith("Return-path: <alice@example.org>\nEnvelope-to: Bob@test.ex\nDelivery-date: ");
        assertThat(text.lines().skip(2).findFirst().orElseThrow())
                .matches("Delivery-date: \\w{3}, \\d{2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} [+-]\\d{4}");
        assertThat(text).endsWith("From: alice@example.org\nSubject: test\n\nline one\nline two\n");
    }

    @Test
    void withoutTheFlagsNothingIsAddedAndDomainExpands() throws IOException {
        SpooledMessage m = spooled(DATA, "alice@example.org", "bob@Test.EX");

        assertThat(transport(false).deliver(m, "bob@Test.EX").status()).isEqualTo(DeliveryResult.Status.DELIVERED);

        List<Path> delivered = files(dir.resolve("mail/test.ex/bob/new"));
        assertThat(delivered).hasSize(1);
        assertThat(Files.readString(delivered.getFirst())).isEqualTo(DATA.replace("\r\n", "\n"));
    }

    @Test
    void bareCarriageReturnsAreContentNotLineEnds() throws IOException {
        // Large enough to put CRLF pairs across the copy buffer's boundary at every alignment nearby.
        StringBuilder body = new StringBuilder("Subject: cr\r\n\r\n");
        while (body.length() < 200_000) {
            body.append("a\rb\r\n");
        }
        body.append("end\r");
        SpooledMessage m = spooled(body.toString(), "", "bob@test.ex");

        transport(false).deliver(m, "bob@test.ex");

        String text = Files.readString(files(dir.resolve("mail/test.ex/bob/new")).getFirst());
        assertThat(text).isEqualTo(body.toString().replace("\r\n", "\n"));
    }

    @Test
    void deliveringTheSameRecipientAgainLeavesOneFile() throws IOException {
        SpooledMessage m = spooled(DATA, "alice@example.org", "bob@test.ex", "carol@test.ex");
        MaildirDelivery t = transport(true);

        t.deliver(m, "bob@test.ex");
        // A crash after the link but before the spool journal: the queue tries again.
        DeliveryResult again = t.deliver(m, "bob@test.ex");

        assertThat(again.status()).isEqualTo(DeliveryResult.Status.DELIVERED);
        assertThat(files(dir.resolve("mail/bob/new"))).hasSize(1);
        assertThat(files(dir.resolve("mail/bob/tmp"))).isEmpty();
        // The same message to another recipient is a different delivery.
        t.deliver(m, "carol@test.ex");
        assertThat(files(dir.resolve("mail/carol/new"))).hasSize(1);
    }

    @Test
    void aMessageTheClientMovedToCurIsNotDeliveredAgain() throws IOException {
        SpooledMessage m = spooled(DATA, "alice@example.org", "bob@test.ex");
        MaildirDelivery t = transport(true);
        t.deliver(m, "bob@test.ex");
        Path inNew = files(dir.resolve("mail/bob/new")).getFirst();
        Files.move(inNew, dir.resolve("mail/bob/cur").resolve(inNew.getFileName() + ":2,S"));

        assertThat(t.deliver(m, "bob@test.ex").status()).isEqualTo(DeliveryResult.Status.DELIVERED);

        assertThat(files(dir.resolve("mail/bob/new"))).isEmpty();
        assertThat(files(dir.resolve("mail/bob/cur"))).hasSize(1);
    }

    @Test
    void aTmpFileLeftByACrashBeforeTheLinkIsReplaced() throws IOException {
        SpooledMessage m = spooled(DATA, "alice@example.org", "bob@test.ex");
        MaildirDelivery t = transport(false);
        Path tmp = dir.resolve("mail/test.ex/bob/tmp");
        Files.createDirectories(tmp);
        Files.writeString(tmp.resolve(t.fileName(m, "bob@test.ex")), "half a messa");

        t.deliver(m, "bob@test.ex");

        assertThat(files(tmp)).isEmpty();
        List<Path> delivered = files(dir.resolve("mail/test.ex/bob/new"));
        assertThat(delivered).hasSize(1);
        assertThat(Files.readString(delivered.getFirst())).isEqualTo(DATA.replace("\r\n", "\n"));
    }

    @Test
    void localPartsThatWouldEscapeOrHideFailPermanently() throws IOException {
        MaildirDelivery t = transport(true);
        for (String rcpt : List.of("../x@test.ex", ".hidden@test.ex", "..@test.ex", "a/b@test.ex", "@test.ex",
                "a\u0000b@test.ex", "a\\b@test.ex")) {
            SpooledMessage m = spooled(DATA, "alice@example.org", "ok@test.ex");
            DeliveryResult result = t.deliver(m, rcpt);
            assertThat(result.status()).as(rcpt).isEqualTo(DeliveryResult.Status.FAILED);
            assertThat(result.reason()).as(rcpt).contains("unsafe");
        }
        assertThat(dir.resolve("mail")).doesNotExist();
        assertThat(dir.resolve("x")).doesNotExist();
    }

    @Test
    void aDirectoryThatCannotBeCreatedDefers() throws IOException {
        Files.writeString(dir.resolve("mail"), "a file where the mail directory should be");
        SpooledMessage m = spooled(DATA, "alice@example.org", "bob@test.ex");

        DeliveryResult result = transport(true).deliver(m, "bob@test.ex");

        assertThat(result.status()).isEqualTo(DeliveryResult.Status.DEFERRED);
        assertThat(result.reason()).contains("mail/bob");
    }
}
