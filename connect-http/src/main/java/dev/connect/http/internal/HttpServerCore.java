package dev.connect.http.internal;

import dev.connect.agent.ConnectAgent;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running HTTP server behind {@code dev.connect.http.ConnectHttpServer}: Netty's HTTP/1.1
 * codec on NIO event loops named {@code connect-http-N}, {@code TCP_NODELAY} on. Every endpoint
 * is asynchronous: admin calls and blocking queries run on the backend's futures and hold no
 * thread.
 */
public final class HttpServerCore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpServerCore.class);

  private final EventLoopGroup loops;
  private final Channel serverChannel;
  private final ChannelGroup channels = new DefaultChannelGroup("connect-http",
      GlobalEventExecutor.INSTANCE);
  private final Waiters waiters;
  private final LeafWatch leafWatch;
  private final ConnectionLimiter limiter;
  private final Duration drainTimeout;
  private volatile boolean draining;
  private boolean closed;

  /** The settings of a server; validated by the public builder. */
  public record Settings(InetSocketAddress address, int maxHeaderBytes, int maxBodyBytes,
      int maxConnections, int maxConnectionsPerClient, int maxWaitingQueriesPerClient,
      Duration drainTimeout, LongUnaryOperator random, int eventLoopThreads) {}

  /**
   * Binds and starts serving.
   *
   * @param agent what the endpoints serve
   * @param s the settings
   * @throws java.io.UncheckedIOException when the address cannot be bound
   */
  public HttpServerCore(ConnectAgent agent, Settings s) {
    this.drainTimeout = s.drainTimeout();
    this.waiters = new Waiters(s.maxWaitingQueriesPerClient());
    this.limiter = new ConnectionLimiter(s.maxConnections(), s.maxConnectionsPerClient());
    String aclPolicy = agent.defaultIntentionPolicy().allowed() ? "allow" : "deny";
    this.leafWatch = new LeafWatch(agent.cache(), agent.scheduler());
    Router router = new Endpoints(agent, waiters, leafWatch, s.random(),
        s.address().getAddress().getHostAddress() + ":" + s.address().getPort())
        .register(new Router());
    Api api = new Api(router, aclPolicy);
    this.loops = new MultiThreadIoEventLoopGroup(s.eventLoopThreads(),
        new DefaultThreadFactory("connect-http", true), NioIoHandler.newFactory());
    ServerBootstrap b = new ServerBootstrap()
        .group(loops)
        .channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            channels.add(ch);
            ch.pipeline()
                .addLast("limit", limiter)
                .addLast("codec", new HttpServerCodec(Math.min(s.maxHeaderBytes(), 64 * 1024),
                    s.maxHeaderBytes(), 8192))
                .addLast("body", new BodyLimit(s.maxBodyBytes(), aclPolicy))
                .addLast("api", new HttpHandler(api, agent.clock(), () -> draining));
          }
        });
    try {
      this.serverChannel = b.bind(s.address()).syncUninterruptibly().channel();
    } catch (RuntimeException e) {
      loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      leafWatch.close();
      throw new java.io.UncheckedIOException(new java.io.IOException("cannot listen on "
          + s.address() + ": " + e.getMessage(), e));
    }
  }

  /** Returns the address bound, with the port chosen when 0 was asked for. */
  public InetSocketAddress address() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  /** Returns the number of blocking queries waiting now. */
  public int waitingQueries() {
    return waiters.size();
  }

  /** The waiting queries, for tests in this package. */
  Waiters waiters() {
    return waiters;
  }

  /** Returns the number of open connections now. */
  public int openConnections() {
    return limiter.open();
  }

  /**
   * Drains: stops accepting, answers waiting queries with the current data, lets requests in
   * flight finish (their replies close the connection), closes idle connections, and after the
   * drain timeout closes whatever is left. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    draining = true;
    serverChannel.close().syncUninterruptibly();
    waiters.drain();
    leafWatch.close();
    for (Channel ch : channels) {
      ch.eventLoop().execute(() -> {
        HttpHandler h = ch.pipeline().get(HttpHandler.class);
        if (h == null || !h.busy()) {
          ch.close();
        }
      });
    }
    boolean clean = channels.newCloseFuture().awaitUninterruptibly(drainTimeout.toMillis());
    if (!clean) {
      LOG.warn("HTTP drain: {} connection(s) still open after {}; closing them",
          channels.size(), drainTimeout);
      channels.close().awaitUninterruptibly(drainTimeout.toMillis());
    }
    loops.shutdownGracefully(0, drainTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .awaitUninterruptibly(drainTimeout.toMillis());
  }
}
