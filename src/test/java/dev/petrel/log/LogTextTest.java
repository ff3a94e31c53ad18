package dev.petrel.log;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LogTextTest {
    @Test
    void printableIsOneAsciiLineWithoutControls() {
        assertThat(LogText.printable("EHLO x\r\nQUIT\u0000\u001b\u007f\u0085é€\"\\", 100))
                .isEqualTo("EHLO x\\r\\nQUIT\\x00\\x1b\\x7f\\x85\\xe9\\u20ac\\\"\\\\");
        assertThat(LogText.printable("abcdef", 3)).isEqualTo("abc");
    }

    @Test
    void quotedEscapesQuotesAndControlsButKeepsOtherText() {
        assertThat(LogText.quoted("CN=a\"b\\c,O=Zürich")).isEqualTo("\"CN=a\\\"b\\\\c,O=Zürich\"");
        assertThat(LogText.quoted("x\r\ny\u0000\u0085\u2028")).isEqualTo("\"x\\r\\ny\\x00\\x85\\u2028\"");
    }
}
