package dev.connect.http.internal;

import static java.util.Objects.requireNonNull;

import dev.connect.ca.AgentCertificateRequest;
import dev.connect.ca.LeafRequests;
import dev.connect.core.AgentId;
import dev.connect.core.CaRoots;
import dev.connect.core.QueryOptions;
import dev.connect.core.QueryResult;
import dev.connect.server.EmbeddedServer;
import java.net.InetAddress;
import java.net.Socket;
import java.security.KeyPair;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongUnaryOperator;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificate the agent's HTTPS listener presents, issued by the agent's own CA for the
 * agent's SPIFFE ID and the names clients reach it by, and the key manager that serves it.
 *
 * <p>Renewed like a service leaf in the agent cache: at a uniform random instant between 60%
 * and 90% of its lifetime, and at once when the active root changes (a rotation), so that the
 * listener always presents a chain to the active root. A renewal that fails keeps the current
 * certificate and is tried again a minute later; {@link #lastRenewalFailure()} tells of it.
 *
 * <p>Each certificate generation has its own alias ({@code agent-<serial hex>}), and the
 * previous one stays resolvable, so a handshake that chose an alias just before a renewal still
 * gets the key and chain of that one generation (STYLE.md, "one alias per generation"). A new
 * certificate serves new handshakes; open connections keep theirs.
 */
final class AgentCertificate extends X509ExtendedKeyManager implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AgentCertificate.class);
  private static final Duration RETRY = Duration.ofMinutes(1);

  /** One certificate generation: alias, key and chain, replaced whole. */
  record Generation(String alias, PrivateKey key, X509Certificate[] chain) {
    X509Certificate leaf() {
      return chain[0];
    }
  }

  private final EmbeddedServer server;
  private final AgentId agentId;
  private final List<String> dnsNames;
  private final List<InetAddress> ipAddresses;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final LongUnaryOperator random;
  private final AtomicReference<Generation> current = new AtomicReference<>();
  private volatile Generation previous;
  private volatile Optional<String> lastRenewalFailure = Optional.empty();
  // Guarded by this.
  private ScheduledFuture<?> renewal;
  private CompletableFuture<QueryResult<CaRoots>> rootsWatch;
  private String activeRootId;
  private boolean closed;

  AgentCertificate(EmbeddedServer server, AgentId agentId, List<String> dnsNames,
      List<InetAddress> ipAddresses, Clock clock, ScheduledExecutorService scheduler,
      LongUnaryOperator random) {
    this.server = requireNonNull(server, "server");
    this.agentId = requireNonNull(agentId, "agentId");
    this.dnsNames = List.copyOf(dnsNames);
    this.ipAddresses = List.copyOf(ipAddresses);
    this.clock = requireNonNull(clock, "clock");
    this.scheduler = requireNonNull(scheduler, "scheduler");
    this.random = requireNonNull(random, "random");
  }

  /**
   * Issues the first certificate, then keeps it renewed.
   *
   * @throws IllegalStateException or IllegalArgumentException when the CA refuses it
   */
  synchronized void start() {
    QueryResult<CaRoots> roots = server.roots(QueryOptions.defaults()).join();
    activeRootId = roots.value().activeRootId();
    issue();
    watchRoots(roots.index());
  }

  /** Returns the generation served to new handshakes. */
  Generation current() {
    return current.get();
  }

  /** Returns the message of the last renewal that failed, empty once one succeeds. */
  Optional<String> lastRenewalFailure() {
    return lastRenewalFailure;
  }

  private synchronized void issue() {
    KeyPair keys = LeafRequests.newKeyPair();
    List<X509Certificate> chain = server.signAgentCertificate(
        AgentCertificateRequest.of(agentId, keys.getPublic(), dnsNames, ipAddresses));
    X509Certificate leaf = chain.get(0);
    Generation next = new Generation(
        "agent-" + HexFormat.of().formatHex(leaf.getSerialNumber().toByteArray()),
        keys.getPrivate(), chain.toArray(new X509Certificate[0]));
    previous = current.getAndSet(next);
    lastRenewalFailure = Optional.empty();
    LOG.info("HTTPS certificate for {}: serial {}, valid until {}", agentId,
        leaf.getSerialNumber().toString(16), leaf.getNotAfter().toInstant());
    scheduleRenewal(renewalInstant(leaf, clock.instant()));
  }

  private synchronized void scheduleRenewal(Instant at) {
    if (closed) {
      return;
    }
    if (renewal != null) {
      renewal.cancel(false);
    }
    long delay = Math.max(0, Duration.between(clock.instant(), at).toMillis());
    try {
      renewal = scheduler.schedule(this::renew, delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      LOG.debug("scheduler shut down; HTTPS certificate renewal stops", e);
    }
  }

  private synchronized void renew() {
    if (closed) {
      return;
    }
    try {
      issue();
    } catch (RuntimeException e) {
      lastRenewalFailure = Optional.of(String.valueOf(e.getMessage()));
      LOG.warn("HTTPS certificate renewal for {} failed; serving serial {} until it succeeds"
          + " (next try in {}): {}", agentId, current.get().leaf().getSerialNumber().toString(16),
          RETRY, e.getMessage());
      scheduleRenewal(clock.instant().plus(RETRY));
    }
  }

  // As the agent cache's LeafEntry: uniform in [60%, 90%] of the lifetime, at once past 90%.
  private Instant renewalInstant(X509Certificate leaf, Instant now) {
    Instant validAfter = leaf.getNotBefore().toInstant();
    long lifetime = Duration.between(validAfter, leaf.getNotAfter().toInstant()).toMillis();
    Instant soft = validAfter.plusMillis(lifetime * 6 / 10);
    Instant hard = validAfter.plusMillis(lifetime * 9 / 10);
    if (!now.isBefore(hard)) {
      return now.plus(RETRY);
    }
    Instant from = soft.isAfter(now) ? soft : now;
    long span = Duration.between(from, hard).toMillis();
    return span <= 0 ? from : from.plusMillis(random.applyAsLong(span));
  }

  private synchronized void watchRoots(long index) {
    if (closed) {
      return;
    }
    rootsWatch = server.roots(QueryOptions.builder().minIndex(Math.max(1, index))
        .maxWait(QueryOptions.MAX_WAIT_CAP).build());
    rootsWatch.whenComplete((r, e) -> {
      if (e != null) {
        synchronized (this) {
          if (!closed) {
            LOG.warn("HTTPS certificate: watching the CA roots failed: {}", e.toString());
          }
        }
        return;
      }
      rootsChanged(r);
    });
  }

  private synchronized void rootsChanged(QueryResult<CaRoots> r) {
    if (closed) {
      return;
    }
    String active = r.value().activeRootId();
    if (!active.equals(activeRootId)) {
      activeRootId = active;
      LOG.info("CA root rotated to {}: renewing the HTTPS certificate", active);
      renew();
    }
    watchRoots(r.index());
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (renewal != null) {
      renewal.cancel(false);
    }
    if (rootsWatch != null) {
      rootsWatch.cancel(false);
    }
  }

  // --- X509ExtendedKeyManager: a server key manager only ---------------------------------------

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return alias(keyType);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return alias(keyType);
  }

  private String alias(String keyType) {
    Generation g = current.get();
    // JSSE asks once per key type it could use; answer only for the one our key is.
    return g != null && g.key().getAlgorithm().equals(keyType) ? g.alias() : null;
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    String alias = alias(keyType);
    return alias == null ? null : new String[] {alias};
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    Generation g = generation(alias);
    return g == null ? null : g.chain().clone();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    Generation g = generation(alias);
    return g == null ? null : g.key();
  }

  private Generation generation(String alias) {
    Generation c = current.get();
    if (c != null && c.alias().equals(alias)) {
      return c;
    }
    Generation p = previous;
    return p != null && p.alias().equals(alias) ? p : null;
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine e) {
    return null;
  }

  @Override
  public String toString() {
    Generation g = current.get();
    return "AgentCertificate[" + agentId + ", " + (g == null ? "none yet" : g.alias()) + "]";
  }
}
