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
    void addressesSplitAtTheLastAtAndLowercase() {
        assertThat(Address.parse("\"a@b\"@Example.ORG")).isEqualTo(new Address("\"a@b\"", "example.org"));
        assertThat(Address.parse("postmaster")).isEqualTo(new Address("postmaster", ""));
    }
}
