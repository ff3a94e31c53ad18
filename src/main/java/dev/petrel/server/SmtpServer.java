package dev.petrel.server;

import dev.petrel.config.ListenAddress;
import dev.petrel.config.MainConfig;
import dev.petrel.log.MainLog;
import dev.petrel.smtp.SmtpInboundDecoder;
import dev.petrel.spool.Spool;
import dev.petrel.tls.ServerTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.io.Closeable;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The listening side: binds local_interfaces and runs one {@link SmtpSession} per connection. */
public final class SmtpServer implements Closeable {
    private final SessionServices services;
    private final ConnectionLimits limits;
    private final boolean epoll;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final List<Channel> listeners = new ArrayList<>();

    /** @param tls TLS for STARTTLS and tls_on_connect_ports, or null to offer neither */
    public SmtpServer(MainConfig config, Spool spool, MainLog log, Consumer<String> accepted, String version,
                      ServerTls tls) {
        this.services = new SessionServices(config, spool, log, accepted, version, tls);
        this.epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.boss = new MultiThreadIoEventLoopGroup(1, io);
        // One event loop per core: more only adds context switches on a small machine.
        this.workers = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(), io);
        this.limits = new ConnectionLimits(config, workers);
    }

    /** Binds every listening address; a failure to bind any of them is a failure to start. */
    public void start() throws InterruptedException {
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                // TCP_NODELAY is Netty's default for accepted sockets already (setting it again costs a syscall).
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        SmtpInboundDecoder decoder = new SmtpInboundDecoder();
                        SmtpSession session = new SmtpSession(services, decoder);
                        ch.pipeline().addLast("gate", new ConnectionGate(limits, services.config(), services.log()));
                        ch.pipeline().addLast("deadline", session.receiveDeadline());
                        ch.pipeline().addLast("half-close", new HalfCloseGuard(session));
                        ch.pipeline().addLast("decoder", decoder);
                        ch.pipeline().addLast("session", session);
                    }
                });
        if (epoll) {
            // TCP Fast Open lets an early-pipelining client put its EHLO in the SYN.
            bootstrap.option(EpollChannelOption.TCP_FASTOPEN, 256);
        }
        for (ListenAddress address : services.config().localInterfaces()) {
            listeners.add(bootstrap.bind(address.address(), address.port()).sync().channel());
        }
        services.log().main("Petrel " + services.version() + " daemon started: pid=" + ProcessHandle.current().pid()
                + ", listening for SMTP on " + describeListeners() + " (" + (epoll ? "epoll" : "nio") + ")");
    }

    public List<InetSocketAddress> boundAddresses() {
        List<InetSocketAddress> bound = new ArrayList<>();
        for (Channel listener : listeners) {
            bound.add((InetSocketAddress) listener.localAddress());
        }
        return bound;
    }

    /** The session event loops; tests hold them to make early-talker timing deterministic. */
    EventLoopGroup workers() {
        return workers;
    }

    private String describeListeners() {
        List<String> parts = new ArrayList<>();
        for (InetSocketAddress a : boundAddresses()) {
            String host = a.getAddress().getHostAddress();
            parts.add((host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort());
        }
        return String.join(" ", parts);
    }

    @Override
    public void close() {
        for (Channel listener : listeners) {
            listener.close().syncUninterruptibly();
        }
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
