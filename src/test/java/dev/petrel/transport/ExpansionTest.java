package dev.petrel.transport;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExpansionTest {
    private final Expansion expansion = Expansion.forRecipient(Address.parse("Bob.Smith@Test.EX"));

    @Test
    void expandsBothSpellingsOfTheVariables() {
        assertThat(expansion.expand("var/mail/$local_part")).isEqualTo("var/mail/bob.smith");
        assertThat(expansion.expand("/m/${domain}/${local_part}/Maildir")).isEqualTo("/m/test.ex/bob.smith/Maildir");
        assertThat(expansion.expand("/m/$domain-x")).isEqualTo("/m/test.ex-x");
    }

    @Test
    void backslashEscapesADollar() {
        assertThat(new Expansion(Map.of()).expand("/m/\\$local_part")).isEqualTo("/m/$local_part");
    }

    @Test
    void unknownOrUnsupportedItemsAreErrors() {
        assertThatThrownBy(() -> expansion.expand("/m/$home")).hasMessageContaining("unknown variable name \"home\"");
        assertThatThrownBy(() -> expansion.expand("/m/${lc:$local_part}")).hasMessageContaining("unsupported");
        assertThatThrownBy(() -> expansion.expand("/m/${local_part")).hasMessageContaining("unsupported");
        assertThatThrownBy(() -> expansion.expand("/m/$")).hasMessageContaining("unsupported");
    }

    @Test
    void backslashNRTStandForNewlineReturnAndTab() {
        assertThat(new Expansion(Map.of()).expand("a\\nb\\r\\tc\\\\d")).isEqualTo("a\nb\r\tc\\d");
    }

    @Test
    void listextractPicksAnItemCountingFromOneOrFromTheEnd() {
        Expansion e = new Expansion(Map.of("n", "2", "list", "x : 42 : 99"));
        assertThat(e.expand("${listextract{2}{x:42:99}}")).isEqualTo("42");
        assertThat(e.expand("<${listextract{$n}{$list}}>")).isEqualTo("<42>");
        assertThat(e.expand("${listextract{ -1 }{x:42:99}}")).isEqualTo("99");
        // Exim 4.96 (exim -be) says 42 here: ",," is an escaped comma, so the list is x, 42, 99, "& Mailer,/bin/bash".
        assertThat(e.expand("${listextract{-3}{<, x,42,99,& Mailer,,/bin/bash}{result: $value}}"))
                .isEqualTo("result: 42");
        assertThat(e.expand("${listextract {1} {a::b:c}}")).isEqualTo("a:b");
    }

    @Test
    void listextractOutOfRangeGivesTheThirdStringOrNothing() {
        Expansion e = new Expansion(Map.of());
        assertThat(e.expand("[${listextract{0}{a:b}}]")).isEqualTo("[]");
        assertThat(e.expand("[${listextract{3}{a:b}}]")).isEqualTo("[]");
        assertThat(e.expand("[${listextract{-3}{a:b}}]")).isEqualTo("[]");
        assertThat(e.expand("[${listextract{99999999999999999999}{a:b}}]")).isEqualTo("[]");
        assertThat(e.expand("${listextract{3}{a:b}{found $value}{none}}")).isEqualTo("none");
        assertThat(e.expand("${listextract{2}{a:b}{found $value}{none}}")).isEqualTo("found b");
        assertThat(e.expand("[${listextract{1}{}}]")).isEqualTo("[]");
    }

    @Test
    void theBranchNotTakenIsParsedButNotExpanded() {
        Expansion e = new Expansion(Map.of());
        assertThat(e.expand("${listextract{1}{a}{$value}{$no_such_variable}}")).isEqualTo("a");
        assertThat(e.expand("${listextract{5}{a}{$no_such_variable}{x}}")).isEqualTo("x");
    }

    @Test
    void listextractNestsInsideItsOwnArguments() {
        Expansion e = new Expansion(Map.of("bits", "3"));
        assertThat(e.expand("${listextract{${listextract{2}{9:$bits}}}{a:b:c:d}{<$value>}}")).isEqualTo("<c>");
        assertThat(e.expand("${listextract{1}{a\\}b}}")).isEqualTo("a}b");
    }

    @Test
    void failInPlaceOfTheThirdStringIsAForcedFailure() {
        Expansion e = new Expansion(Map.of());
        assertThatThrownBy(() -> e.expand("${listextract{4}{a}{$value}fail}")).isInstanceOf(Expansion.ForcedFailure.class);
        assertThat(e.expand("${listextract{1}{a}{$value}fail}")).isEqualTo("a");
    }

    @Test
    void malformedListextractIsAnError() {
        Expansion e = new Expansion(Map.of("word", "abc"));
        assertThatThrownBy(() -> e.expand("${listextract{$word}{a:b}}")).hasMessageContaining("must be numeric")
                .isNotInstanceOf(Expansion.ForcedFailure.class);
        assertThatThrownBy(() -> e.expand("${listextract{1}{a:b}")).hasMessageContaining("misplaced {");
        assertThatThrownBy(() -> e.expand("${listextract{1}")).hasMessageContaining("missing or misplaced {");
        assertThatThrownBy(() -> e.expand("${listextract{1}{a}{b}{c}{d}}")).hasMessageContaining("missing }");
        assertThatThrownBy(() -> e.expand("${listextract{1}{$nope}}")).hasMessageContaining("unknown variable name \"nope\"");
    }

    @Test
    void resumeDecodeNamesEachValueOfTheFiveBits() {
        String decode = dev.petrel.tls.Resumption.RESUME_DECODE;
        for (int bits = 0; bits < 32; bits++) {
            Expansion e = new Expansion(Map.of("tls_out_resumption", Integer.toString(bits)));
            assertThat(e.expand("${listextract{$tls_out_resumption}{" + decode + "}}"))
                    .as("bits %d", bits).isEqualTo(dev.petrel.tls.Resumption.decode(bits));
        }
        Expansion e = new Expansion(Map.of("tls_out_resumption", "23"));
        assertThat(e.expand("${listextract{$tls_out_resumption}{" + decode + "}}")).isEqualTo("session resumed");
    }

    @Test
    void mentionsSeesVariablesInsideListextract() {
        assertThat(Expansion.mentions("${listextract{1}{$sending_ip_address}}", "sending_ip_address")).isTrue();
        assertThat(Expansion.mentions("\\$sending_ip_address", "sending_ip_address")).isFalse();
    }

    @Test
    void addressesSplitAtTheLastAtAndLowercase() {
        assertThat(Address.parse("\"a@b\"@Example.ORG")).isEqualTo(new Address("\"a@b\"", "example.org"));
        assertThat(Address.parse("postmaster")).isEqualTo(new Address("postmaster", ""));
    }
}
