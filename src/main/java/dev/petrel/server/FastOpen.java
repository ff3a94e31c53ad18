package dev.petrel.server;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.EpollTcpInfo;

/**
 * Whether an accepted connection came in by TCP Fast Open, read from the kernel's TCP_INFO, for Exim's log
 * field: {@code TFO*} when the client's SYN carried data that was accepted (an early-pipelining client's EHLO,
 * one round trip saved), {@code TFO} when the connection was handed over before the handshake completed.
 */
final class FastOpen {
    private static final int TCPI_OPT_SYN_DATA = 32;
    private static final int TCP_SYN_RECV = 3;

    private FastOpen() {}

    /** The log field, or null for an ordinary connection (and always under NIO, which cannot tell). */
    static String logField(Channel channel) {
        if (!(channel instanceof EpollSocketChannel socket)) {
            return null;
        }
        try {
            EpollTcpInfo info = socket.tcpInfo();
            if ((info.options() & TCPI_OPT_SYN_DATA) != 0) {
                return "TFO*";
            }
            return info.state() == TCP_SYN_RECV ? "TFO" : null;
        } catch (RuntimeException e) {
            return null; // a socket already reset: nothing to log about it
        }
    }
}
