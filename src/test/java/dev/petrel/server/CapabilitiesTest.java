package dev.petrel.server;

import dev.petrel.config.Config;
import dev.petrel.config.MainConfig;
import dev.petrel.smtp.Reply;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;

/** The EHLO lines, from the configuration and the client's address. */
class CapabilitiesTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private static MainConfig config(String... lines) throws Exception {
        return Config.parse("primary_hostname = petrel.test\n" + String.join("\n", lines) + "\n", "t.conf").main();
    }

    @Test
    void everythingOfferedInOrder() throws Exception {
        Capabilities offered = Capabilities.ehlo(config("message_size_limit = 10M"), LOOPBACK, true, true);
        assertThat(offered.reply("petrel.test Hello c [127.0.0.1]")).isEqualTo(new Reply(250, java.util.List.of(
                "petrel.test Hello c [127.0.0.1]", "SIZE 10485760", "8BITMIME", "PIPELINING", "PIPECONNECT",
                "CHUNKING", "STARTTLS", "SMTPUTF8", "ENHANCEDSTATUSCODES", "HELP")));
        assertThat(offered.protocol(false)).isEqualTo("esmtp");
        assertThat(offered.protocol(true)).isEqualTo("esmtps");
    }

    @Test
    void hostListsAndTlsDecideWhatIsOffered() throws Exception {
        MainConfig config = config("message_size_limit = 0", "pipelining_advertise_hosts = 192.0.2.1",
                "chunking_advertise_hosts =", "tls_advertise_hosts = *");
        Capabilities offered = Capabilities.ehlo(config, LOOPBACK, true, false);
        assertThat(offered.pipelining()).isFalse();
        assertThat(offered.pipeconnect()).as("PIPECONNECT needs PIPELINING").isFalse();
        assertThat(offered.chunking()).isFalse();
        assertThat(offered.starttls()).as("no TLS available").isFalse();
        assertThat(offered.reply("g").lines()).containsExactly("g", "SIZE", "8BITMIME", "SMTPUTF8",
                "ENHANCEDSTATUSCODES", "HELP");
    }

    @Test
    void pipeconnectOnlyForClientsAllowedToPipelineEarly() throws Exception {
        Capabilities offered = Capabilities.ehlo(config(), LOOPBACK, false, true);
        assertThat(offered.pipelining()).isTrue();
        assertThat(offered.pipeconnect()).isFalse();
    }

    @Test
    void noneIsWhatHeloAndStarttlsLeave() {
        assertThat(Capabilities.NONE.esmtp()).isFalse();
        assertThat(Capabilities.NONE.reply("petrel.test Hello c [127.0.0.1]"))
                .isEqualTo(Reply.of(250, "petrel.test Hello c [127.0.0.1]"));
        assertThat(Capabilities.NONE.protocol(false)).isEqualTo("smtp");
        assertThat(Capabilities.NONE.protocol(true)).isEqualTo("smtps");
    }
}
