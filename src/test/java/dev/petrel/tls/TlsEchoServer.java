package dev.petrel.tls;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A TLS line-echo server built from {@link ServerTls}, on 127.0.0.1. Each connection's
 * {@link TlsSessionInfo} is queued when it closes; {@code quit} makes the server close.
 */
final class TlsEchoServer implements AutoCloseable {
    final BlockingQueue<TlsSessionInfo> infos = new LinkedBlockingQueue<>();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;

    TlsEchoServer(ServerTls tls) throws InterruptedException {
        channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ServerTls.Handlers h = tls.newHandlers(ch.alloc(), ch.remoteAddress().getAddress());
                        h.addFirst(ch.pipeline());
                        ch.pipeline().addLast(new LineBasedFrameDecoder(1000),
                                new StringDecoder(StandardCharsets.US_ASCII),
                                new StringEncoder(StandardCharsets.US_ASCII),
                                new SimpleChannelInboundHandler<String>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, String line) {
                                        if (line.strip().equals("quit")) {
                                            ctx.writeAndFlush("bye\n").addListener(ChannelFutureListener.CLOSE);
                                        } else {
                                            ctx.writeAndFlush("echo: " + line + "\n");
                                        }
                                    }

                                    @Override
                                    public void channelInactive(ChannelHandlerContext ctx) {
                                        if (h.ssl().handshakeFuture().isSuccess()) {
                                            infos.add(h.info());
                                        }
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        ctx.close();
                                    }
                                });
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    TlsSessionInfo nextInfo() throws InterruptedException {
        TlsSessionInfo info = infos.poll(10, TimeUnit.SECONDS);
        if (info == null) {
            throw new AssertionError("no TLS connection completed");
        }
        return info;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
