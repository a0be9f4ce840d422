package dev.connect.http;

import static java.util.Objects.requireNonNull;

import dev.connect.agent.ConnectAgent;
import dev.connect.ca.AgentCertificateRequest;
import dev.connect.core.AgentId;
import dev.connect.http.internal.HttpServerCore;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
 * <p><b>HTTPS</b> ({@link Builder#https}) serves the same API on any address, with a
 * certificate of the agent's own CA for its agent SPIFFE ID and the names clients use, renewed
 * like a service leaf; clients trust the bundle of {@code GET /v1/connect/ca/roots?pem=true}
 * ({@code CONSUL_CACERT}). {@link Builder#requireClientCertificates} asks every client for a
 * certificate of the same CA, as Consul's {@code verify_incoming}.
 *
 * <p><b>Sharp edges.</b> Plain HTTP is served on loopback addresses only: anything on the
 * network would carry tokens and private keys in the clear; use HTTPS there. {@link #close()} drains: it stops
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
   * Returns the plain HTTP address served, with the port the system chose when port 0 was asked
   * for.
   *
   * @return the address
   * @throws IllegalStateException if no plain HTTP is served ({@link Builder#noPlainHttp})
   */
  public InetSocketAddress address() {
    return core.address();
  }

  /**
   * Returns the HTTPS address served, with the port the system chose when port 0 was asked
   * for, or empty when no HTTPS is served.
   *
   * @return the address
   */
  public Optional<InetSocketAddress> httpsAddress() {
    return core.httpsAddress();
  }

  /**
   * Returns the chain the HTTPS listener presents to new handshakes now, leaf first, or empty
   * when no HTTPS is served.
   *
   * @return a copy of the chain
   */
  public Optional<List<X509Certificate>> httpsCertificateChain() {
    return core.httpsCertificateChain().map(List::of);
  }

  /**
   * Returns why the last renewal of the HTTPS certificate failed, or empty when the last one
   * succeeded (or none was due yet). A failed renewal keeps the current certificate and is
   * tried again a minute later.
   *
   * @return the failure's message
   */
  public Optional<String> httpsRenewalFailure() {
    return core.httpsRenewalFailure();
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
    List<String> urls = new ArrayList<>();
    try {
      urls.add("http://" + address().getAddress().getHostAddress() + ":" + address().getPort());
    } catch (IllegalStateException noPlainHttp) {
      // HTTPS only.
    }
    httpsAddress().ifPresent(a -> urls.add("https://" + a.getAddress().getHostAddress() + ":"
        + a.getPort()));
    return "ConnectHttpServer" + urls;
  }

  /** Settings of a {@link ConnectHttpServer}; every one has a default. */
  public static final class Builder {
    /** The address Consul's agent serves HTTP on: {@code 127.0.0.1:8500}. */
    public static final InetSocketAddress DEFAULT_ADDRESS =
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 8500);

    /** The node name in the HTTPS certificate's agent SPIFFE ID unless one is given. */
    public static final String DEFAULT_NODE = "connect-agent";

    private final ConnectAgent agent;
    private InetSocketAddress address = DEFAULT_ADDRESS;
    private boolean plainHttp = true;
    private InetSocketAddress httpsAddress;
    private String node = DEFAULT_NODE;
    private List<String> httpsDnsNames = List.of();
    private List<InetAddress> httpsIpAddresses = List.of();
    private boolean requireClientCertificates;
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
            + ": tokens and private keys would cross the network in the clear; bind 127.0.0.1,"
            + " or serve HTTPS on that address (Builder.https; connect agent --https)");
      }
      this.address = address;
      return this;
    }

    /**
     * Serves no plain HTTP, only {@linkplain #https HTTPS}. Default: plain HTTP is served.
     *
     * @return this builder
     */
    public Builder noPlainHttp() {
      this.plainHttp = false;
      return this;
    }

    /**
     * Serves HTTPS on {@code address}, any address (Consul's {@code ports.https}), besides or,
     * with {@link #noPlainHttp}, instead of plain HTTP. Default: no HTTPS.
     *
     * <p>The certificate is issued by the agent's own CA for the agent's SPIFFE ID ({@code
     * spiffe://<td>/agent/client/dc/<dc>/id/<node>}) and names {@code localhost}, {@code
     * 127.0.0.1}, {@code ::1} and the {@linkplain #httpsDnsNames DNS names} and {@linkplain
     * #httpsIpAddresses IP addresses} given. It is renewed like a service leaf (between 60% and
     * 90% of its lifetime) and at once when the CA root rotates; new handshakes get the new one,
     * open connections stay up. Clients trust it through the PEM bundle of {@code GET
     * /v1/connect/ca/roots?pem=true} ({@code CONSUL_CACERT}). Needs an agent over the embedded
     * server: {@link #start()} refuses an agent over another backend.
     *
     * @param address the address and port; port 0 picks a free one
     * @return this builder
     * @throws IllegalArgumentException if the address is unresolved
     */
    public Builder https(InetSocketAddress address) {
      requireNonNull(address, "address");
      if (address.isUnresolved()) {
        throw new IllegalArgumentException("HTTPS address is not resolved: "
            + address.getHostString());
      }
      this.httpsAddress = address;
      return this;
    }

    /**
     * Sets the node name of the HTTPS certificate's agent SPIFFE ID (Consul's {@code
     * node_name}). Default: {@value #DEFAULT_NODE}.
     *
     * @param node the node name
     * @return this builder
     * @throws IllegalArgumentException if it is not a valid SPIFFE ID segment
     */
    public Builder nodeName(String node) {
      requireNonNull(node, "node");
      try {
        AgentId.of("0.consul", "dc1", node);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("node name not valid in a SPIFFE ID: " + node, e);
      }
      this.node = node;
      return this;
    }

    /**
     * Sets the DNS names the HTTPS certificate names besides {@code localhost} (Consul's
     * {@code auto_encrypt.dns_san}). Default: none.
     *
     * @param names host names, such as {@code agent.example.com}
     * @return this builder
     * @throws IllegalArgumentException naming the first value that is not a host name
     *     (wildcards included)
     */
    public Builder httpsDnsNames(List<String> names) {
      requireNonNull(names, "names");
      List<String> checked = new ArrayList<>();
      for (String name : names) {
        checked.add(AgentCertificateRequest.dnsName(name));
      }
      this.httpsDnsNames = List.copyOf(checked);
      return this;
    }

    /**
     * Sets the IP addresses the HTTPS certificate names besides {@code 127.0.0.1} and {@code
     * ::1} (Consul's {@code auto_encrypt.ip_san}). Default: none.
     *
     * @param addresses the addresses
     * @return this builder
     */
    public Builder httpsIpAddresses(List<InetAddress> addresses) {
      this.httpsIpAddresses = List.copyOf(requireNonNull(addresses, "addresses"));
      return this;
    }

    /**
     * Requires HTTPS clients to present a certificate that chains to the agent's CA roots, any
     * leaf of the trust domain (Consul's {@code verify_incoming}). A client without one fails
     * the handshake. Default: not required.
     *
     * @return this builder
     */
    public Builder requireClientCertificates() {
      this.requireClientCertificates = true;
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
      if (!plainHttp && httpsAddress == null) {
        throw new IllegalStateException("noPlainHttp was set but no HTTPS address: nothing to"
            + " serve");
      }
      if (httpsAddress == null && (requireClientCertificates || !httpsDnsNames.isEmpty()
          || !httpsIpAddresses.isEmpty() || !node.equals(DEFAULT_NODE))) {
        throw new IllegalStateException("HTTPS settings were given (client certificates, DNS"
            + " names, IP addresses or node name) but no HTTPS address");
      }
      Optional<HttpServerCore.Https> https = Optional.ofNullable(httpsAddress)
          .map(a -> new HttpServerCore.Https(a, node, httpsDnsNames, httpsIpAddresses,
              requireClientCertificates));
      return new ConnectHttpServer(new HttpServerCore(agent, new HttpServerCore.Settings(
          plainHttp ? Optional.of(address) : Optional.empty(), https, maxHeaderBytes,
          maxBodyBytes, maxConnections, maxConnectionsPerClient, maxWaitingQueriesPerClient,
          drainTimeout, random, eventLoopThreads)));
    }

    private static int positive(int value, String name) {
      if (value <= 0) {
        throw new IllegalArgumentException(name + " must be positive: " + value);
      }
      return value;
    }
  }
}
