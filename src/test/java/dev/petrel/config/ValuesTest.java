package dev.petrel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValuesTest {
    @Test
    void times() {
        assertThat(Values.parseTime("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Values.parseTime("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Values.parseTime("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Values.parseTime("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(Values.parseTime("1w")).isEqualTo(Duration.ofDays(7));
        assertThat(Values.parseTime("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Values.parseTime("90m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Values.parseTime("1d2h3m4s")).isEqualTo(Duration.ofSeconds(86400 + 7200 + 180 + 4));
        assertThat(Values.parseTime("45")).isEqualTo(Duration.ofSeconds(45));
        assertThat(Values.parseTime("0s")).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5x", "m5", "1h30", "-5m", "5 m", "1.5h", "99999999999999999999s", "9999999999999999w"})
    void badTimes(String text) {
        assertThatThrownBy(() -> Values.parseTime(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void timesPrintLikeExim() {
        assertThat(Values.formatTime(Duration.ofMinutes(90))).isEqualTo("1h30m");
        assertThat(Values.formatTime(Duration.ofDays(7))).isEqualTo("1w");
        assertThat(Values.formatTime(Duration.ofDays(8).plusSeconds(1))).isEqualTo("1w1d1s");
        assertThat(Values.formatTime(Duration.ZERO)).isEqualTo("0s");
    }

    @Test
    void integersAndSizes() {
        assertThat(Values.parseInteger("50M")).isEqualTo(50L * 1024 * 1024);
        assertThat(Values.parseInteger("10K")).isEqualTo(10240);
        assertThat(Values.parseInteger("10k")).isEqualTo(10240);
        assertThat(Values.parseInteger("2G")).isEqualTo(2L * 1024 * 1024 * 1024);
        assertThat(Values.parseInteger("0")).isZero();
        assertThat(Values.parseInteger("0x10")).isEqualTo(16);
        assertThat(Values.parseInteger("010")).isEqualTo(8);
        assertThat(Values.parseInteger(" 123 ")).isEqualTo(123);
        assertThat(Values.formatSize(50L * 1024 * 1024)).isEqualTo("50M");
        assertThat(Values.formatSize(1536)).isEqualTo("1536");
        assertThat(Values.formatSize(3072)).isEqualTo("3K");
        assertThat(Values.formatSize(0)).isEqualTo("0");
        assertThat(Values.formatSize(4L * 1024 * 1024 * 1024)).isEqualTo("4G");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "12abc", "08", "0x", "-1", "1.5M", "99999999999999999999", "9999999999999G"})
    void badIntegers(String text) {
        assertThatThrownBy(() -> Values.parseInteger(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void intRange() {
        assertThat(Values.parseInt("3", 0)).isEqualTo(3);
        assertThatThrownBy(() -> Values.parseInt("3G", 0)).hasMessageContaining("out of range");
    }

    @Test
    void booleans() {
        assertThat(Values.parseBoolean("true")).isTrue();
        assertThat(Values.parseBoolean("YES")).isTrue();
        assertThat(Values.parseBoolean("false")).isFalse();
        assertThat(Values.parseBoolean("no")).isFalse();
        assertThatThrownBy(() -> Values.parseBoolean("maybe")).hasMessageContaining("not a boolean");
    }

    @Test
    void ports() {
        assertThat(Values.parsePort("2525")).isEqualTo(2525);
        assertThat(Values.parsePort("smtp")).isEqualTo(25);
        assertThat(Values.parsePort("submission")).isEqualTo(587);
        assertThatThrownBy(() -> Values.parsePort("0")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> Values.parsePort("65536")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> Values.parsePort("gopher")).hasMessageContaining("not a port");
    }

    @Test
    void quotedStrings() {
        assertThat(Values.unquote("  plain value  ")).isEqualTo("plain value");
        assertThat(Values.unquote("\" spaced \"")).isEqualTo(" spaced ");
        assertThat(Values.unquote("\"a\\tb\\nc\\\\d\\\"e\"")).isEqualTo("a\tb\nc\\d\"e");
        assertThat(Values.unquote("\"\\101\\x42\\q\"")).isEqualTo("ABq");
        assertThatThrownBy(() -> Values.unquote("\"open")).hasMessageContaining("closing quote");
        assertThatThrownBy(() -> Values.unquote("\"a\" b")).hasMessageContaining("after closing quote");
    }
}
