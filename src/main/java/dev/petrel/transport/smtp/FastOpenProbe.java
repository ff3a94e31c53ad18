package dev.petrel.transport.smtp;

import io.netty.channel.Channel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.EpollTcpInfo;

/**
 * What TCP Fast Open came to on a client connection, read from the kernel's TCP_INFO as Exim reads it, for
 * the {@code TFO} field of the {@code =>} line. With data in the SYN the answer is known once something has
 * come back (the greeting): the kernel marks the data acknowledged by the SYN-ACK. Without data, right after
 * the connect: a SYN that carried a cookie leaves more than the SYN unacknowledged. There is no documented
 * way to tell; this is the kernel's behaviour that Exim relies on too, and it only shows while the handshake
 * is in flight: over loopback the connect has completed before it can be looked at, so no {@code TFO}.
 */
enum FastOpenProbe {
    NOT_USED(null),
    ATTEMPTED_DATA(null),
    USED_NO_DATA("TFO"),
    USED_DATA("TFO*");

    private static final int TCP_ESTABLISHED = 1;
    private static final int TCP_SYN_SENT = 2;
    private static final int TCPI_OPT_SYN_DATA = 32;

    private final String field;

    FastOpenProbe(String field) {
        this.field = field;
    }

    /** Exim's log field: {@code TFO*}, {@code TFO}, or null. */
    String field() {
        return field;
    }

    /** Whether a connect on this channel type can be TCP Fast Open: native epoll, with the kernel's client side on. */
    static boolean possible(Class<? extends Channel> type) {
        return EpollSocketChannel.class.isAssignableFrom(type) && Epoll.isAvailable()
                && Epoll.isTcpFastOpenClientSideAvailable();
    }

    /** Called on the event loop right after a Fast Open connect was started. */
    static FastOpenProbe afterConnect(Channel channel, boolean withData) {
        if (withData) {
            return ATTEMPTED_DATA;
        }
        EpollTcpInfo info = tcpInfo(channel);
        return info != null && info.state() == TCP_SYN_SENT && info.unacked() > 1 ? USED_NO_DATA : NOT_USED;
    }

    /** Called on the event loop when the first reply has arrived. */
    FastOpenProbe afterGreeting(Channel channel) {
        if (this != ATTEMPTED_DATA) {
            return this;
        }
        EpollTcpInfo info = tcpInfo(channel);
        return info != null && info.state() == TCP_ESTABLISHED && (info.options() & TCPI_OPT_SYN_DATA) != 0
                ? USED_DATA : NOT_USED;
    }

    private static EpollTcpInfo tcpInfo(Channel channel) {
        if (!(channel instanceof EpollSocketChannel socket) || !socket.isOpen()) {
            return null;
        }
        try {
            return socket.tcpInfo();
        } catch (RuntimeException e) {
            return null; // a socket already reset: nothing to log about it
        }
    }
}
