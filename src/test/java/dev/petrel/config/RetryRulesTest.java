package dev.petrel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code begin retry}: Exim's line syntax, every rule form and error name, matching, and bad lines. */
class RetryRulesTest {

    private static Config parse(String... lines) throws ConfigException {
        return Config.parse(String.join("\n", lines) + "\n", "test.conf");
    }

    private static RetryRules rules(String... lines) throws ConfigException {
        String[] all = new String[lines.length + 1];
        all[0] = "begin retry";
        System.arraycopy(lines, 0, all, 1, lines.length);
        return parse(all).retry();
    }

    @Test
    void parsesEveryRuleForm() throws Exception {
        RetryConfig line = rules("*  *  F,2h,15m; G,16h,1h,1.5; H,4d,6h,2; F , 5d , 1d").lines().getFirst();
        assertThat(line.pattern()).isEqualTo("*");
        assertThat(line.error()).isEqualTo(RetryError.ANY);
        assertThat(line.rules()).containsExactly(
                new RetryRule('F', Duration.ofHours(2), Duration.ofMinutes(15), 1),
                new RetryRule('G', Duration.ofHours(16), Duration.ofHours(1), 1.5),
                new RetryRule('H', Duration.ofDays(4), Duration.ofHours(6), 2),
                new RetryRule('F', Duration.ofDays(5), Duration.ofDays(1), 1));
        assertThat(line.line()).isEqualTo(2);
        assertThat(line.toString()).isEqualTo("*  *  F,2h,15m; G,16h,1h,1.5; H,4d,6h,2.0; F,5d,1d");
    }

    @Test
    void aLineWithoutRulesMeansNoRetries() throws Exception {
        RetryConfig line = rules("lists.example  *").lines().getFirst();
        assertThat(line.rules()).isEmpty();
        assertThat(line.finalRule()).isNull();
    }

    @Test
    void noSectionGetsEximsDefaultRuleAndAnEmptySectionNone() throws Exception {
        assertThat(parse("").retry().lines()).hasSize(1);
        assertThat(parse("").retry().lines().getFirst().toString()).isEqualTo("*  *  F,2h,15m; G,16h,1h,1.5; F,4d,6h");
        assertThat(rules().lines()).isEmpty();
        assertThat(rules().find("mx.example:192.0.2.1", "example", RetryError.ECONNREFUSED, 'A')).isEmpty();
        assertThat(Config.embeddedDefault().retry().lines().getFirst().toString())
                .isEqualTo("*  *  F,2h,15m; G,16h,1h,1.5; F,4d,6h");
    }

