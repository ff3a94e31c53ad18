package dev.petrel.smtp;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BdatArgumentTest {
    @Test
    void sizeAndLast() throws Exception {
        assertThat(BdatArgument.parse("0")).isEqualTo(new BdatArgument(0, false));
        assertThat(BdatArgument.parse("12 last")).isEqualTo(new BdatArgument(12, true));
        assertThat(BdatArgument.parse("999999999999999999 LAST")).isEqualTo(new BdatArgument(999999999999999999L, true));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-1", "1e9", "10 NOTLAST", "10 LAST x", "18446744073709551616", "1000000000000000000"})
    void withoutAUsableSizeTheChunkCannotBeFound(String argument) {
        assertThatThrownBy(() -> BdatArgument.parse(argument)).isInstanceOf(SmtpSyntaxException.class)
                .hasMessage("501 5.5.4 BDAT: invalid chunk size; closing connection");
    }
}
