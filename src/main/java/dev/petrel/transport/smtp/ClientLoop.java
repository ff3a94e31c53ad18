package dev.petrel.transport.smtp;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The event loop the smtp transport's connections share: one thread carries every client connection (the
 * delivery threads block on futures, not on sockets). Daemon threads, started on first use, live as long as
 * the process, like the JDK's own resolver threads.
 */
public final class ClientLoop {
    private ClientLoop() {}

    private static final class Holder {
        static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(1,
                new DefaultThreadFactory("smtp-client", true), NioIoHandler.newFactory());
    }

    public static EventLoopGroup group() {
        return Holder.GROUP;
    }
}
