package dev.connect.http;

import static java.util.Objects.requireNonNull;

import dev.connect.agent.ConnectAgent;
import dev.connect.http.internal.HttpServerCore;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/**
 * Consul's agent HTTP API, served from a {@link ConnectAgent} on Netty's non-blocking HTTP/1.1
 * codec: what {@code connect agent} runs, so that other JVMs, the CLI and Consul's own tools
 * ({@code consul connect proxy} with {@code CONSUL_HTTP_ADDR}) share the agent's trust domain.
 *
 * <pre>{@code
 * try (ConnectAgent agent = ConnectAgent.builder().dataDirectory(dir).build();
 *      ConnectHttpServer http = ConnectHttpServer.builder(agent)
 *          .address(new InetSocketAddress("127.0.0.1", 8500)).start()) {
 *   System.out.println("serving http://" + http.address());
 * }
 * }</pre>
 *
 * <p><b>Replies</b> are a Consul agent's: compact JSON ({@code ?pretty} indents it), plain-text
 * errors, {@code X-Consul-Default-Acl-Policy} on every handled {@code /v1/} reply, 404 with an
 * empty body for an unknown path, 405 with {@code Allow} for a method a path does not serve.
 * Tokens come from {@code ?token=}, {@code X-Consul-Token} or {@code Authorization: Bearer}.
 * {@code docs/http.md} lists the endpoints and every deliberate difference from Consul.
 *
 * <p><b>Blocking queries</b> ({@code ?index=&wait=}, default wait 5 minutes, at most 10, plus up
 * to a sixteenth of jitter on server reads) wait on the backend's futures: a waiting query holds
 * a connection but no thread.
 *
 * <p><b>Limits</b>, each answered with a status rather than by queueing without bound: header
 * size (431), body size (413), connections in all and per client address (429, Consul's answer
 * to {@code http_max_conns_per_client}), waiting queries per client (429).
 *
 * <p><b>Sharp edges.</b> Plain HTTP is served on loopback addresses only: anything on the
 * network would carry tokens and private keys in the clear. {@link #close()} drains: it stops
 * accepting, answers waiting queries at once with the current data, lets requests in flight
 * finish within the {@linkplain Builder#drainTimeout drain timeout}, then closes what is left.
 * It does not close the agent.
 *
 * <p>Thread-safe.
 */
public final class ConnectHttpServer implements AutoCloseable {
  private final HttpServerCore core;

  private ConnectHttpServer(HttpServerCore core) {
    this.core = core;
  }

  /**
   * Returns a builder of a server over an agent.
   *
   * @param agent what the API serves: its cache, backend and admin interfaces
   * @return the builder
   */
  public static Builder builder(ConnectAgent agent) {
    return new Builder(requireNonNull(agent, "agent"));
  }

  /**
   * Returns the address served, with the port the system chose when port 0 was asked for.
   *
   * @return the address
   */
  public InetSocketAddress address() {
    return core.address();
  }

  /**
   * Returns the number of blocking queries waiting now.
   *
   * @return the count
   */
  public int waitingQueries() {
    return core.waitingQueries();
  }

  /**
   * Returns the number of open client connections now.
   *
   * @return the count
   */
  public int openConnections() {
    return core.openConnections();
  }

  /**
   * Drains and stops: no new connections; waiting queries answered with the current data;
   * requests in flight answered (with {@code Connection: close}) within the drain timeout;
   * then every connection closed and the threads stopped. Idempotent; leaves the agent open.
   */
  @Override
  public void close() {
    core.close();
  }

  @Override
  public String toString() {
    return "ConnectHttpServer[http://" + address().getAddress().getHostAddress() + ":"
        + address().getPort() + "]";
  }

  /** Settings of a {@link ConnectHttpServer}; every one has a default. */
  public static final class Builder {
    /** The address Consul's agent serves HTTP on: {@code 127.0.0.1:8500}. */
    public static final InetSocketAddress DEFAULT_ADDRESS =
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 8500);

    private final ConnectAgent agent;
    private InetSocketAddress address = DEFAULT_ADDRESS;
    private int maxHeaderBytes = 1 << 20;
    private int maxBodyBytes = 1 << 20;
    private int maxConnections = 10_000;
    private int maxConnectionsPerClient = 200;
    private int maxWaitingQueriesPerClient = 200;
    private Duration drainTimeout = Duration.ofSeconds(10);
    private LongUnaryOperator random = bound -> ThreadLocalRandom.current().nextLong(bound);
    private int eventLoopThreads = 2;

