package dev.connect.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.connect.agent.ConnectAgent;
import dev.connect.agent.ConnectService;
import dev.connect.core.SpiffeId;
import dev.connect.tls.netty.ConnectNettyTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Netty over Connect mutual TLS: {@code db} serves lines on a Netty server whose {@link
 * SslContext} comes from {@link ConnectNettyTls#forServer} around {@link
 * ConnectService#serverTls()}, and {@code web} calls it with one from {@link
 * ConnectNettyTls#forClient} around {@link ConnectService#clientTls(String) clientTls("db")}.
 * db answers each line with the caller's SPIFFE ID, read from the {@link SslHandler}'s session.
 *
 * <pre>{@code
 * try (DbServer db = DbServer.start(agent.service("db"), SslProvider.OPENSSL);
 *     WebClient web = WebClient.create(agent.service("web"), SslProvider.OPENSSL)) {
 *   web.call(db.address(), "hello");
 *   // "spiffe://<trust domain>/ns/default/dc/dc1/svc/web said: hello"
 * }
 * }</pre>
 *
 * <p>What to notice:
 *
 * <ul>
 *   <li>The Netty contexts are built once per service and role and shared by every channel;
 *       like the JSSE contexts they follow renewals, root rotations and intention changes.
 *   <li>{@link SslProvider#JDK} runs JSSE inside Netty, {@link SslProvider#OPENSSL} runs
 *       BoringSSL from {@code netty-tcnative-boringssl-static}; the example and its checks are
 *       the same with either. Connect's OpenSSL server contexts turn session tickets and the
 *       session cache off, so a reconnecting client cannot resume past the trust manager.
 *   <li>{@code sslContext.newHandler(...)} goes first in the pipeline. A caller the intentions
 *       deny fails its handshake, and no byte reaches the handlers after the {@code
 *       SslHandler}: {@code channelRead} never runs for it.
 *   <li>As with JSSE and TLS 1.3, a refused client may see its own handshake succeed and the
 *       refusal only when the connection closes, so {@link WebClient#call} counts a call as
 *       accepted only once a reply has arrived.
 *   <li>Every wait is bounded: the connect timeout, and the reply future's {@code get}.
 * </ul>
 */
public final class NettyExample {
  /** How long a connection or a reply may take: 10 seconds. */
  public static final long TIMEOUT_SECONDS = 10;

  private NettyExample() {}

  /**
   * Runs the example with the OpenSSL provider: {@code web} sends {@code db} a line and prints
   * the answer.
   *
   * @param args the data directory of the agent's embedded server, such as {@code connect-data}
   * @throws Exception if the call fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: NettyExample <data directory>");
    }
    try (ConnectAgent agent = ConnectAgent.builder().dataDirectory(Path.of(args[0])).build();
        DbServer db = DbServer.start(agent.service("db"), SslProvider.OPENSSL);
        WebClient web = WebClient.create(agent.service("web"), SslProvider.OPENSSL)) {
      System.out.println("db answered: " + web.call(db.address(), "hello"));
    }
  }

  /** {@code db}'s Netty server on 127.0.0.1 and an ephemeral port. */
  public static final class DbServer implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel listener;

    private DbServer(EventLoopGroup group, Channel listener) {
      this.group = group;
      this.listener = listener;
    }

    /**
     * Starts serving with {@code service}'s Connect server context on {@code provider}.
     *
     * @param service the serving service, such as {@code db}
     * @param provider {@link SslProvider#JDK} or {@link SslProvider#OPENSSL}
     * @return the running server
     * @throws IOException if the port cannot be bound in time
     */
    public static DbServer start(ConnectService service, SslProvider provider)
        throws IOException {
      SslContext tls = ConnectNettyTls.forServer(service.serverTls()).provider(provider).build();
      EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
      ChannelFuture bound = new ServerBootstrap()
          .group(group)
          .channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(tls.newHandler(ch.alloc()), new LineBasedFrameDecoder(1024),
                  new StringDecoder(UTF_8), new StringEncoder(UTF_8), new Answer());
            }
          })
          .bind(InetAddress.getLoopbackAddress(), 0);
      try {
        return new DbServer(group, await(bound).channel());
      } catch (IOException e) {
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        throw e;
      }
    }

    /** Returns the address to call: 127.0.0.1 and the port the server was given. */
    public InetSocketAddress address() {
      return (InetSocketAddress) listener.localAddress();
    }

    /** Closes the listener and every connection, and stops the event loop. */
    @Override
    public void close() {
      listener.close().awaitUninterruptibly(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      group.shutdownGracefully(0, TIMEOUT_SECONDS, TimeUnit.SECONDS)
          .awaitUninterruptibly(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }

  /** Answers each line with the caller's SPIFFE ID; runs only after an allowed handshake. */
  private static final class Answer extends SimpleChannelInboundHandler<String> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, String line) throws Exception {
      X509Certificate caller = (X509Certificate) ctx.pipeline().get(SslHandler.class).engine()
          .getSession().getPeerCertificates()[0];
      ctx.writeAndFlush(SpiffeId.fromCertificate(caller) + " said: " + line + "\n");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // A refused handshake lands here; db's handshake listeners already have the reason.
      ctx.close();
    }
  }

  /** {@code web}'s Netty client: one context and event loop, a new connection per call. */
  public static final class WebClient implements AutoCloseable {
    private final SslContext tls;
    private final EventLoopGroup group;

    private WebClient(SslContext tls, EventLoopGroup group) {
      this.tls = tls;
      this.group = group;
    }

    /**
     * Makes a client that calls {@code db} as {@code service} on {@code provider}.
     *
     * @param service the calling service, such as {@code web}
     * @param provider {@link SslProvider#JDK} or {@link SslProvider#OPENSSL}
     * @return the client
     */
    public static WebClient create(ConnectService service, SslProvider provider) {
      SslContext tls = ConnectNettyTls.forClient(service.clientTls("db")).provider(provider)
          .build();
      return new WebClient(tls, new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()));
    }

    /**
     * Connects to db, sends one line and returns db's answer.
     *
     * @param db db's address
     * @param line the line to send, without a line break
     * @return the answer, {@code <caller's SPIFFE ID> said: <line>}
     * @throws IOException if db refuses the connection (the cause chain holds the TLS alert or
     *     the close), or does not answer within {@link #TIMEOUT_SECONDS}
     */
    public String call(InetSocketAddress db, String line) throws IOException {
      CompletableFuture<String> reply = new CompletableFuture<>();
      ChannelFuture connected = new Bootstrap()
          .group(group)
          .channel(NioSocketChannel.class)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) (TIMEOUT_SECONDS * 1000))
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(tls.newHandler(ch.alloc(), db.getHostString(), db.getPort()),
                  new LineBasedFrameDecoder(1024), new StringDecoder(UTF_8),
                  new StringEncoder(UTF_8), new FirstLine(reply));
            }
          })
          .connect(db);
      Channel channel = await(connected).channel();
      try {
        channel.writeAndFlush(line + "\n");
        return reply.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        throw new IOException("db refused or dropped the call: " + e.getCause(), e.getCause());
      } catch (TimeoutException e) {
        throw new IOException("no answer from db within " + TIMEOUT_SECONDS + " s", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for db", e);
      } finally {
        channel.close();
      }
    }

    /** Stops the event loop. */
    @Override
    public void close() {
      group.shutdownGracefully(0, TIMEOUT_SECONDS, TimeUnit.SECONDS)
          .awaitUninterruptibly(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }

  /** Completes {@code reply} with the first line, or with why none came. */
  private static final class FirstLine extends SimpleChannelInboundHandler<String> {
    private final CompletableFuture<String> reply;

    FirstLine(CompletableFuture<String> reply) {
      this.reply = reply;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, String line) {
      reply.complete(line);
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

  /** Waits for a bind or connect, at most {@link #TIMEOUT_SECONDS}. */
  private static ChannelFuture await(ChannelFuture future) throws IOException {
    if (!future.awaitUninterruptibly(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      future.cancel(false);
      throw new IOException("not done within " + TIMEOUT_SECONDS + " s: " + future.channel());
    }
    if (!future.isSuccess()) {
      throw new IOException(future.cause());
    }
    return future;
  }
}
