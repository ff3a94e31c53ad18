package dev.petrel.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DefaultConfigTest {
    private final Config config = Config.embeddedDefault();

    private static InetAddress ip(String literal) {
        return IpAddresses.parse(literal);
    }

    @Test
    void parsesWithTheDocumentedSettings() {
        MainConfig m = config.main();
        assertThat(config.source()).isEqualTo("(embedded default)");
        assertThat(m.localInterfaces()).containsExactly(new ListenAddress("127.0.0.1", 2525),
                new ListenAddress("127.0.0.1", 2465));
        assertThat(m.daemonSmtpPorts()).containsExactly(2525);
        assertThat(m.tlsOnConnectPorts()).containsExactly(2465);
        assertThat(m.tlsResumptionHosts().matches(java.net.InetAddress.getLoopbackAddress())).isFalse();
        assertThat(m.spoolDirectory()).isEqualTo(Path.of("var/spool"));
        assertThat(m.logFilePath()).isEqualTo("var/log/%slog");
        assertThat(m.logSelector()).contains("pipelining", "received_recipients", "smtp_connection", "tls_resumption",
                "tls_cipher", "tls_certificate_verified");
        assertThat(m.localDomains().matches(m.primaryHostname())).isTrue();
        assertThat(m.localDomains().matches("localhost")).isTrue();
        assertThat(m.localDomains().matches("example.com")).isFalse();
        assertThat(m.relayToDomains().matches("example.com")).isFalse();
        assertThat(m.relayFromHosts().matches(ip("127.0.0.1"))).isFalse();
        assertThat(m.pipeliningConnectAdvertiseHosts().matches(ip("192.0.2.1"))).isTrue();
        assertThat(m.tlsResumptionHosts().matches(ip("127.0.0.1"))).isFalse();
    }

    @Test
    void routesLocalMailToMaildirs() {
        assertThat(config.routers()).hasSize(1);
        RouterConfig r = config.routers().get(0);
        assertThat(r.name()).isEqualTo("localuser");
        assertThat(r.driver()).isEqualTo("accept");
        assertThat(r.domains().matches("localhost")).isTrue();
        assertThat(r.domains().matches("example.com")).isFalse();
        assertThat(r.transport()).isEqualTo("local_delivery");

        TransportConfig t = config.transportFor(r).orElseThrow();
        assertThat(t.driver()).isEqualTo("appendfile");
        assertThat(t.get(TransportOptions.Appendfile.DIRECTORY)).isEqualTo("var/mail/$local_part");
        assertThat(t.get(TransportOptions.Appendfile.MAILDIR_FORMAT)).isTrue();
    }

    @Test
    void describeShowsEffectiveValues() {
        String text = config.describe();
        assertThat(text).contains("pipelining_connect_advertise_hosts = *\n");
        assertThat(text).contains("local_interfaces = 127.0.0.1.2525 : 127.0.0.1.2465\n");
        assertThat(text).contains("daemon_smtp_ports = 2525\n");
        assertThat(text).contains("message_size_limit = 50M\n");
        assertThat(text).contains("log_selector = +pipelining +received_recipients +smtp_connection +tls_resumption\n");
        assertThat(config.describe("pipelining_connect_advertise_hosts")).contains("pipelining_connect_advertise_hosts = *");
    }

    @Test
    void textIsAvailableForOperators() {
        assertThat(Config.embeddedDefaultText()).contains("begin routers").contains("begin transports");
    }
}
