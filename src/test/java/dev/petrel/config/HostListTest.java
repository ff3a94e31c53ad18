package dev.petrel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostListTest {
    private static InetAddress ip(String literal) {
        return IpAddresses.parse(literal);
    }

    private static HostList list(String text) {
        return HostList.parse(text, Map.of(), "localhost");
    }

    @Test
    void starMatchesEverything() {
        HostList all = list("*");
        assertThat(all.matches(ip("1.2.3.4"))).isTrue();
        assertThat(all.matches(ip("2001:db8::1"))).isTrue();
        assertThat(all.matches(null)).isTrue();
        assertThat(all.text()).isEqualTo("*");
    }

    @Test
    void noneAndEmptyMatchNothing() {
        assertThat(HostList.none().matches(ip("127.0.0.1"))).isFalse();
        assertThat(HostList.none().text()).isEmpty();
        assertThat(list("").matches(ip("127.0.0.1"))).isFalse();
        assertThat(HostList.parse(null, null, "x").matches(ip("127.0.0.1"))).isFalse();
    }

    @Test
    void ipv4LiteralsAndCidr() {
        HostList l = list("192.168.1.1 : 10.0.0.0/8 : 172.16.5.0/24");
        assertThat(l.matches(ip("192.168.1.1"))).isTrue();
        assertThat(l.matches(ip("192.168.1.2"))).isFalse();
        assertThat(l.matches(ip("10.255.1.2"))).isTrue();
        assertThat(l.matches(ip("11.0.0.1"))).isFalse();
        assertThat(l.matches(ip("172.16.5.200"))).isTrue();
        assertThat(l.matches(ip("172.16.6.1"))).isFalse();
        assertThat(l.matches(ip("::1"))).isFalse();
    }

    @Test
    void oddPrefixLengths() {
        HostList l = list("192.168.23.236/31 : 0.0.0.0/0");
        assertThat(list("192.168.23.236/31").matches(ip("192.168.23.237"))).isTrue();
        assertThat(list("192.168.23.236/31").matches(ip("192.168.23.238"))).isFalse();
        assertThat(list("10.1.2.3/20").matches(ip("10.1.15.255"))).isTrue();
        assertThat(list("10.1.2.3/20").matches(ip("10.1.16.0"))).isFalse();
        assertThat(l.matches(ip("8.8.8.8"))).isTrue();
        assertThat(l.matches(ip("2001:db8::1"))).isFalse();
    }

    @Test
    void ipv6WithChangedSeparator() {
        HostList l = HostList.parse("<; ::1 ; 2001:db8::/32 ; 127.0.0.1", Map.of(), "x");
        assertThat(l.matches(ip("::1"))).isTrue();
        assertThat(l.matches(ip("2001:db8:ffff::5"))).isTrue();
        assertThat(l.matches(ip("2001:db9::5"))).isFalse();
        assertThat(l.matches(ip("127.0.0.1"))).isTrue();
    }

    @Test
    void ipv6WithDoubledColons() {
        HostList l = list("127.0.0.1 : ::::1 : 3ffe::ffff::836f::::/48");
        assertThat(l.matches(ip("::1"))).isTrue();
        assertThat(l.matches(ip("3ffe:ffff:836f:1::9"))).isTrue();
        assertThat(l.matches(ip("3ffe:ffff:8370::9"))).isFalse();
    }

    @Test
    void ipv4MappedIpv6IsComparedAsIpv4() throws UnknownHostException {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 10;
        mapped[15] = 7;
        InetAddress v6 = Inet6Address.getByAddress(null, mapped, -1);
        assertThat(v6).isInstanceOf(Inet6Address.class);
        assertThat(list("10.0.0.0/8").matches(v6)).isTrue();
        assertThat(list("10.0.0.7").matches(v6)).isTrue();
        assertThat(list("<; ::ffff:10.0.0.7").matches(ip("10.0.0.7"))).isTrue();
    }

    @Test
    void firstMatchWinsWithNegation() {
        HostList l = list("!10.0.0.1 : 10.0.0.0/8");
        assertThat(l.matches(ip("10.0.0.1"))).isFalse();
        assertThat(l.matches(ip("10.0.0.2"))).isTrue();
        assertThat(l.matches(ip("11.0.0.1"))).isFalse();

        HostList reversed = list("10.0.0.0/8 : !10.0.0.1");
        assertThat(reversed.matches(ip("10.0.0.1"))).isTrue();
    }

    @Test
    void listEndingInNegativeItemMatchesTheRest() {
        HostList l = list("! 192.168.0.0/16");
        assertThat(l.matches(ip("192.168.3.4"))).isFalse();
        assertThat(l.matches(ip("8.8.8.8"))).isTrue();
        HostList mixed = list("!1.1.1.1 : 2.2.2.2 : !3.3.3.3");
        assertThat(mixed.matches(ip("1.1.1.1"))).isFalse();
        assertThat(mixed.matches(ip("3.3.3.3"))).isFalse();
        assertThat(mixed.matches(ip("4.4.4.4"))).isTrue();
    }

    @Test
    void localhostIsAnyLoopback() {
        HostList l = list("localhost");
        assertThat(l.matches(ip("127.0.0.1"))).isTrue();
        assertThat(l.matches(ip("127.1.2.3"))).isTrue();
        assertThat(l.matches(ip("::1"))).isTrue();
        assertThat(l.matches(ip("10.0.0.1"))).isFalse();
    }

    @Test
    void namedLists() {
        HostList relay = HostList.parse("!10.9.0.0/16 : 10.0.0.0/8", Map.of(), "x");
        Map<String, HostList> named = Map.of("relay", relay);
        HostList l = HostList.parse("+relay : 192.0.2.1", named, "x");
        assertThat(l.matches(ip("10.1.0.1"))).isTrue();
        assertThat(l.matches(ip("192.0.2.1"))).isTrue();
        // Excluded inside the sublist means "no match there", so the outer list carries on.
        assertThat(l.matches(ip("10.9.0.1"))).isFalse();

        HostList negated = HostList.parse("!+relay : *", named, "x");
        assertThat(negated.matches(ip("10.1.0.1"))).isFalse();
        assertThat(negated.matches(ip("8.8.8.8"))).isTrue();
    }

    @Test
    void unknownNamedListIsAnError() {
        assertThatThrownBy(() -> list("+nosuch")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown host list \"+nosuch\"");
    }

    @Test
    void emptyItemMatchesOnlyNoHost() {
        HostList l = list(" : 10.0.0.1");
        assertThat(l.matches(null)).isTrue();
        assertThat(l.matches(ip("10.0.0.1"))).isTrue();
        assertThat(list("10.0.0.1").matches(null)).isFalse();
    }

    @Test
    void atMeansThePrimaryHostName() {
        assertThat(HostList.parse("@", Map.of(), "localhost").matches(ip("127.0.0.1"))).isTrue();
        // An unresolvable primary name still counts the loopback addresses as this host.
        HostList unresolvable = HostList.parse("@", Map.of(), "no-such-host.invalid");
        assertThat(unresolvable.matches(ip("127.0.0.1"))).isTrue();
        assertThat(unresolvable.matches(ip("192.0.2.1"))).isFalse();
    }

    @Test
    void localInterfaces() {
        assertThat(list("@[]").matches(ip("127.0.0.1"))).isTrue();
        assertThat(list("@[]").matches(ip("192.0.2.77"))).isFalse();
    }

    @Test
    void hostNamesAreLookedUpAndFailuresDoNotMatch() {
        assertThat(list("localhost.").matches(ip("192.0.2.1"))).isFalse();
        assertThat(list("no-such-host.invalid").matches(ip("127.0.0.1"))).isFalse();
        assertThat(list("no-such-host.invalid : 127.0.0.1").matches(ip("127.0.0.1"))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"300.1.1.1", "1.2.3", "1.2.3.4.5", "10.0.0.0/33", "<; ::1/129", "10.0.0.0/x",
            "<; 1::2::3", "<; ::g", "*.example.com", "^mail", "lsearch;/etc/hosts", "/etc/hosts",
            "@mx_any", "bad host", "[1.2.3.4]", "-leading"})
    void badItemsAreRejected(String text) {
        assertThatThrownBy(() -> list(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("null");
    }

    @Test
    void badIpv4MessageNamesTheItem() {
        assertThatThrownBy(() -> list("127.0.0.1 : 300.1.1.1"))
                .hasMessage("\"300.1.1.1\" is not a valid IPv4 address");
    }
}
