package dev.petrel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The table machinery on a table of its own, then the declared tables of main options and drivers. */
class OptionTableTest {
    private static final OptionTable GENERIC = new OptionTable("thing", null);
    private static final Option<Boolean> ENABLED = GENERIC.add("enabled", OptionTypes.BOOL, "true");
    private static final OptionTable TABLE = new OptionTable("widget", GENERIC);
    private static final Option<String> NAME = TABLE.add(Option.of("name", OptionTypes.STRING, null).alias("label"));
    private static final Option<String> TITLE = TABLE.add(Option.of("title", OptionTypes.STRING, null).computed(c -> "about " + c.value(NAME)));
    private static final Option<Integer> COUNT = TABLE.add(Option.of("count", OptionTypes.INT, "3").require(n -> n < 10, "must be under 10"));
    private static final Option<Duration> WAIT = TABLE.add(Option.of("wait", OptionTypes.TIME, "5m")
            .require((d, c) -> d.toMinutes() <= c.value(COUNT) * 60, "must not be longer than count hours"));
    private static final Option<Boolean> FANCY = TABLE.add(Option.of("fancy", OptionTypes.BOOL, "false").notImplemented());

    private static OptionValues resolve(String... lines) throws ConfigException {
        OptionResolver r = new OptionResolver(TABLE, OptionScope.driver("w.conf", "widget", "w", "widget"));
        r.lists("mx.test", Map.of(), Map.of());
        int n = 0;
        for (String line : lines) {
            n++;
            String[] parts = line.split("=", 2);
            r.set(new Setting(parts[0].strip(), parts.length == 1 ? null : parts[1].strip(), n));
        }
        return r.resolveAll();
    }

    @ParameterizedTest(name = "\"{0}\" sets {1} to \"{2}\"")
    @CsvSource(delimiter = '|', textBlock = """
            enabled            | enabled | true
            no_enabled         | enabled | false
            not_enabled        | enabled | false
            enabled = no       | enabled | no
            label = x          | name    | x
            name = x           | name    | x
            """)
    void canonicalSettings(String line, String option, String value) throws Exception {
        String[] parts = line.split("=", 2);
        Setting s = TABLE.canonical(new Setting(parts[0].strip(), parts.length == 1 ? null : parts[1].strip(), 7),
                OptionScope.main("w.conf"));
        assertThat(s).isEqualTo(new Setting(option, value, 7));
    }

    @ParameterizedTest(name = "\"{0}\" is refused")
    @CsvSource(delimiter = '|', textBlock = """
            colour = red     | 1 | widget "w": option "colour" unknown for the widget driver
            no_name          | 1 | widget "w": option "no_name" unknown for the widget driver
            no_enabled = yes | 1 | widget "w": "no_enabled" cannot be given a value; write enabled = false
            name             | 1 | widget "w": option "name" needs a value (name = ...)
            label            | 1 | widget "w": option "name" needs a value (name = ...)
            fancy            | 1 | widget "w": option "fancy" is not implemented yet
            no_fancy         | 1 | widget "w": option "fancy" is not implemented yet
            fancy = false    | 1 | widget "w": option "fancy" is not implemented yet
            count = many     | 1 | widget "w": option "count": "many" is not a number
            count = 12       | 1 | widget "w": option "count" must be under 10
            count = 0        | 0 | widget "w": option "wait" must not be longer than count hours
            """)
    void refusedWithFileAndLine(String line, int at, String reason) {
        assertThatThrownBy(() -> resolve("wait = 1m", line.strip()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("w.conf line " + (at + 1) + ": " + reason);
    }

    @Test
    void firstBadLineInFileOrderIsReported() {
        assertThatThrownBy(() -> resolve("wait = soon", "count = many"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("w.conf line 1: ");
        assertThatThrownBy(() -> resolve("count = many", "wait = soon"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("w.conf line 1: ");
    }

    @Test
    void defaultsComputedValuesAndLastSettingWins() throws Exception {
        OptionValues v = resolve("name = first", "label = second", "no_enabled");
        assertThat(v.get(NAME)).isEqualTo("second");
        assertThat(v.get(TITLE)).isEqualTo("about second");
        assertThat(v.get(COUNT)).isEqualTo(3);
        assertThat(v.get(WAIT)).isEqualTo(Duration.ofMinutes(5));
        assertThat(v.get(ENABLED)).isFalse();
        assertThat(v.get(FANCY)).isFalse();
        assertThat(v.isSet(NAME)).isTrue();
        assertThat(v.isSet(ENABLED)).isTrue();
        assertThat(v.isSet(WAIT)).isFalse();

        OptionValues unset = resolve();
        assertThat(unset.get(NAME)).isNull();
        assertThat(unset.get(TITLE)).isEqualTo("about null");
        assertThat(resolve("title = own").get(TITLE)).isEqualTo("own");
    }

    @Test
    void printsImplementedOptionsAlphabeticallyUnsetAsBareName() throws Exception {
        OptionValues v = resolve("wait = 90m");
        assertThat(v.describe()).isEqualTo("""
                count = 3
                enabled = true
                name =
                title = about null
                wait = 1h30m
                """);
        assertThat(v.describe("label")).contains("name =");
        assertThat(v.describe("fancy")).isEmpty();
        assertThat(v.describe("colour")).isEmpty();
    }

    @Test
    void anOptionBelongsToItsTableOnly() throws Exception {
        OptionValues v = resolve();
        assertThatThrownBy(() -> v.get(MainOptions.QUEUE_ONLY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not in the widget table");
        assertThatThrownBy(() -> TABLE.add("wait", OptionTypes.TIME, "1m")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> TABLE.add("enabled", OptionTypes.BOOL, "true")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void driverTablesIncludeTheGenericOptions() {
        assertThat(RouterOptions.Manualroute.TABLE.find("route_list")).contains(RouterOptions.Manualroute.ROUTE_LIST);
        assertThat(RouterOptions.Manualroute.TABLE.find("domains")).contains(RouterOptions.DOMAINS);
        assertThat(RouterOptions.ACCEPT.find("route_list")).isEmpty();
        assertThat(RouterOptions.DNSLOOKUP.find("transport")).contains(RouterOptions.TRANSPORT);
        assertThat(TransportOptions.Smtp.TABLE.find("driver")).contains(TransportOptions.DRIVER);
        assertThat(TransportOptions.Smtp.TABLE.find("directory")).isEmpty();
        assertThat(TransportOptions.Appendfile.TABLE.find("port")).isEmpty();
        assertThat(MainOptions.TABLE.find("daemon_smtp_port")).contains(MainOptions.DAEMON_SMTP_PORTS);
        assertThat(TransportOptions.Smtp.TABLE.find("tls_resumption_hosts")).get()
                .isNotEqualTo(MainOptions.TLS_RESUMPTION_HOSTS);
    }

    @Test
    void everyDeclaredDefaultIsValid() throws Exception {
        for (OptionTable t : new OptionTable[] {MainOptions.TABLE, RouterOptions.ACCEPT, RouterOptions.DNSLOOKUP,
                RouterOptions.Manualroute.TABLE, TransportOptions.Appendfile.TABLE, TransportOptions.Smtp.TABLE}) {
            OptionResolver r = new OptionResolver(t, OptionScope.main("defaults"));
            r.lists("mx.test", Map.of(), Map.of());
            OptionValues v = r.resolveAll();
            assertThat(v.values().keySet()).containsExactlyInAnyOrderElementsOf(t.options());
        }
    }
}
