package dev.petrel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each option type reads Exim's syntax, prints the way {@code exim -bP} does, and refuses bad text with a reason. */
class OptionTypesTest {
    private static final Option<List<Integer>> PORTS = Option.of("ports", OptionTypes.PORTS, "2525");

    /** Named lists, {@code @} and one other option, as a main section would offer them. */
    private static final OptionContext CONTEXT = new OptionContext() {
        @Override
        public String primaryHostname() {
            return "mx.test";
        }

        @Override
        public Map<String, HostList> hostLists() {
            return Map.of("lan", HostList.parse("192.168.0.0/16", null, "mx.test"));
        }

        @Override
        public Map<String, DomainList> domainLists() {
            return Map.of("mine", DomainList.parse("a.test : b.test", null, "mx.test"));
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T value(Option<T> option) {
            if (option != PORTS) {
                throw new IllegalArgumentException(option.name());
            }
            return (T) List.of(2525, 2587);
        }
    };

    private static OptionType<?> type(String name) {
        return switch (name) {
            case "string" -> OptionTypes.STRING;
            case "expandable" -> OptionTypes.EXPANDABLE;
            case "bool" -> OptionTypes.BOOL;
            case "int" -> OptionTypes.INT;
            case "size" -> OptionTypes.SIZE;
            case "time" -> OptionTypes.TIME;
            case "octal" -> OptionTypes.OCTAL;
            case "path" -> OptionTypes.PATH;
            case "nonempty" -> OptionTypes.NON_EMPTY;
            case "port" -> OptionTypes.PORT;
            case "ports" -> OptionTypes.PORTS;
            case "logselector" -> OptionTypes.LOG_SELECTOR;
            case "hostlist" -> OptionTypes.HOST_LIST;
            case "domainlist" -> OptionTypes.DOMAIN_LIST;
            case "interfaces" -> OptionTypes.listenAddresses(PORTS);
            case "idformat" -> OptionTypes.oneOf("must be 4.97 or 4.96", "4.97", "4.96");
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static <T> String roundTrip(OptionType<T> type, String text) {
        return type.print(type.parse(text, CONTEXT));
    }

    @ParameterizedTest(name = "{0}: \"{1}\" prints \"{2}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            string      | mail.example.com          | mail.example.com
            string      | ''                        | ''
            expandable  | var/mail/$local_part      | var/mail/$local_part
            expandable  | ''                        | ''
            bool        | true                      | true
            bool        | YES                       | true
            bool        | no                        | false
            int         | 50000                     | 50000
            int         | 2K                        | 2048
            int         | 0x10                      | 16
            int         | 010                       | 8
            size        | 52428800                  | 50M
            size        | 1025                      | 1025
            size        | 1G                        | 1G
            size        | 0                         | 0
            time        | 5400                      | 1h30m
            time        | 90m                       | 1h30m
            time        | 7d                        | 1w
            time        | 0s                        | 0s
            octal       | 0600                      | 0600
            octal       | 755                       | 0755
            path        | var/spool                 | var/spool
            nonempty    | var/log/%slog             | var/log/%slog
            port        | 2526                      | 2526
            port        | ${if eq{1}{1}{25}{26}}    | ${if eq{1}{1}{25}{26}}
            ports       | 25 : smtps : 25           | 25 : 465
            ports       | ''                        | ''
            logselector | +pipelining -tls_cipher   | +pipelining -tls_cipher
            hostlist    | +lan : !10.0.0.1 : *      | +lan : !10.0.0.1 : *
            hostlist    | ''                        | ''
            domainlist  | @ : +mine                 | @ : +mine
            interfaces  | 127.0.0.1 : 127.0.0.2.26  | 127.0.0.1.2525 : 127.0.0.1.2587 : 127.0.0.2.26
            interfaces  | <; ::1 ; 127.0.0.1.25     | <; [::1]:2525 ; [::1]:2587 ; 127.0.0.1.25
            idformat    | 4.96                      | 4.96
            """)
    void readsAndPrints(String type, String text, String printed) {
        assertThat(roundTrip(type(type), text)).isEqualTo(printed);
    }

    @ParameterizedTest(name = "{0}: \"{1}\" is refused")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            bool        | perhaps               | "perhaps" is not a boolean
            int         | many                  | "many" is not a number
            int         | 3G                    | out of range
            size        | 10Q                   | "10Q" is not a number
            time        | 5 minutes             | "5 minutes" is not a valid time
            octal       | 0699                  | "0699" is not an octal number
            path        | ''                    | must not be empty
            nonempty    | '  '                  | must not be empty
            port        | 0                     | port 0 is out of range
            port        | gopher                | "gopher" is not a port number
            ports       | 25 : 70000            | port 70000 is out of range
            logselector | +bogus                | unknown log selector "bogus"
            logselector | pipelining            | must start with + or -
            hostlist    | 300.1.1.1             | "300.1.1.1" is not a valid IPv4 address
            hostlist    | +nosuch               | unknown host list "+nosuch"
            domainlist  | +nosuch               | unknown domain list "+nosuch"
            interfaces  | mail.example.com      | host names are not allowed
            idformat    | 4.95                  | must be 4.97 or 4.96
            """)
    void refusesWithAReason(String type, String text, String reason) {
        assertThatThrownBy(() -> type(type).parse(text, CONTEXT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(reason);
    }

    @Test
    void typedValues() {
        assertThat(OptionTypes.SIZE.parse("50M", CONTEXT)).isEqualTo(50L * 1024 * 1024);
        assertThat(OptionTypes.TIME.parse("1h30m", CONTEXT)).isEqualTo(Duration.ofMinutes(90));
        assertThat(OptionTypes.OCTAL.parse("0600", CONTEXT)).isEqualTo(0600);
        assertThat(OptionTypes.PATH.parse("var/spool", CONTEXT)).isEqualTo(Path.of("var/spool"));
        assertThat(OptionTypes.HOST_LIST.parse("+lan", CONTEXT).matches(IpAddresses.parse("192.168.1.1"))).isTrue();
        assertThat(OptionTypes.DOMAIN_LIST.parse("@ : +mine", CONTEXT).matches("mx.test")).isTrue();
        assertThat(OptionTypes.DOMAIN_LIST.parse("@ : +mine", CONTEXT).matches("b.test")).isTrue();
        assertThat(OptionTypes.LOG_SELECTOR.parse("-tls_cipher", CONTEXT).enabled()).doesNotContain("tls_cipher")
                .contains("tls_certificate_verified");
        assertThat(OptionTypes.STRING.parse(" ", CONTEXT)).isNull();
    }

    @Test
    void onlyBooleansMayBeWrittenBareAndListsAreEmptyWhenUnset() {
        assertThat(OptionTypes.BOOL.isBoolean()).isTrue();
        assertThat(OptionTypes.STRING.isBoolean()).isFalse();
        assertThat(OptionTypes.HOST_LIST.unset()).isSameAs(HostList.none());
        assertThat(OptionTypes.DOMAIN_LIST.unset()).isSameAs(DomainList.none());
        assertThat(OptionTypes.TIME.unset()).isNull();
        assertThat(OptionTypes.TIME.print(null)).isEmpty();
    }
}