    /** Each error name, a failure it covers (errno, more_errno) and one it does not. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(textBlock = """
            refused,            111, 65,    110, 65
            refused_MX,         111, 77,    111, 65
            refused_A,          111, 65,    111, 77
            timeout,            110, 321,   111, 65
            timeout_connect,    110, 321,   110, 65
            timeout_connect_MX, 110, 333,   110, 77
            timeout_connect_A,  110, 321,   110, 333
            timeout_MX,         110, 333,   110, 65
            timeout_A,          110, 65,    110, 77
            lost_connection,    -18, 0,     -45, 0
            auth_failed,        -42, 0,     -18, 0
            tls_required,       -38, 0,     -42, 0
            quota,              -22, 0,     111, 0
            quota_2d,           -22, 200000, -22, 3600
            rcpt_4xx,           -44, 12800, -45, 12800
            rcpt_45x,           -44, 13056, -44, 5376
            rcpt_451,           -44, 13056, -44, 13312
            mail_4xx,           -45, 5376,  -44, 5376
            mail_42x,           -45, 5376,  -45, 12800
            data_4xx,           -46, 13056, -45, 13056
            data_452,           -46, 13312, -46, 13056
            """)
    void errorNamesMatchAsInExim(String name, int errno, int more, int otherErrno, int otherMore) throws Exception {
        RetryRules r = rules("*  " + name + "  F,1h,10m");
        assertThat(r.find("mx.example:192.0.2.1", "example", errno, more)).as("%s covers %d/%d", name, errno, more)
                .isPresent();
        assertThat(r.find("mx.example:192.0.2.1", "example", otherErrno, otherMore))
                .as("%s does not cover %d/%d", name, otherErrno, otherMore).isEmpty();
    }

    @Test
    void starCoversEveryError() {
        assertThat(RetryError.parse("*").matches(111, 'A')).isTrue();
        assertThat(RetryError.parse("*").matches(-44, 13056)).isTrue();
        assertThat(RetryError.parse("*").matches(-1, 0)).isTrue();
    }

    @Test
    void replyCodesAreWhereRcptRulesLook() {
        assertThat(RetryError.replyCode(451)).isEqualTo(13056);
        assertThat(RetryError.parse("RCPT_4XX")).isEqualTo(new RetryError("RCPT_4XX", -44, 255 << 8));
    }

    @Test
    void patternsMatchHostsDomainsAndAddresses() throws Exception {
        RetryRules r = rules(
                "alice@example.org  *  F,1h,1m",
                "*@example.org      *  F,2h,2m",
                "*.example.net      *  F,3h,3m",
                "example.com        refused  F,4h,4m",
                "*                  *  F,5h,5m");
        int refused = RetryError.ECONNREFUSED;
        assertThat(r.find("alice@example.org:<s@x>", null, -44, 0).orElseThrow().line()).isEqualTo(2);
        assertThat(r.find("bob@example.org", null, -44, 0).orElseThrow().line()).isEqualTo(3);
        assertThat(r.find("example.org", null, -1, 0).orElseThrow().line()).isEqualTo(3);
        assertThat(r.find("mx1.example.net:192.0.2.1", "example.com", refused, 'M').orElseThrow().line()).isEqualTo(4);
        // The host's own name, then the domain delivered to: a rule for the domain covers its hosts.
        assertThat(r.find("mx.other:192.0.2.1", "EXAMPLE.COM", refused, 'M').orElseThrow().line()).isEqualTo(5);
        assertThat(r.find("mx.other:192.0.2.1", "example.com", refused, 'M').orElseThrow().line()).isEqualTo(5);
        assertThat(r.find("mx.other:192.0.2.1", "example.com", 110, 'M').orElseThrow().line()).isEqualTo(6);
        assertThat(r.find("example.com", null, refused, 0).orElseThrow().line()).isEqualTo(5);
    }

    @Test
    void firstMatchingLineWins() throws Exception {
        RetryRules r = rules("*  rcpt_4xx  F,1h,1m", "*  *  F,2h,2m");
        assertThat(r.find("a@b", null, -44, 13056).orElseThrow().line()).isEqualTo(2);
        assertThat(r.find("a@b", null, -45, 13056).orElseThrow().line()).isEqualTo(3);
    }

    @Test
    void macrosAndContinuationsWorkInTheSection() throws Exception {
        RetryRules r = parse("RULES = F,1h,10m", "begin retry", "*  *  RULES; \\", "   G,2h,20m,2").retry();
        assertThat(r.lines().getFirst().rules()).hasSize(2);
    }

    /**
     * @param text the retry line
     * @param reason text the reason must contain
     */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '~', textBlock = """
            *                             ~ needs a pattern and an error name
            *  nosuch  F,1h,1m            ~ unknown error name "nosuch"
            *  rcpt_4x1  F,1h,1m          ~ only the last digit
            *  quota_soon  F,1h,1m        ~ is not a valid time
            *  *  X,1h,1m                 ~ it must start with F, G or H
            *  *  F,1h                    ~ F takes a cutoff time and an interval
            *  *  F,1h,1m,2               ~ F takes a cutoff time and an interval
            *  *  G,1h,1m                 ~ G takes a cutoff time, an interval and a factor
            *  *  H,1h,1m,1.5,2           ~ H takes a cutoff time, an interval and a factor
            *  *  G,1h,1m,1               ~ the factor must be a number greater than 1
            *  *  G,1h,1m,lots            ~ bad retry rule
            *  *  F,1h,0s                 ~ the interval must be longer than 0s
            *  *  F,soon,1m               ~ is not a valid time
            *  *  F,1h,1m;                ~ it must start with F, G or H
            *  *  senders=:  F,1h,1m      ~ senders= in retry rules is not supported
            """)
    void badLinesAreConfigErrorsWithTheirLine(String text, String reason) {
        assertThatThrownBy(() -> parse("# retry rules", "begin retry", "", text))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("test.conf line 4: ")
                .hasMessageContaining(reason);
    }

    @Test
    void retryIntervalMaxAndDelayAfterCutoffAreOptions() throws Exception {
        Config c = parse("retry_interval_max = 2h", "begin transports", "t:", "  driver = smtp", "  no_delay_after_cutoff");
        assertThat(c.main().get(MainOptions.RETRY_INTERVAL_MAX)).isEqualTo(Duration.ofHours(2));
        assertThat(c.transports().get("t").get(TransportOptions.Smtp.DELAY_AFTER_CUTOFF)).isFalse();
        assertThat(parse("").main().get(MainOptions.RETRY_INTERVAL_MAX)).isEqualTo(Duration.ofHours(24));
        assertThat(List.of(c.describe("retry_interval_max").orElseThrow())).containsExactly("retry_interval_max = 2h");
    }
}
