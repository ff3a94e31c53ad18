package dev.petrel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ListenAddressTest {
    @Test
    void eximPortNotations() {
        assertThat(ListenAddress.parseList("<; 127.0.0.1.2525 ; [::1]:2526 ; ::1.25 ; 10.0.0.1", List.of(25, 587)))
                .containsExactly(
                        new ListenAddress("127.0.0.1", 2525),
                        new ListenAddress("::1", 2526),
                        new ListenAddress("::1", 25),
                        new ListenAddress("10.0.0.1", 25),
                        new ListenAddress("10.0.0.1", 587));
    }

    @Test
    void bareIpv6AndEmbeddedIpv4HaveNoPort() {
        assertThat(ListenAddress.parseList("<; ::1 ; ::ffff:1.2.3.4", List.of(2525)))
                .containsExactly(new ListenAddress("::1", 2525), new ListenAddress("::ffff:1.2.3.4", 2525));
        assertThat(ListenAddress.parseList("127.0.0.1 : ::::1", List.of(25)))
                .containsExactly(new ListenAddress("127.0.0.1", 25), new ListenAddress("::1", 25));
    }

    @Test
    void duplicatesCollapse() {
        assertThat(ListenAddress.parseList("127.0.0.1.25 : 127.0.0.1", List.of(25))).hasSize(1);
    }

    @Test
    void printing() {
        assertThat(new ListenAddress("127.0.0.1", 25).toString()).isEqualTo("127.0.0.1.25");
        assertThat(new ListenAddress("::1", 25).toString()).isEqualTo("[::1]:25");
        assertThat(new ListenAddress("::1", 25).socketAddress()).isEqualTo(new InetSocketAddress("::1", 25));
    }

    @Test
    void errors() {
        assertThatThrownBy(() -> ListenAddress.parseList("mail.example.com", List.of(25)))
                .hasMessageContaining("host names are not allowed");
        assertThatThrownBy(() -> ListenAddress.parseList("300.0.0.1", List.of(25)))
                .hasMessageContaining("not a valid IPv4 address");
        assertThatThrownBy(() -> ListenAddress.parseList("127.0.0.1.99999", List.of(25)))
                .hasMessageContaining("out of range");
        assertThatThrownBy(() -> ListenAddress.parseList("<; [::1", List.of(25))).hasMessageContaining("missing ]");
        assertThatThrownBy(() -> new ListenAddress("127.0.0.1", -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void portZeroLetsTheKernelPick() {
        assertThat(ListenAddress.parseList("<; 127.0.0.1.0 ; [::1]:0", List.of(25)))
                .containsExactly(new ListenAddress("127.0.0.1", 0), new ListenAddress("::1", 0));
    }
}