    private Builder(ConnectAgent agent) {
      this.agent = agent;
    }

    /**
     * Sets the address of plain HTTP. Default: {@code 127.0.0.1:8500}; port 0 picks a free one.
     *
     * @param address a loopback address and port
     * @return this builder
     * @throws IllegalArgumentException if the address is not a loopback address (plain HTTP
     *     would carry tokens and private keys over the network) or is unresolved
     */
    public Builder address(InetSocketAddress address) {
      requireNonNull(address, "address");
      if (address.isUnresolved()) {
        throw new IllegalArgumentException("HTTP address is not resolved: "
            + address.getHostString());
      }
      if (!address.getAddress().isLoopbackAddress()) {
        throw new IllegalArgumentException("plain HTTP is served on loopback addresses only, not "
            + address.getAddress().getHostAddress() + ":" + address.getPort()
            + ": tokens and private keys would cross the network in the clear; bind 127.0.0.1"
            + " (HTTPS for other addresses is not available yet)");
      }
      this.address = address;
      return this;
    }

    /**
     * Sets the largest request line plus headers accepted; larger ones get {@code 431} and the
     * connection is closed. Default: 1 MiB, Go's {@code http.DefaultMaxHeaderBytes} as in Consul.
     *
     * @param bytes the limit
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder maxHeaderBytes(int bytes) {
      this.maxHeaderBytes = positive(bytes, "maxHeaderBytes");
      return this;
    }

    /**
     * Sets the largest request body accepted; a larger one gets {@code 413} naming the limit.
     * Default: 1 MiB.
     *
     * @param bytes the limit
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder maxBodyBytes(int bytes) {
      this.maxBodyBytes = positive(bytes, "maxBodyBytes");
      return this;
    }

    /**
     * Sets the most connections open at once; one more is answered {@code 429} and closed.
     * Default: 10,000.
     *
     * @param connections the limit
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder maxConnections(int connections) {
      this.maxConnections = positive(connections, "maxConnections");
      return this;
    }

    /**
     * Sets the most connections one client address may hold open; one more is answered {@code
     * 429} and closed. Default: 200, Consul's {@code http_max_conns_per_client}.
     *
     * @param connections the limit
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder maxConnectionsPerClient(int connections) {
      this.maxConnectionsPerClient = positive(connections, "maxConnectionsPerClient");
      return this;
    }

    /**
     * Sets the most blocking queries one client address may have waiting; one more is answered
     * {@code 429}. Default: 200.
     *
     * @param queries the limit
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder maxWaitingQueriesPerClient(int queries) {
      this.maxWaitingQueriesPerClient = positive(queries, "maxWaitingQueriesPerClient");
      return this;
    }

    /**
     * Sets how long {@link #close()} waits for requests in flight before it closes their
     * connections. Default: 10 seconds.
     *
     * @param timeout the bound
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder drainTimeout(Duration timeout) {
      requireNonNull(timeout, "timeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("drainTimeout must not be negative: " + timeout);
      }
      this.drainTimeout = timeout;
      return this;
    }

    /**
     * Sets the source of blocking-query jitter: given {@code n > 0}, a value in {@code [0, n)}.
     * Default: {@link ThreadLocalRandom}. Tests pass a fixed one.
     *
     * @param random the source
     * @return this builder
     */
    public Builder jitter(LongUnaryOperator random) {
      requireNonNull(random, "random");
      this.random = bound -> {
        long v = random.applyAsLong(bound);
        if (v < 0 || v >= bound) {
          throw new IllegalStateException("jitter " + v + " outside [0, " + bound + ")");
        }
        return v;
      };
      return this;
    }

    /**
     * Binds the address and starts serving: ready when this returns.
     *
     * @return the running server
     * @throws java.io.UncheckedIOException if the address cannot be bound (in use, say)
     * @throws IllegalStateException if the agent is closed
     */
    public ConnectHttpServer start() {
      if (agent.isClosed()) {
        throw new IllegalStateException("the agent is closed: " + agent);
      }
      return new ConnectHttpServer(new HttpServerCore(agent, new HttpServerCore.Settings(address,
          maxHeaderBytes, maxBodyBytes, maxConnections, maxConnectionsPerClient,
          maxWaitingQueriesPerClient, drainTimeout, random, eventLoopThreads)));
    }

    private static int positive(int value, String name) {
      if (value <= 0) {
        throw new IllegalArgumentException(name + " must be positive: " + value);
      }
      return value;
    }
  }
}
