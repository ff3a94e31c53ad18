package dev.petrel.transport.smtp;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The event loop the smtp transport's connections share: one thread carries every client connection (the
 * delivery threads block on futures, not on sockets). Native epoll where it loads (TCP Fast Open and
 * TCP_INFO need it), NIO elsewhere. Daemon threads, started on first use, live as long as the process, like
 * the JDK's own resolver threads.
 */
public final class ClientLoop {
    private ClientLoop() {}

    private static final class Holder {
        static final boolean EPOLL = Epoll.isAvailable();
        static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(1,
                new DefaultThreadFactory("smtp-client", true),
                EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    public static EventLoopGroup group() {
        return Holder.GROUP;
    }

    /** The socket channel type that {@code group} carries: epoll's on an epoll loop, NIO's otherwise. */
    public static Class<? extends Channel> channelType(EventLoopGroup group) {
        return group instanceof IoEventLoopGroup io && io.isIoType(EpollIoHandler.class)
                ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
