package dev.petrel.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EximListTest {
    @Test
    void colonSeparatedItemsAreTrimmed() {
        assertThat(EximList.split(" a : b:c ")).containsExactly("a", "b", "c");
    }

    @Test
    void doubledColonIsALiteralColon() {
        assertThat(EximList.split("127.0.0.1 : ::::1")).containsExactly("127.0.0.1", "::1");
        assertThat(EximList.split("3ffe::ffff::836f::::/48")).containsExactly("3ffe:ffff:836f::/48");
    }

    @Test
    void angleBracketChangesTheSeparator() {
        assertThat(EximList.split("<; ::1 ; 127.0.0.1")).containsExactly("::1", "127.0.0.1");
        assertThat(EximList.split("<, a,b,,c")).containsExactly("a", "b,c");
    }

    @Test
    void controlCharacterSeparatorCannotBeEscaped() {
        assertThat(EximList.split("<\n a\n\nb")).containsExactly("a", "", "b");
    }

    @Test
    void onlyATrailingEmptyItemIsDropped() {
        assertThat(EximList.split("a :")).containsExactly("a");
        assertThat(EximList.split("a : : b")).containsExactly("a", "", "b");
        assertThat(EximList.split(":")).containsExactly("");
        assertThat(EximList.split("")).isEmpty();
        assertThat(EximList.split(null)).isEmpty();
    }
}
