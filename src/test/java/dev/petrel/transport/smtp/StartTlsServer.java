package dev.petrel.transport.smtp;

import dev.petrel.tls.ServerTls;
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
import java.util.concurrent.TimeUnit;

/** A minimal SMTP server with STARTTLS from {@link ServerTls}: enough for the probe. */
final class StartTlsServer implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;

    StartTlsServer(ServerTls tls) throws InterruptedException {
        this(tls, "");
    }

    /** @param behind220 cleartext written in the same write as the 220 to STARTTLS, as an attacker would inject */
    StartTlsServer(ServerTls tls, String behind220) throws InterruptedException {
        channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new LineBasedFrameDecoder(1000),
                                new StringDecoder(StandardCharsets.US_ASCII),
                                new StringEncoder(StandardCharsets.US_ASCII),
                                new SimpleChannelInboundHandler<String>() {
                                    ServerTls.Handlers handlers;

                                    @Override
                                    public void channelActive(ChannelHandlerContext ctx) {
                                        ctx.writeAndFlush("220 mx.test ESMTP test\r\n");
                                    }

                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, String line) {
                                        String verb = line.strip().toUpperCase();
                                        if (verb.startsWith("EHLO")) {
                                            ctx.writeAndFlush("250-mx.test\r\n250-PIPELINING\r\n"
                                                    + (handlers == null ? "250-STARTTLS\r\n" : "") + "250 8BITMIME\r\n");
                                        } else if (verb.equals("STARTTLS") && handlers == null) {
                                            handlers = tls.newHandlers(ctx.alloc(),
                                                    ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress());
                                            ctx.writeAndFlush("220 go ahead\r\n" + behind220).addListener(f -> handlers.addFirst(ctx.pipeline()));
                                        } else if (verb.equals("QUIT")) {
                                            ctx.writeAndFlush("221 bye\r\n").addListener(ChannelFutureListener.CLOSE);
                                        } else {
                                            ctx.writeAndFlush("500 what\r\n");
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

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
