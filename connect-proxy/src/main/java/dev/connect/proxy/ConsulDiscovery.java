package dev.connect.proxy;

import static java.util.Objects.requireNonNull;

import dev.connect.consul.ConsulBackend;
import dev.connect.consul.ConsulHttpException;
import dev.connect.consul.HealthServiceWire;
import dev.connect.consul.ServiceEntryWire;
import dev.connect.core.QueryOptions;
import dev.connect.core.QueryResult;
import dev.connect.core.ServiceNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream instances from a Consul agent's HTTP API (Consul itself or {@code connect agent}): the
 * passing instances of {@code GET /v1/health/connect/<service>?passing=1}, kept fresh by one
 * blocking query per watched service, sent through a {@link ConsulBackend} (so over http or
 * https, with its CA, client certificate and token, as {@code CONSUL_CACERT} and the others
 * configure it).
 *
 * <p>An instance's address is its service address, else its node's address, and its port. A
 * failed query keeps the instances last known, logs a warning and is retried after {@link
 * #RETRY}; {@link #lastError(String)} tells the failure. Blocking queries follow Consul's rules:
 * an index that goes backwards restarts at 0.
 *
 * <p>Thread-safe. Retries run on a daemon thread named {@code connect-discovery-N}, stopped by
 * {@link #close()}.
 */
public final class ConsulDiscovery implements UpstreamDiscovery {
  /** The wait of each blocking query. */
  public static final Duration WAIT = Duration.ofMinutes(5);
  /** The pause before a failed query is sent again. */
  public static final Duration RETRY = Duration.ofSeconds(1);
  private static final Logger log = LoggerFactory.getLogger(ConsulDiscovery.class);
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final ConsulBackend backend;
  private final boolean ownsBackend;
  private final ScheduledExecutorService executor;
  private final Map<String, Watch> watches = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private ConsulDiscovery(ConsulBackend backend, boolean ownsBackend) {
    this.backend = backend;
    this.ownsBackend = ownsBackend;
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "connect-discovery-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Returns a discovery over {@code backend}'s agent, with its TLS settings and token. The
   * discovery does not close the backend.
   *
   * @param backend the backend, such as the one the proxy's agent runs on
   * @return the discovery
   */
  public static ConsulDiscovery over(ConsulBackend backend) {
    return new ConsulDiscovery(requireNonNull(backend, "backend"), false);
  }

  /**
   * Returns a discovery over the plain-HTTP API at {@code address}, ignoring the environment;
   * for https, build a {@link ConsulBackend} and use {@link #over(ConsulBackend)}.
   *
   * @param address such as {@code http://127.0.0.1:8500}
   * @param token the ACL token secret to send, if any; never logged
   * @return the discovery, which closes its own backend
   * @throws IllegalArgumentException if the address is not an absolute http URI
   */
  public static ConsulDiscovery create(URI address, Optional<String> token) {
    requireNonNull(address, "address");
    requireNonNull(token, "token");
    if (!"http".equals(address.getScheme()) || address.getHost() == null) {
      throw new IllegalArgumentException("address must be http://<host>:<port>: " + address);
    }
    ConsulBackend.Builder b = ConsulBackend.builder().environment(Map.of())
        .address(address.toString());
    token.filter(t -> !t.isEmpty()).ifPresent(b::token);
    try {
      return new ConsulDiscovery(b.build(), true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reach " + address, e);
    }
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
    if (ownsBackend) {
      backend.close();
    }
  }

  @Override
  public String toString() {
    return "ConsulDiscovery[" + backend.address() + "]";
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
      QueryOptions options = QueryOptions.builder().minIndex(index).maxWait(WAIT).build();
      CompletableFuture<QueryResult<List<ServiceEntryWire>>> sent;
      try {
        sent = backend.healthConnect(service, options);
      } catch (RuntimeException e) {
        sent = CompletableFuture.failedFuture(e);
      }
      sent.whenComplete((result, error) -> answered(index, result, error));
    }

    private void answered(long index, QueryResult<List<ServiceEntryWire>> result,
        Throwable error) {
      if (closed) {
        return;
      }
      long next;
      try {
        if (error != null) {
          Throwable cause = error instanceof CompletionException && error.getCause() != null
              ? error.getCause() : error;
          throw new IllegalStateException("health of " + service + " at " + backend.address()
              + ": " + cause.getMessage(), cause);
        }
        List<InetSocketAddress> found = new ArrayList<>();
        for (ServiceEntryWire e : result.value()) {
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
        long got = result.index();
        // Consul's rules: an index that goes backwards resets; 0 is treated as 1.
        next = got < index ? 0 : Math.max(got, 1);
      } catch (RuntimeException e) {
        lastError = e.getMessage();
        log.warn("discovery of {}: {}; retrying in {}", service, e.getMessage(), RETRY);
        // An answer that is not 200 fails the start; an agent not reachable yet is retried.
        if (!first.isDone() && e.getCause() instanceof ConsulHttpException h
            && h.status().isPresent()) {
          first.completeExceptionally(e);
        }
        try {
          executor.schedule(() -> query(index), RETRY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
          // closed meanwhile
        }
        return;
      }
      long n = next;
      try {
        executor.execute(() -> query(n));
      } catch (RejectedExecutionException closing) {
        // closed meanwhile
      }
    }
  }
}
