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
import dev.connect.core.AgentId;
import dev.connect.server.EmbeddedServer;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;
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
  private final Optional<Channel> serverChannel;
  private final Optional<Channel> httpsChannel;
  private final Optional<AgentCertificate> certificate;
  private final Optional<ClientCertificateTrust> clientTrust;
  private final ChannelGroup channels = new DefaultChannelGroup("connect-http",
      GlobalEventExecutor.INSTANCE);
  private final Waiters waiters;
  private final LeafWatch leafWatch;
  private final ConnectionLimiter limiter;
  private final Duration drainTimeout;
  private volatile boolean draining;
  private boolean closed;

  /**
   * The settings of a server; validated by the public builder.
   *
   * @param address the plain HTTP address, if plain HTTP is served
   * @param https the HTTPS listener, if one is served
   */
  public record Settings(Optional<InetSocketAddress> address, Optional<Https> https,
      int maxHeaderBytes, int maxBodyBytes, int maxConnections, int maxConnectionsPerClient,
      int maxWaitingQueriesPerClient, Duration drainTimeout, LongUnaryOperator random,
      int eventLoopThreads) {
    /** Plain HTTP only, on {@code address}. */
    public Settings(InetSocketAddress address, int maxHeaderBytes, int maxBodyBytes,
        int maxConnections, int maxConnectionsPerClient, int maxWaitingQueriesPerClient,
        Duration drainTimeout, LongUnaryOperator random, int eventLoopThreads) {
      this(Optional.of(address), Optional.empty(), maxHeaderBytes, maxBodyBytes, maxConnections,
          maxConnectionsPerClient, maxWaitingQueriesPerClient, drainTimeout, random,
          eventLoopThreads);
    }
  }

  /**
   * The HTTPS listener's settings.
   *
   * @param address where it listens, any address
   * @param node the node name in the certificate's agent SPIFFE ID
   * @param dnsNames DNS names the certificate names besides {@code localhost}
   * @param ipAddresses IP addresses it names besides {@code 127.0.0.1} and {@code ::1}
   * @param requireClientCertificates whether a client must present a certificate of the CA
   */
  public record Https(InetSocketAddress address, String node, List<String> dnsNames,
      List<InetAddress> ipAddresses, boolean requireClientCertificates) {
    /** Copies the lists. */
    public Https {
      dnsNames = List.copyOf(dnsNames);
      ipAddresses = List.copyOf(ipAddresses);
    }
  }

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
    InetSocketAddress advertised = s.address().orElseGet(() -> s.https().orElseThrow(
        () -> new IllegalArgumentException("neither plain HTTP nor HTTPS to serve")).address());
    this.leafWatch = new LeafWatch(agent.cache(), agent.scheduler());
    Router router = new Endpoints(agent, waiters, leafWatch, s.random(),
        advertised.getAddress().getHostAddress() + ":" + advertised.getPort(),
        s.https().map(Https::node).orElse(Endpoints.NODE_NAME))
        .register(new Router());
    Api api = new Api(router, aclPolicy);
    Optional<SslContext> tls = Optional.empty();
    if (s.https().isPresent()) {
      Https h = s.https().get();
      if (!(agent.backend() instanceof EmbeddedServer server)) {
        leafWatch.close();
        throw new IllegalStateException("HTTPS needs the agent's own CA, an embedded server;"
            + " this agent's backend is " + agent.backend().getClass().getName());
      }
      Optional<ClientCertificateTrust> trust = h.requireClientCertificates()
          ? Optional.of(new ClientCertificateTrust(server, agent.clock())) : Optional.empty();
      this.clientTrust = trust;
      AgentCertificate cert = new AgentCertificate(server,
          AgentId.of(agent.trustDomain(), agent.datacenter(), h.node()), h.dnsNames(),
          h.ipAddresses(), agent.clock(), agent.scheduler(), s.random());
      try {
        cert.start();
        tls = Optional.of(sslContext(cert, trust));
      } catch (RuntimeException e) {
        cert.close();
        leafWatch.close();
        throw e;
      }
      this.certificate = Optional.of(cert);
    } else {
      this.certificate = Optional.empty();
      this.clientTrust = Optional.empty();
    }
    this.loops = new MultiThreadIoEventLoopGroup(s.eventLoopThreads(),
        new DefaultThreadFactory("connect-http", true), NioIoHandler.newFactory());
    Channel plain = null;
    try {
      if (s.address().isPresent()) {
        plain = bind(s.address().get(), Optional.empty(), s, api, agent);
      }
      this.serverChannel = Optional.ofNullable(plain);
      this.httpsChannel = s.https().isPresent()
          ? Optional.of(bind(s.https().get().address(), tls, s, api, agent)) : Optional.empty();
    } catch (RuntimeException e) {
      if (plain != null) {
        plain.close().syncUninterruptibly();
      }
      loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      leafWatch.close();
      certificate.ifPresent(AgentCertificate::close);
      throw e;
    }
  }

  private Channel bind(InetSocketAddress address, Optional<SslContext> tls, Settings s, Api api,
      ConnectAgent agent) {
    String aclPolicy = agent.defaultIntentionPolicy().allowed() ? "allow" : "deny";
    ServerBootstrap b = new ServerBootstrap()
        .group(loops)
        .channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            channels.add(ch);
            if (tls.isPresent()) {
              ch.pipeline().addLast("tls", tls.get().newHandler(ch.alloc()));
              clientTrust.ifPresent(t ->
                  ch.pipeline().addLast("client-recheck", new ClientCertificateRecheck(t)));
            }
            ch.pipeline()
                .addLast("limit", limiter)
                .addLast("codec", new HttpServerCodec(Math.min(s.maxHeaderBytes(), 64 * 1024),
                    s.maxHeaderBytes(), 8192))
                .addLast("body", new BodyLimit(s.maxBodyBytes(), aclPolicy))
                .addLast("api", new HttpHandler(api, agent.clock(), () -> draining));
          }
        });
    try {
      return b.bind(address).syncUninterruptibly().channel();
    } catch (RuntimeException e) {
      throw new java.io.UncheckedIOException(new java.io.IOException("cannot listen on "
          + address + (tls.isPresent() ? " (HTTPS)" : "") + ": " + e.getMessage(), e));
    }
  }

  private static SslContext sslContext(AgentCertificate cert,
      Optional<ClientCertificateTrust> clients) {
    try {
      SslContextBuilder b = SslContextBuilder.forServer(cert)
          // The JDK provider asks the key manager on every handshake, so a renewed certificate
          // serves the next handshake without rebuilding the context.
          .sslProvider(SslProvider.JDK)
          .protocols("TLSv1.3", "TLSv1.2");
      if (clients.isPresent()) {
        b.trustManager(clients.get()).clientAuth(ClientAuth.REQUIRE);
      }
      return b.build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build the HTTPS context: " + e.getMessage(), e);
    }
  }

  /**
   * Returns the plain HTTP address bound, with the port chosen when 0 was asked for.
   *
   * @throws IllegalStateException if no plain HTTP is served
   */
  public InetSocketAddress address() {
    return (InetSocketAddress) serverChannel.orElseThrow(() -> new IllegalStateException(
        "this server serves no plain HTTP; see its HTTPS address")).localAddress();
  }

  /** Returns the HTTPS address bound, if HTTPS is served. */
  public Optional<InetSocketAddress> httpsAddress() {
    return httpsChannel.map(c -> (InetSocketAddress) c.localAddress());
  }

  /** Returns the certificate the HTTPS listener presents to new handshakes, if any. */
  public Optional<X509Certificate[]> httpsCertificateChain() {
    return certificate.map(c -> c.current().chain().clone());
  }

  /** Returns the message of the last failed renewal of the HTTPS certificate, if it failed. */
  public Optional<String> httpsRenewalFailure() {
    return certificate.flatMap(AgentCertificate::lastRenewalFailure);
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
    serverChannel.ifPresent(c -> c.close().syncUninterruptibly());
    httpsChannel.ifPresent(c -> c.close().syncUninterruptibly());
    certificate.ifPresent(AgentCertificate::close);
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
