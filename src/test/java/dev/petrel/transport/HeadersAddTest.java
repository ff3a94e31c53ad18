package dev.petrel.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeadersAddTest {
    private static final String MESSAGE = "Received: from a\r\nSubject: hi\r\n\r\nbody\r\n\r\nmore\r\n";
    private final List<String> log = new ArrayList<>();
    private final Expansion expansion = new Expansion(Map.of("host", "mx.test", "tls_out_resumption", "23",
            "empty", ""));

    private String apply(String option, String message) {
        byte[] out = new HeadersAdd(option, "remote_smtp", log::add)
                .apply(message.getBytes(StandardCharsets.UTF_8), expansion, "ID");
        return new String(out, StandardCharsets.UTF_8);
    }

    @Test
    void linesGoAtTheEndOfTheHeaderSectionWithCrlf() {
        assertThat(apply("X-Host: $host", MESSAGE))
                .isEqualTo("Received: from a\r\nSubject: hi\r\nX-Host: mx.test\r\n\r\nbody\r\n\r\nmore\r\n");
        assertThat(log).isEmpty();
    }

    @Test
    void eachItemIsExpandedAndAnItemMayHoldSeveralLinesAndContinuations() {
        assertThat(apply("X-A: 1\nX-B: 2\\nX-C: 3\\n\\tfolded", MESSAGE)).startsWith(
                "Received: from a\r\nSubject: hi\r\nX-A: 1\r\nX-B: 2\r\nX-C: 3\r\n\tfolded\r\n\r\nbody");
    }

    @Test
    void anEmptyResultOrAForcedFailureAddsNothing() {
        assertThat(apply("$empty", MESSAGE)).isEqualTo(MESSAGE);
        assertThat(apply("${listextract{9}{a}{X-No: $value}fail}", MESSAGE)).isEqualTo(MESSAGE);
        assertThat(apply(null, MESSAGE)).isEqualTo(MESSAGE);
        assertThat(log).isEmpty();
    }

    @Test
    void theResumptionBitsDecodeIntoAHeader() {
        String decode = dev.petrel.tls.Resumption.RESUME_DECODE;
        assertThat(apply("X-Resumption: ${listextract{$tls_out_resumption}{" + decode + "}} ($tls_out_resumption)",
                MESSAGE)).contains("\r\nX-Resumption: session resumed (23)\r\n\r\nbody");
    }

    @Test
    void aLineThatIsNoHeaderIsLeftOutWithALogLine() {
        assertThat(apply("no colon here\nX-Good: yes\n: no name\n\\tnothing to continue\nX-Two: a\\n\\nX-Three: b",
                MESSAGE)).startsWith("Received: from a\r\nSubject: hi\r\nX-Good: yes\r\nX-Two: a\r\nX-Three: b\r\n\r\nbody");
        assertThat(log).containsExactly(
                "ID T=remote_smtp: headers_add line \"no colon here\" left out: not a header line",
                "ID T=remote_smtp: headers_add line \": no name\" left out: not a header line",
                "ID T=remote_smtp: headers_add line \"\\x09nothing to continue\" left out: not a header line",
                "ID T=remote_smtp: headers_add line \"\" left out: not a header line");
    }

    @Test
    void anExpansionFailureIsAnErrorThatNamesTheItem() {
        assertThatThrownBy(() -> apply("X-A: $nope", MESSAGE))
                .hasMessageContaining("failed to expand headers_add item \"X-A: $nope\" in remote_smtp transport")
                .hasMessageContaining("unknown variable name \"nope\"");
    }

    @Test
    void aMessageThatIsAllHeaderOrHasNoHeaderGetsTheLinesWhereTheSectionEnds() {
        assertThat(apply("X-A: 1", "Subject: x\r\n")).isEqualTo("Subject: x\r\nX-A: 1\r\n");
        assertThat(apply("X-A: 1", "Subject: x")).isEqualTo("Subject: x\r\nX-A: 1\r\n");
        assertThat(apply("X-A: 1", "\r\nbody\r\n")).isEqualTo("X-A: 1\r\n\r\nbody\r\n");
    }

    @Test
    void mentionsLooksIntoEveryItem() {
        HeadersAdd h = new HeadersAdd("X-A: 1\nX-B: $sending_ip_address", "t", log::add);
        assertThat(h.mentions("sending_ip_address")).isTrue();
        assertThat(h.mentions("host")).isFalse();
        assertThat(new HeadersAdd(null, "t", log::add).isEmpty()).isTrue();
    }
}
