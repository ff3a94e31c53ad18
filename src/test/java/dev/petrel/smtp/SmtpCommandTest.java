package dev.petrel.smtp;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SmtpCommandTest {
    @ParameterizedTest
    @ValueSource(strings = {"QUIT", "QUIT\r", "QUIT \t\r", "quit\u000b\u000c"})
    void trailingWhiteSpaceIsNotPartOfTheCommand(String line) {
        SmtpCommand command = SmtpCommand.parse(line);
        assertThat(command.verb()).isEqualTo(Verb.QUIT);
        assertThat(command.line()).isEqualTo(line.substring(0, 4));
        assertThat(command.argument()).isEmpty();
    }

    @Test
    void argumentLosesTheCrButKeepsWhatIsInside() {
        SmtpCommand ehlo = SmtpCommand.parse("EHLO x\r");
        assertThat(ehlo.argument()).isEqualTo("x");
        assertThat(ehlo.line()).isEqualTo("EHLO x");
        assertThat(SmtpCommand.parse("MAIL FROM:<a@b> X\r250 Y\r").argument()).isEqualTo("FROM:<a@b> X\r250 Y");
    }
}
