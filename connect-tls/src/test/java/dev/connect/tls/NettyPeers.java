package dev.connect.tls;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.connect.core.SpiffeId;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSession;

/**
 * Real Netty peers on 127.0.0.1: a server whose application greets each connection once its
 * handshake succeeds and echoes every line, and a client that sends a line as soon as its own
 * handshake completes, then reads the greeting and (optionally) the echo.
 */
final class NettyPeers {
  static final long TIMEOUT_S = 20; // hang guard only

  private NettyPeers() {}

  /** Waits for a bind or connect, at most {@link #TIMEOUT_S}; rethrows its failure. */
  static ChannelFuture bounded(ChannelFuture future) throws InterruptedException {
    if (!future.await(TIMEOUT_S, TimeUnit.SECONDS)) {
      throw new AssertionError("bind or connect did not finish");
    }
    if (!future.isSuccess()) {
      throw new AssertionError("bind or connect failed", future.cause());
    }
    return future;
  }

  static EventLoopGroup group() {
    return new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  }

  static void shutdown(EventLoopGroup group) throws InterruptedException {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(TIMEOUT_S, TimeUnit.SECONDS);
  }

  /**
   * A Netty server: an {@code SslHandler} then the application, which greets with {@code hello
   * from <name>\n} after a successful handshake and echoes each line it receives.
   */
  static final class EchoServer implements AutoCloseable {
    final BlockingQueue<Peers.Accepted> handshakes = new LinkedBlockingQueue<>();
    /** Every byte the application handler received, across all connections. */
    final AtomicLong applicationBytes = new AtomicLong();
    final Channel channel;

    EchoServer(EventLoopGroup group, SslContext context, String name)
        throws InterruptedException {
      ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(context.newHandler(ch.alloc()), new Application(name));
            }
          });
      channel = bounded(b.bind(Peers.LOOPBACK, 0)).channel();
    }

    int port() {
      return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    Peers.Accepted next() throws InterruptedException {
      Peers.Accepted a = handshakes.poll(TIMEOUT_S, TimeUnit.SECONDS);
      if (a == null) {
        throw new AssertionError("the server saw no handshake");
      }
      return a;
    }

    @Override
    public void close() throws InterruptedException {
      channel.close().await(TIMEOUT_S, TimeUnit.SECONDS);
    }

    private final class Application extends ChannelInboundHandlerAdapter {
      private final String name;
      private final StringBuilder line = new StringBuilder();

      Application(String name) {
        this.name = name;
      }

      @Override
      public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent e) {
          if (e.isSuccess()) {
            SSLSession session = ctx.pipeline().get(SslHandler.class).engine().getSession();
            X509Certificate leaf = (X509Certificate) session.getPeerCertificates()[0];
            handshakes.add(new Peers.Accepted(SpiffeId.fromCertificate(leaf),
                leaf.getSerialNumber(), session.getProtocol(), null));
            ctx.writeAndFlush(Unpooled.copiedBuffer("hello from " + name + "\n", UTF_8));
          } else {
            handshakes.add(new Peers.Accepted(null, null, null, e.cause()));
          }
        }
        super.userEventTriggered(ctx, evt);
      }

      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        try {
          applicationBytes.addAndGet(buf.readableBytes());
          String s = buf.toString(UTF_8);
          for (char c : s.toCharArray()) {
            line.append(c);
            if (c == '\n') {
              ctx.writeAndFlush(Unpooled.copiedBuffer(line.toString(), UTF_8));
              line.setLength(0);
            }
          }
        } finally {
          buf.release();
        }
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
      }
    }
  }

  /** What a Netty client saw: the lines it read and the server's leaf. */
  record Reply(List<String> lines, SpiffeId server, BigInteger serial, String protocol) {}

  /**
   * Connects with {@code context}, naming the peer host and port so that the client may offer
   * a session to resume; sends {@code ping\n} as soon as its handshake completes; returns once
   * it has read {@code lines} lines. Throws the failure (handshake, alert or early close) as an
   * {@link IOException}.
   */
  static Reply connect(EventLoopGroup group, SslContext context, int port, int lines)
      throws IOException, InterruptedException {
    CompletableFuture<Reply> reply = new CompletableFuture<>();
    Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(context.newHandler(ch.alloc(), "127.0.0.1", port),
                new ClientApplication(reply, lines));
          }
        });
    Channel ch = bounded(b.connect(Peers.LOOPBACK, port)).channel();
    try {
      return reply.get(TIMEOUT_S, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IOException(e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("the client got no reply", e);
    } finally {
      ch.close().await(TIMEOUT_S, TimeUnit.SECONDS);
    }
  }

  private static final class ClientApplication extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<Reply> reply;
    private final int wanted;
    private final List<String> lines = new ArrayList<>();
    private final StringBuilder line = new StringBuilder();
    private SSLSession session;

    ClientApplication(CompletableFuture<Reply> reply, int wanted) {
      this.reply = reply;
      this.wanted = wanted;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof SslHandshakeCompletionEvent e) {
        if (e.isSuccess()) {
          session = ctx.pipeline().get(SslHandler.class).engine().getSession();
          ctx.writeAndFlush(Unpooled.copiedBuffer("ping\n", UTF_8));
        } else {
          reply.completeExceptionally(e.cause());
        }
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      ByteBuf buf = (ByteBuf) msg;
      try {
        for (char c : buf.toString(UTF_8).toCharArray()) {
          if (c == '\n') {
            lines.add(line.toString());
            line.setLength(0);
          } else {
            line.append(c);
          }
        }
      } finally {
        buf.release();
      }
      if (lines.size() >= wanted) {
        X509Certificate leaf = (X509Certificate) session.getPeerCertificates()[0];
        reply.complete(new Reply(List.copyOf(lines), SpiffeId.fromCertificate(leaf),
            leaf.getSerialNumber(), session.getProtocol()));
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      reply.completeExceptionally(cause);
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      reply.completeExceptionally(new ClosedChannelException());
    }
  }
}
