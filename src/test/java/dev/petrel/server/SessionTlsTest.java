package dev.petrel.server;

import dev.petrel.config.Config;
import dev.petrel.log.MainLog;
import dev.petrel.tls.ServerTls;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandler;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;

/** The TLS state of a session, on an in-memory channel. */
class SessionTlsTest {
    @Test
    void withoutTlsConfiguredNothingIsOffered() {
        SessionTls tls = new SessionTls(null);
        assertThat(tls.available()).isFalse();
        assertThat(tls.started()).isFalse();
        tls.settle();
        assertThat(tls.up()).isFalse();
        assertThat(tls.info()).isNull();
    }

    @Test
    void startingPutsTlsFirstInThePipelineAndOffersItNoMore() throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (ServerTls server = ServerTls.create(Config.parse("""
                primary_hostname = petrel.test
                tls_certificate = %1$s/selfsigned-cert.pem
                tls_privatekey = %1$s/selfsigned-key.pem
                """.formatted(TestServer.credentials()), "t.conf").main(), timer, MainLog.discarding(Set.of()))) {
            SessionTls tls = new SessionTls(server);
            assertThat(tls.available()).isTrue();
            EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
            tls.start(channel.pipeline().firstContext(), InetAddress.getLoopbackAddress(), false);
            assertThat(channel.pipeline().names()).startsWith("tls-hello", "tls");
            assertThat(channel.pipeline().get("tls")).isInstanceOf(SslHandler.class);
            assertThat(tls.started()).isTrue();
            assertThat(tls.available()).isFalse();
            assertThat(tls.how()).isEqualTo("STARTTLS");
            tls.settle();
            assertThat(tls.info()).as("nothing to read before the handshake").isNull();
            channel.finishAndReleaseAll();
        } finally {
            timer.shutdownNow();
        }
    }
}
