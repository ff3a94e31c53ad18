package dev.petrel.spool;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class XtextTest {
    @Test
    void validDecodeAndEncodeFollowRfc3461() {
        assertThat(Xtext.valid("rfc822+3Bx+2By@z")).isTrue();
        assertThat(Xtext.valid("a b")).isFalse();
        assertThat(Xtext.valid("a=b")).isFalse();
        assertThat(Xtext.valid("a+2")).isFalse();
        assertThat(Xtext.valid("a+2b")).as("hex digits are upper case").isFalse();
        assertThat(Xtext.decode("x+2By+40z")).isEqualTo("x+y@z");
        assertThat(Xtext.decode("x+0Dy")).isEqualTo("x\\x0Dy");
        assertThat(Xtext.encode("a+b=c d\u00e9")).isEqualTo("a+2Bb+3Dc+20d+C3+A9");
        assertThat(Xtext.valid(Xtext.encode("any thing+=\u00fc"))).isTrue();
    }
}
