package dev.petrel.transport.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.petrel.smtp.Reply;
import dev.petrel.transport.smtp.EhloRecord.Offer;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EhloRecordTest {
    private static Reply ehlo(String... extensions) {
        List<String> lines = new ArrayList<>(List.of("mx.test Hello client [127.0.0.1]"));
        lines.addAll(List.of(extensions));
        return new Reply(250, lines);
    }

    @Test
    void keepsTheExtensionsThatMatterAndNeverTheBanner() {
        Offer offer = Offer.of(ehlo("size 52428800", "8BITMIME", "PIPELINING", "PIPECONNECT", "AUTH PLAIN LOGIN",
                "X-EXPERIMENT", "HELP", "LIMITS RCPTMAX=100 MAILMAX=10", "CHUNKING", "STARTTLS", "DSN", "SMTPUTF8"));
        assertThat(offer.lines()).containsExactly("SIZE 52428800", "8BITMIME", "PIPELINING", "PIPECONNECT",
                "AUTH PLAIN LOGIN", "LIMITS RCPTMAX=100 MAILMAX=10", "CHUNKING", "STARTTLS", "DSN", "SMTPUTF8");
        assertThat(offer.pipeConnect()).isTrue();
        assertThat(offer.extensions().size()).isEqualTo(52428800);
        assertThat(offer.extensions().chunking()).isTrue();
        assertThat(offer.text()).doesNotContain("mx.test");
    }

    @Test
    void pipeconnectWithoutPipeliningIsNoOffer() {
        assertThat(Offer.of(ehlo("PIPECONNECT")).pipeConnect()).isFalse();
        assertThat(Offer.of(Reply.of(550, "no")).lines()).isEmpty();
    }

    @Test
    void aHostileParameterCannotForgeSeparators() {
        Offer offer = Offer.of(ehlo("PIPELINING", "AUTH PLAIN; tls: PIPECONNECT, X", "SIZE 10,STARTTLS"));
        assertThat(offer.lines()).containsExactly("PIPELINING", "AUTH X", "SIZE");
        EhloRecord record = new EhloRecord(offer, Offer.NONE);
        assertThat(EhloRecord.decode(record.encode())).isEqualTo(record);
    }

    @Test
    void encodesReadablyAndBack() {
        EhloRecord record = new EhloRecord(Offer.of(ehlo("PIPELINING", "PIPECONNECT", "STARTTLS")),
                Offer.of(ehlo("PIPELINING", "PIPECONNECT", "SIZE 100", "AUTH PLAIN")));
        String text = new String(record.encode(), StandardCharsets.UTF_8);
        assertThat(text).isEqualTo("clear: PIPELINING, PIPECONNECT, STARTTLS; tls: PIPELINING, PIPECONNECT, SIZE 100, AUTH PLAIN");
        assertThat(EhloRecord.decode(record.encode())).isEqualTo(record);
        assertThat(new EhloRecord(Offer.NONE, Offer.NONE).encode()).asString(StandardCharsets.UTF_8)
                .isEqualTo("clear: none; tls: none");
    }

    @Test
    void aValueThisVersionDidNotWriteIsRefused() {
        assertThatThrownBy(() -> EhloRecord.decode("garbage".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EhloRecord.decode("clear: BOGUS; tls: none".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sameOfferInAnotherOrderIsTheSame() {
        assertThat(Offer.of(ehlo("PIPELINING", "SIZE 1")).sameAs(Offer.of(ehlo("SIZE 1", "PIPELINING")))).isTrue();
        assertThat(Offer.of(ehlo("PIPELINING", "SIZE 1")).sameAs(Offer.of(ehlo("SIZE 2", "PIPELINING")))).isFalse();
    }

    @Test
    void keysNameAddressAndPortWithIpv6InBrackets() throws Exception {
        assertThat(EhloRecord.key(InetAddress.getByName("127.0.0.1"), 25)).isEqualTo("127.0.0.1:25.EHLO");
        assertThat(EhloRecord.key(InetAddress.getByName("::1"), 587)).isEqualTo("[0:0:0:0:0:0:0:1]:587.EHLO");
    }
}
