package dev.connect.proxy;

import static java.util.Objects.requireNonNull;

import dev.connect.agent.ConnectService;
import dev.connect.agent.NettyContexts;
import dev.connect.proxy.internal.Counters;
import dev.connect.proxy.internal.Relay;
import dev.connect.proxy.internal.SpinSelectStrategy;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sidecar proxy for one service: a public listener that terminates Connect mutual TLS as the
 * service and forwards each authorized connection to the local application, and upstream
 * listeners where the application connects in plain TCP and the proxy dials the destination with
 * mutual TLS as the service.
 *
 * <pre>{@code
 * try (ConnectProxy proxy = ConnectProxy.builder(agent.service("web"))
 *     .publicListener(new InetSocketAddress("0.0.0.0", 21000),    // mesh clients come here
 *         new InetSocketAddress("127.0.0.1", 8080))               // the application
 *     .upstream(Upstream.parse("db:9191@10.0.0.5:21001"))         // app dials 127.0.0.1:9191
 *     .start()) {
 *   ...
 * }
 * }</pre>
 *
 * <p><b>Authorization.</b> Every inbound client is checked in the handshake against the
 * service's intentions by the service's Netty server context ({@link NettyContexts#server}): a
 * denied client fails the handshake and no byte reaches the application. Every dialed upstream
 * must present a leaf whose SPIFFE ID names the destination service ({@link
 * NettyContexts#client}), else the handshake fails and the application's connection is closed.
 * Leaves and roots rotate underneath: new handshakes use the new ones, established connections
 * keep flowing.
 *
 * <p><b>Under pressure.</b> Both channels of a connection run on one event loop; a side stops
 * reading while the other is not writable; the end of one side's input (TCP FIN or TLS
 * close_notify) half-closes the other; a connection idle in both directions for the {@linkplain
 * Builder#idleTimeout idle timeout} is closed; connections above the {@linkplain
 * Builder#maxConnections limit} are closed at once. {@link #close()} stops accepting, waits up to
 * the {@linkplain Builder#drainTimeout drain timeout} for open connections to end, then closes
 * the rest.
 *
 * <p><b>Upstream instances.</b> A fixed address, or the passing instances an {@link
 * UpstreamDiscovery} keeps fresh; connections are spread over instances in turn, and a dial that
 * fails is retried on the next instance (at most {@value #MAX_DIALS} dials). An identity that
 * does not match is not retried: it is refused.
 *
 * <p>Thread-safe.
 */
// Netty's SslProvider is part of the builder: requires transitive io.netty.handler.
@SuppressWarnings("exports")
public final class ConnectProxy implements AutoCloseable {
  /** The most instances one upstream connection tries before giving up. */
  public static final int MAX_DIALS = 3;
  private static final Logger log = LoggerFactory.getLogger(ConnectProxy.class);
  /** The longest {@link Builder#eventLoopSpin} accepts. */
  public static final Duration MAX_EVENT_LOOP_SPIN = Duration.ofMillis(1);
  private static final Duration DISCOVERY_START_TIMEOUT = Duration.ofSeconds(30);

  private final ConnectService service;
  private final SslProvider provider;
  private final EventLoopGroup group;
  private final ChannelGroup connections;
  private final Counters counters = new Counters();
  private final Builder settings;
  private final Optional<UpstreamDiscovery> discovery;
  private Channel publicChannel;
  private final Map<String, Channel> upstreamChannels = new LinkedHashMap<>();
  private ScheduledFuture<?> metricsTask;
  private final Object closeLock = new Object();
  private boolean closed;

  private ConnectProxy(Builder b) {
    this.service = b.service;
    this.provider = b.provider != null ? b.provider
        : OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    this.settings = b.copy(); // later changes to the caller's builder do not reach the proxy
    this.discovery = Optional.ofNullable(b.discovery);
    this.group = new MultiThreadIoEventLoopGroup(b.ioThreads,
        new DefaultThreadFactory("connect-proxy-" + b.service.name(), true),
        b.eventLoopSpin.isZero() ? NioIoHandler.newFactory()
            : NioIoHandler.newFactory(SelectorProvider.provider(),
                SpinSelectStrategy.factory(b.eventLoopSpin.toNanos())));
    this.connections = new DefaultChannelGroup("connect-proxy", GlobalEventExecutor.INSTANCE);
  }

  /**
   * Starts a proxy for {@code service}: its leaf, roots and intentions come from the handle's
   * agent.
   *
   * @param service the service the proxy is, such as {@code agent.service("web")}
   * @return the builder
   */
  public static Builder builder(ConnectService service) {
    return new Builder(requireNonNull(service, "service"));
  }

  /**
   * Returns the address the public listener is bound to.
   *
   * @return the address, or empty when the proxy has no public listener
   */
  public Optional<InetSocketAddress> publicAddress() {
    return Optional.ofNullable(publicChannel).map(c -> (InetSocketAddress) c.localAddress());
  }

  /**
   * Returns the address an upstream listener is bound to (useful with port 0).
   *
   * @param destination the upstream's destination service
   * @return the address
   * @throws IllegalArgumentException if the proxy has no upstream for {@code destination}
   */
  public InetSocketAddress upstreamAddress(String destination) {
    Channel c = upstreamChannels.get(requireNonNull(destination, "destination"));
    if (c == null) {
      throw new IllegalArgumentException("no upstream for " + destination + "; upstreams: "
          + upstreamChannels.keySet());
    }
    return (InetSocketAddress) c.localAddress();
  }

  /**
   * Returns the TLS implementation the proxy uses.
   *
   * @return {@code OPENSSL} or {@code JDK}
   */
  public SslProvider provider() {
    return provider;
  }

  /**
   * Returns the proxy's counters now.
   *
   * @return the snapshot
   */
  public ProxyMetrics metrics() {
    return counters.snapshot();
  }

  /**
   * Returns the bytes the proxy holds now, written to its connections and not yet taken by the
   * kernel (Netty's pending outbound bytes, TLS's unencrypted queue included), summed over every
   * open connection. Backpressure keeps it bounded: a side stops reading once its peer holds more
   * than Netty's write-buffer high-water mark (64 KiB), so each connection holds at most about
   * one read loop's worth past it.
   *
   * @return the bytes, at least 0
   */
  public long pendingWriteBytes() {
    long sum = 0;
    for (Channel c : connections) {
      io.netty.channel.ChannelOutboundBuffer b = c.unsafe().outboundBuffer();
      if (b != null) {
        sum += b.totalPendingWriteBytes();
      }
    }
    return sum;
  }

  /**
   * Waits until no connection is open through the proxy, at most {@code timeout}: neither an
   * accepted connection nor one the proxy dialed.
   *
   * @param timeout the longest wait
   * @return {@code true} if none is open
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    requireNonNull(timeout, "timeout");
    return counters.awaitIdle(timeout.toMillis());
  }

  /**
   * Stops accepting, waits up to the drain timeout for open connections to end, closes what
   * remains and stops the proxy's threads. Does not close the discovery or the agent. Idempotent.
   */
  @Override
  public void close() {
    synchronized (closeLock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (metricsTask != null) {
      metricsTask.cancel(false);
    }
    List<ChannelFuture> listeners = new ArrayList<>();
    if (publicChannel != null) {
      listeners.add(publicChannel.close());
    }
    upstreamChannels.values().forEach(c -> listeners.add(c.close()));
    listeners.forEach(f -> f.awaitUninterruptibly(5, TimeUnit.SECONDS));
    boolean drained;
    try {
      drained = counters.awaitIdle(settings.drainTimeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      drained = false;
    }
    if (!drained) {
      log.info("proxy {}: drain timeout {} reached, closing {} connections", service.name(),
          settings.drainTimeout, counters.snapshot().activeConnections());
    }
    connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }

  @Override
  public String toString() {
    return "ConnectProxy[service=" + service.name() + ", public=" + publicAddress().orElse(null)
        + ", upstreams=" + upstreamChannels.keySet() + ", provider=" + provider + "]";
  }

  private void start() {
    SslContext server = settings.listen == null ? null : NettyContexts.server(service, provider);
    Map<String, SslContext> clients = new LinkedHashMap<>();
    for (Upstream u : settings.upstreams) {
      clients.put(u.destination(), NettyContexts.client(service, u.destination(), provider));
    }
    for (Upstream u : settings.upstreams) {
      if (u.fixedAddress().isEmpty()) {
        UpstreamDiscovery d = discovery.orElseThrow(() -> new IllegalStateException(
            "upstream " + u.destination() + " has no fixed address and the proxy has no"
                + " discovery"));
        try {
          d.watch(u.destination()).get(DISCOVERY_START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
          throw new IllegalStateException("cannot discover instances of upstream "
              + u.destination() + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
          throw new IllegalStateException("no answer about instances of upstream "
              + u.destination() + " within " + DISCOVERY_START_TIMEOUT, e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while discovering " + u.destination(), e);
        }
      }
    }
    try {
      if (server != null) {
        publicChannel = bind(settings.listen, "public listener", true,
            ch -> ch.pipeline().addLast("start", new InboundStart(ch, server)));
      }
      for (Upstream u : settings.upstreams) {
        SslContext client = clients.get(u.destination());
        AtomicInteger turn = new AtomicInteger();
        upstreamChannels.put(u.destination(), bind(u.listen(), "upstream " + u.destination(),
            false, ch -> ch.pipeline().addLast("start", new UpstreamStart(ch, u, client, turn))));
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    if (!settings.metricsLogInterval.isZero()) {
      long ms = settings.metricsLogInterval.toMillis();
      metricsTask = group.next().scheduleAtFixedRate(() -> log.info("proxy {}: {}",
          service.name(), counters.snapshot().toLogLine()), ms, ms, TimeUnit.MILLISECONDS);
    }
    log.info("proxy {} started: {}", service.name(), this);
  }

  private Channel bind(InetSocketAddress address, String what, boolean autoRead,
      java.util.function.Consumer<SocketChannel> init) {
    ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 4096)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.AUTO_READ, autoRead)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (!counters.open(settings.maxConnections)) {
              log.warn("proxy {}: {} refused a connection from {}: {} connections open",
                  service.name(), what, ch.remoteAddress(), settings.maxConnections);
              ch.close();
              return;
            }
            connections.add(ch);
            ch.closeFuture().addListener(f -> counters.closed());
            addIdle(ch);
            init.accept(ch);
          }
        });
    ChannelFuture f = b.bind(address).awaitUninterruptibly();
    if (!f.isSuccess()) {
      throw new IllegalStateException("cannot bind the " + what + " to " + address + ": "
          + f.cause().getMessage(), f.cause());
    }
    return f.channel();
  }

  private void addIdle(Channel ch) {
    if (!settings.idleTimeout.isZero()) {
      ch.pipeline().addLast("idle", new IdleStateHandler(0, 0,
          settings.idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
    }
  }

  private Bootstrap dialer(Channel local) {
    counters.dialOpened();
    return new Bootstrap().group(local.eventLoop()).channel(NioSocketChannel.class)
        .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.AUTO_READ, false)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout.toMillis());
  }

  /**
   * Holds an inbound connection until its handshake succeeded and the application answered,
   * keeping what the client sent meanwhile; then joins the two.
   */
  private final class InboundStart extends ChannelInboundHandlerAdapter {
    private final Channel inbound;
    private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();
    private boolean inputShutdown;
    private Channel app;

    InboundStart(Channel inbound, SslContext server) {
      this.inbound = inbound;
      inbound.pipeline().addLast("tls", server.newHandler(inbound.alloc()));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof SslHandshakeCompletionEvent h) {
        if (!h.isSuccess()) {
          counters.denied(h.cause());
          log.debug("proxy {}: refused {}: {}", service.name(), inbound.remoteAddress(),
              h.cause().toString());
          inbound.close();
          return;
        }
        counters.allowed();
        inbound.config().setAutoRead(false);
        ChannelFuture dial = dialer(inbound).handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            addIdle(ch);
          }
        }).connect(settings.application);
        app = dial.channel();
        app.closeFuture().addListener(f -> counters.dialClosed());
        connections.add(app);
        dial.addListener(f -> connected(ctx, f.isSuccess(), f.cause()));
      } else if (evt instanceof ChannelInputShutdownEvent
          || evt instanceof SslCloseCompletionEvent) {
        // The client may finish before the application answers: replayed once joined.
        inputShutdown = true;
      } else {
        ctx.fireUserEventTriggered(evt);
      }
    }

    private void connected(ChannelHandlerContext ctx, boolean ok, Throwable cause) {
      if (!ok || !inbound.isActive()) {
        if (!ok) {
          log.warn("proxy {}: cannot reach the application at {}: {}", service.name(),
              settings.application, cause == null ? "closed" : cause.getMessage());
        }
        app.close();
        inbound.close();
        return;
      }
      for (ByteBuf b = pending.poll(); b != null; b = pending.poll()) {
        counters.bytesIn.add(b.readableBytes());
        app.write(b);
      }
      app.flush();
      ctx.pipeline().remove(this);
      Relay.join(app, inbound, counters);
      log.debug("proxy {}: {} joined the application at {}", service.name(),
          inbound.remoteAddress(), settings.application);
      if (inputShutdown) {
        inbound.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof ByteBuf b) {
        pending.add(b);
      } else {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      release();
      if (app != null) {
        app.close();
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      release();
    }

    private void release() {
      for (ByteBuf b = pending.poll(); b != null; b = pending.poll()) {
        b.release();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // A failed handshake is counted from its completion event; anything else ends the
      // connection.
      log.debug("proxy {}: inbound {} failed: {}", service.name(), inbound.remoteAddress(),
          cause.toString());
      inbound.close();
    }
  }

  /** Dials an instance of an upstream for a new local connection, then joins the two. */
  private final class UpstreamStart extends ChannelInboundHandlerAdapter {
    private final Channel local;
    private final Upstream upstream;
    private final SslContext client;
    private final AtomicInteger turn;

    UpstreamStart(Channel local, Upstream upstream, SslContext client, AtomicInteger turn) {
      this.local = local;
      this.upstream = upstream;
      this.client = client;
      this.turn = turn;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      List<InetSocketAddress> instances = upstream.fixedAddress().map(List::of)
          .orElseGet(() -> discovery.get().instances(upstream.destination()));
      if (instances.isEmpty()) {
        log.warn("proxy {}: no passing instance of upstream {}; closing {}", service.name(),
            upstream.destination(), local.remoteAddress());
        local.close();
        return;
      }
      dial(ctx, instances, Math.floorMod(turn.getAndIncrement(), instances.size()), 0);
      ctx.fireChannelActive();
    }

    private void dial(ChannelHandlerContext ctx, List<InetSocketAddress> instances, int first,
        int attempt) {
      InetSocketAddress target = instances.get((first + attempt) % instances.size());
      ChannelFuture dial = dialer(local).handler(new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel ch) {
          addIdle(ch);
          ch.pipeline().addLast("tls", client.newHandler(ch.alloc(),
              target.getHostString(), target.getPort()));
          ch.pipeline().addLast("await", new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext c, Object evt) {
              if (evt instanceof SslHandshakeCompletionEvent h) {
                if (h.isSuccess()) {
                  c.pipeline().remove(this);
                  counters.allowed();
                  ctx.pipeline().remove(UpstreamStart.this);
                  Relay.join(local, ch, counters);
                  log.debug("proxy {}: {} joined upstream {} at {}", service.name(),
                      local.remoteAddress(), upstream.destination(), target);
                } else {
                  counters.denied(h.cause());
                  log.warn("proxy {}: upstream {} at {} refused: {}", service.name(),
                      upstream.destination(), target, Counters.reason(h.cause()));
                  ch.close();
                  local.close();
                }
              } else {
                c.fireUserEventTriggered(evt);
              }
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
              c.close();
              local.close();
            }
          });
        }
      }).connect(target);
      connections.add(dial.channel());
      dial.channel().closeFuture().addListener(f -> counters.dialClosed());
      dial.channel().config().setAutoRead(true); // the handshake needs reads
      dial.addListener(f -> {
        if (f.isSuccess() || !local.isActive()) {
          if (!local.isActive()) {
            dial.channel().close();
          }
          return;
        }
        if (attempt + 1 < Math.min(MAX_DIALS, instances.size())) {
          log.debug("proxy {}: dial of {} at {} failed, trying the next instance: {}",
              service.name(), upstream.destination(), target, f.cause().toString());
          dial(ctx, instances, first, attempt + 1);
        } else {
          log.warn("proxy {}: cannot reach upstream {} (last tried {}): {}", service.name(),
              upstream.destination(), target, f.cause().getMessage());
          local.close();
        }
      });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      ctx.fireChannelInactive();
    }
  }

  /**
   * Builds a {@link ConnectProxy}: mutable; {@link #start()} binds the listeners.
   */
  public static final class Builder {
    private final ConnectService service;
    private InetSocketAddress listen;
    private InetSocketAddress application;
    private final List<Upstream> upstreams = new ArrayList<>();
    private UpstreamDiscovery discovery;
    private SslProvider provider;
    private Duration idleTimeout = Duration.ofHours(1);
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration drainTimeout = Duration.ofSeconds(10);
    private Duration metricsLogInterval = Duration.ZERO;
    private int maxConnections = 10_000;
    private int ioThreads = Runtime.getRuntime().availableProcessors();
    private Duration eventLoopSpin = Duration.ZERO;

    private Builder(ConnectService service) {
      this.service = service;
    }

    private Builder copy() {
      Builder c = new Builder(service);
      c.listen = listen;
      c.application = application;
      c.upstreams.addAll(upstreams);
      c.discovery = discovery;
      c.provider = provider;
      c.idleTimeout = idleTimeout;
      c.connectTimeout = connectTimeout;
      c.drainTimeout = drainTimeout;
      c.metricsLogInterval = metricsLogInterval;
      c.maxConnections = maxConnections;
      c.ioThreads = ioThreads;
      c.eventLoopSpin = eventLoopSpin;
      return c;
    }

    /**
     * Adds the public listener: mutual TLS as the service on {@code listen}, forwarding each
     * authorized connection to the application at {@code application}.
     *
     * @param listen the address to bind; port 0 picks a free one
     * @param application the local application's address
     * @return this builder
     * @throws IllegalStateException if it was already set
     */
    public Builder publicListener(InetSocketAddress listen, InetSocketAddress application) {
      requireNonNull(listen, "listen");
      requireNonNull(application, "application");
      if (this.listen != null) {
        throw new IllegalStateException("publicListener was already set to " + this.listen);
      }
      this.listen = listen;
      this.application = application;
      return this;
    }

    /**
     * Adds an upstream listener.
     *
     * @param upstream the upstream
     * @return this builder
     * @throws IllegalArgumentException if an upstream to the same destination was added
     */
    public Builder upstream(Upstream upstream) {
      requireNonNull(upstream, "upstream");
      for (Upstream u : upstreams) {
        if (u.destination().equals(upstream.destination())) {
          throw new IllegalArgumentException("upstream " + upstream.destination()
              + " was already added: " + u);
        }
      }
      upstreams.add(upstream);
      return this;
    }

    /**
     * Sets where upstreams without a fixed address find their instances. Required when there
     * is one; the proxy does not close it.
     *
     * @param discovery the discovery
     * @return this builder
     * @throws IllegalStateException if it was already set
     */
    public Builder discovery(UpstreamDiscovery discovery) {
      requireNonNull(discovery, "discovery");
      if (this.discovery != null) {
        throw new IllegalStateException("discovery was already set to " + this.discovery);
      }
      this.discovery = discovery;
      return this;
    }

    /**
     * Sets the TLS implementation. Default: {@code OPENSSL} when BoringSSL loads, else {@code
     * JDK}; {@link ConnectProxy#provider()} tells which. Set explicitly, {@code OPENSSL} fails
     * the start when it is unavailable.
     *
     * @param provider {@code JDK} or {@code OPENSSL}
     * @return this builder
     * @throws IllegalArgumentException for any other provider
     * @throws IllegalStateException if it was already set
     */
    public Builder provider(SslProvider provider) {
      requireNonNull(provider, "provider");
      if (provider != SslProvider.JDK && provider != SslProvider.OPENSSL) {
        throw new IllegalArgumentException("provider must be JDK or OPENSSL: " + provider);
      }
      if (this.provider != null) {
        throw new IllegalStateException("provider was already set to " + this.provider);
      }
      this.provider = provider;
      return this;
    }

    /**
     * Sets how long a connection may carry no byte either way before it is closed. Default: 1
     * hour; zero turns it off.
     *
     * @param timeout the timeout
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = nonNegative(timeout, "idleTimeout");
      return this;
    }

    /**
     * Sets how long a dial to the application or an upstream instance may take. Default: 5s.
     *
     * @param timeout the timeout
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = nonNegative(timeout, "connectTimeout");
      if (timeout.isZero()) {
        throw new IllegalArgumentException("connectTimeout must be positive: " + timeout);
      }
      return this;
    }

    /**
     * Sets how long {@link ConnectProxy#close()} waits for open connections to end before it
     * closes them. Default: 10s.
     *
     * @param timeout the timeout
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder drainTimeout(Duration timeout) {
      this.drainTimeout = nonNegative(timeout, "drainTimeout");
      return this;
    }

    /**
     * Sets the interval at which the proxy logs its {@linkplain ProxyMetrics#toLogLine()
     * metrics} at INFO. Default: zero, off.
     *
     * @param interval the interval
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder metricsLogInterval(Duration interval) {
      this.metricsLogInterval = nonNegative(interval, "metricsLogInterval");
      return this;
    }

    /**
     * Sets the most connections open at once, public and upstream together; one more is
     * closed as soon as it is accepted. Default: 10,000.
     *
     * @param max the limit
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder maxConnections(int max) {
      if (max <= 0) {
        throw new IllegalArgumentException("maxConnections must be positive: " + max);
      }
      this.maxConnections = max;
      return this;
    }

    /**
     * Sets the number of event-loop threads. Default: the number of processors.
     *
     * @param threads the number
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder ioThreads(int threads) {
      if (threads <= 0) {
        throw new IllegalArgumentException("ioThreads must be positive: " + threads);
      }
      this.ioThreads = threads;
      return this;
    }

    /**
     * Sets how long an event loop that has run out of work keeps polling its connections
     * before it sleeps. A relayed answer usually comes within tens of microseconds; polling
     * for it saves the wake-up of a sleeping thread, which on a busy machine waits for a core.
     * It costs CPU time up to this long after each burst of work, none when idle. Default:
     * zero, off.
     *
     * @param spin how long to poll, at most 1 ms
     * @return this builder
     * @throws IllegalArgumentException if negative or above 1 ms
     */
    public Builder eventLoopSpin(Duration spin) {
      nonNegative(spin, "eventLoopSpin");
      if (spin.compareTo(MAX_EVENT_LOOP_SPIN) > 0) {
        throw new IllegalArgumentException("eventLoopSpin must be at most "
            + MAX_EVENT_LOOP_SPIN.toNanos() / 1000 + " µs: " + spin);
      }
      this.eventLoopSpin = spin;
      return this;
    }

    /**
     * Binds the listeners and starts the proxy: builds the TLS contexts (failing fast if the
     * agent cannot supply a leaf), and waits for the first answer of the discovery for each
     * discovered upstream.
     *
     * @return the running proxy
     * @throws IllegalStateException if it has no listener, a listener cannot bind, an upstream
     *     needs a discovery that is missing or that fails, or the provider is unavailable
     */
    public ConnectProxy start() {
      if (listen == null && upstreams.isEmpty()) {
        throw new IllegalStateException("a proxy needs a public listener or an upstream");
      }
      ConnectProxy proxy = new ConnectProxy(this);
      try {
        proxy.start();
      } catch (RuntimeException e) {
        proxy.close();
        throw e;
      }
      return proxy;
    }

    private static Duration nonNegative(Duration d, String name) {
      requireNonNull(d, name);
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative: " + d);
      }
      return d;
    }

    @Override
    public String toString() {
      return "ConnectProxy.Builder[service=" + service.name() + "]";
    }
  }
}
