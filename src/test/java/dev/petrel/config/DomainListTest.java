package dev.petrel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DomainListTest {
    private static DomainList list(String text) {
        return DomainList.parse(text, Map.of(), "mail.example.org");
    }

    @Test
    void literalsAreCaseInsensitive() {
        DomainList l = list("Example.COM : localhost");
        assertThat(l.matches("example.com")).isTrue();
        assertThat(l.matches("EXAMPLE.com")).isTrue();
        assertThat(l.matches("localhost")).isTrue();
        assertThat(l.matches("www.example.com")).isFalse();
        assertThat(l.matches(null)).isFalse();
    }

    @Test
    void wildcards() {
        assertThat(list("*").matches("anything.test")).isTrue();
        DomainList dot = list("*.example.com");
        assertThat(dot.matches("a.example.com")).isTrue();
        assertThat(dot.matches("a.b.EXAMPLE.com")).isTrue();
        assertThat(dot.matches("example.com")).isFalse();
        DomainList bare = list("*key.ex");
        assertThat(bare.matches("donkey.ex")).isTrue();
        assertThat(bare.matches("cipher.key.ex")).isTrue();
        assertThat(bare.matches("key.ex")).isTrue();
        assertThat(bare.matches("key.ex.org")).isFalse();
    }

    @Test
    void regexIsCaseInsensitiveAndUnanchoredAtTheEnd() {
        DomainList l = list("^mx\\d+\\.example\\.com$");
        assertThat(l.matches("MX12.example.com")).isTrue();
        assertThat(l.matches("mx.example.com")).isFalse();
        assertThat(list("^mail").matches("mail.example.net")).isTrue();
    }

    @Test
    void atIsPrimaryHostname() {
        DomainList l = list("@ : localhost");
        assertThat(l.matches("MAIL.example.org")).isTrue();
        assertThat(l.matches("localhost")).isTrue();
        assertThat(l.matches("example.org")).isFalse();
    }

    @Test
    void localDomainLiteral() {
        DomainList l = list("@[]");
        assertThat(l.matches("[127.0.0.1]")).isTrue();
        assertThat(l.matches("[192.0.2.99]")).isFalse();
        assertThat(l.matches("127.0.0.1")).isFalse();
        assertThat(l.matches("[garbage]")).isFalse();
    }

    @Test
    void negationOrderAndImplicitEnd() {
        DomainList l = list("!a.b.c : *.b.c");
        assertThat(l.matches("a.b.c")).isFalse();
        assertThat(l.matches("x.b.c")).isTrue();
        assertThat(l.matches("other.org")).isFalse();
        DomainList onlyNegative = list("!a.b.c");
        assertThat(onlyNegative.matches("a.b.c")).isFalse();
        assertThat(onlyNegative.matches("other.org")).isTrue();
    }

    @Test
    void namedLists() {
        DomainList local = list("example.com : example.net");
        Map<String, DomainList> named = Map.of("local_domains", local);
        DomainList notLocal = DomainList.parse("! +local_domains : *", named, "x");
        assertThat(notLocal.matches("example.com")).isFalse();
        assertThat(notLocal.matches("elsewhere.org")).isTrue();
        assertThat(DomainList.parse("+local_domains", named, "x").matches("EXAMPLE.NET")).isTrue();
        assertThatThrownBy(() -> DomainList.parse("+nope", named, "x")).hasMessageContaining("unknown domain list \"+nope\"");
    }

    @Test
    void noneAndAll() {
        assertThat(DomainList.none().matches("x.org")).isFalse();
        assertThat(DomainList.all().matches("x.org")).isTrue();
        assertThat(list("").matches("x.org")).isFalse();
        assertThat(list("a.org").text()).isEqualTo("a.org");
    }

    @ParameterizedTest
    @ValueSource(strings = {"lsearch;/etc/domains", "/etc/domains", "@mx_any", "^(unclosed"})
    void unsupportedItems(String text) {
        assertThatThrownBy(() -> list(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
