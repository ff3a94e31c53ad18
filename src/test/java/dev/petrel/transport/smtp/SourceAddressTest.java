package dev.petrel.transport.smtp;

import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SourceAddressTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void theRouteToALoopbackServerStartsAtLoopbackAndNothingIsSent() throws Exception {
        try (DatagramSocket server = new DatagramSocket(0, LOOPBACK)) {
            InetAddress local = SourceAddress.toward(new InetSocketAddress(LOOPBACK, server.getLocalPort()), null);
            assertThat(local).isEqualTo(LOOPBACK);
            server.setSoTimeout(200);
            assertThatThrownBy(() -> server.receive(new DatagramPacket(new byte[16], 16)))
                    .isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void aBoundAddressIsTheAnswerAsItStands() throws Exception {
        InetAddress bound = InetAddress.getByName("127.0.0.2");
        assertThat(SourceAddress.toward(new InetSocketAddress(LOOPBACK, 25), bound)).isEqualTo(bound);
    }
}
