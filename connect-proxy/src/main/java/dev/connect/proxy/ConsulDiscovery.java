package dev.connect.proxy;

import static java.util.Objects.requireNonNull;

import dev.connect.consul.ConsulHeaders;
import dev.connect.consul.ConsulJson;
import dev.connect.consul.HealthServiceWire;
import dev.connect.consul.ServiceEntryWire;
import dev.connect.consul.Shape;
import dev.connect.core.ServiceNames;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream instances from a Consul agent's HTTP API (Consul itself or {@code connect agent}): the
 * passing instances of {@code GET /v1/health/connect/<service>?passing=1}, kept fresh by one
 * blocking query per watched service.
 *
 * <p>An instance's address is its service address, else its node's address, and its port. A
 * failed query keeps the instances last known, logs a warning and is retried after {@link
 * #RETRY}; {@link #lastError(String)} tells the failure. Blocking queries follow Consul's rules:
 * an index that goes backwards restarts at 0.
 *
 * <p>Thread-safe. Runs on two daemon threads named {@code connect-discovery-N}, stopped by
 * {@link #close()}.
 */
public final class ConsulDiscovery implements UpstreamDiscovery {
  /** The wait of each blocking query. */
  public static final Duration WAIT = Duration.ofMinutes(5);
  /** The pause before a failed query is sent again. */
  public static final Duration RETRY = Duration.ofSeconds(1);
  private static final Logger log = LoggerFactory.getLogger(ConsulDiscovery.class);
  private static final Shape<List<ServiceEntryWire>> ENTRIES =
      Shape.listOf(ServiceEntryWire.class);

  private final URI base;
  private final String token;
  private final HttpClient client;
  private final ScheduledExecutorService executor;
  private final Map<String, Watch> watches = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private ConsulDiscovery(URI base, String token) {
    this.base = base;
    this.token = token;
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newScheduledThreadPool(2, r -> {
      Thread t = new Thread(r, "connect-discovery-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).executor(executor).build();
  }

  /**
   * Returns a discovery over the plain-HTTP API at {@code address}.
   *
   * @param address such as {@code http://127.0.0.1:8500}
   * @param token the ACL token secret to send, if any; never logged
   * @return the discovery
   * @throws IllegalArgumentException if the address is not an absolute http URI
   */
  public static ConsulDiscovery create(URI address, Optional<String> token) {
    requireNonNull(address, "address");
    requireNonNull(token, "token");
    if (!"http".equals(address.getScheme()) || address.getHost() == null) {
      throw new IllegalArgumentException("address must be http://<host>:<port>: " + address);
    }
    String a = address.toString();
    return new ConsulDiscovery(URI.create(a.endsWith("/") ? a : a + "/"),
        token.filter(t -> !t.isEmpty()).orElse(null));
  }

  @Override
  public CompletableFuture<Void> watch(String service) {
    requireNonNull(service, "service");
    ServiceNames.check(service);
    if (closed) {
      throw new IllegalStateException(this + " is closed");
    }
    Watch w = watches.computeIfAbsent(service, s -> {
      Watch created = new Watch(s);
      executor.execute(() -> created.query(0));
      return created;
    });
    return w.first;
  }

  @Override
  public List<InetSocketAddress> instances(String service) {
    Watch w = watches.get(requireNonNull(service, "service"));
    if (w == null) {
      throw new IllegalStateException("service " + service + " is not watched; call watch first");
    }
    return w.instances;
  }

  /**
   * Returns the failure of the last query about {@code service}, if it failed.
   *
   * @param service a watched service
   * @return the failure's description
   */
  public Optional<String> lastError(String service) {
    Watch w = watches.get(requireNonNull(service, "service"));
    return w == null ? Optional.empty() : Optional.ofNullable(w.lastError);
  }

  @Override
  public void close() {
    closed = true;
    executor.shutdownNow();
  }

  @Override
  public String toString() {
    return "ConsulDiscovery[" + base + "]";
  }

  /** One service's blocking-query loop and what it last learned. */
  private final class Watch {
    final String service;
    final CompletableFuture<Void> first = new CompletableFuture<>();
    volatile List<InetSocketAddress> instances = List.of();
    volatile String lastError;

    Watch(String service) {
      this.service = service;
    }

    void query(long index) {
      if (closed) {
        return;
      }
      String path = "v1/health/connect/" + URLEncoder.encode(service, StandardCharsets.UTF_8)
          + "?passing=1" + (index > 0 ? "&index=" + index + "&wait=" + WAIT.toSeconds() + "s" : "");
      Duration timeout = index > 0 ? WAIT.plus(WAIT.dividedBy(16)).plusSeconds(10)
          : Duration.ofSeconds(30);
      HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout).GET();
      if (token != null) {
        r.header(ConsulHeaders.TOKEN, token);
      }
      client.sendAsync(r.build(), HttpResponse.BodyHandlers.ofByteArray())
          .whenComplete((resp, error) -> answered(index, path, resp, error));
    }

    private void answered(long index, String path, HttpResponse<byte[]> resp, Throwable error) {
      if (closed) {
        return;
      }
      long next;
      try {
        if (error != null) {
          throw new IllegalStateException("GET " + base + path + ": " + error, error);
        }
        if (resp.statusCode() != 200) {
          throw new IllegalStateException("GET " + base + path + " answered "
              + resp.statusCode() + ": " + new String(resp.body(), StandardCharsets.UTF_8)
                  .strip());
        }
        List<InetSocketAddress> found = new ArrayList<>();
        for (ServiceEntryWire e : ConsulJson.decodeResponse(resp.body(), ENTRIES)) {
          HealthServiceWire s = e.service();
          if (s == null || s.port() == null || s.port() <= 0) {
            continue;
          }
          String host = s.address() != null && !s.address().isEmpty() ? s.address()
              : e.node() != null ? e.node().address() : null;
          if (host != null && !host.isEmpty()) {
            found.add(new InetSocketAddress(host, s.port()));
          }
        }
        instances = List.copyOf(found);
        lastError = null;
        first.complete(null);
        long got = resp.headers().firstValue(ConsulHeaders.INDEX).map(Long::parseLong).orElse(0L);
        // Consul's rules: an index that goes backwards resets; 0 is treated as 1.
        next = got < index ? 0 : Math.max(got, 1);
      } catch (RuntimeException e) {
        lastError = e.getMessage();
        log.warn("discovery of {}: {}; retrying in {}", service, e.getMessage(), RETRY);
        if (!first.isDone() && error == null) {
          first.completeExceptionally(e);
        }
        try {
          executor.schedule(() -> query(index), RETRY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
          // closed meanwhile
        }
        return;
      }
      long n = next;
      try {
        executor.execute(() -> query(n));
      } catch (java.util.concurrent.RejectedExecutionException closing) {
        // closed meanwhile
      }
    }
  }
}
