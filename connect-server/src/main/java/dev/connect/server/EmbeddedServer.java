package dev.connect.server;

import static java.util.Objects.requireNonNull;

import dev.connect.ca.BuiltInCaProvider;
import dev.connect.ca.CaConfiguration;
import dev.connect.ca.CertificateRequest;
import dev.connect.core.CaRoots;
import dev.connect.core.ConnectBackend;
import dev.connect.core.ConnectException;
import dev.connect.core.IssuedCertificate;
import dev.connect.core.QueryOptions;
import dev.connect.core.QueryResult;
import dev.connect.core.SigningId;
import dev.connect.server.internal.CaStore;
import dev.connect.server.internal.IndexedState;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Connect server inside this JVM: a certificate authority whose roots survive restarts, leaf
 * signing from CSRs, and blocking queries, behind the same {@link ConnectBackend} seam a real
 * Consul cluster sits behind.
 *
 * <p>On first open the server creates a cluster ID, the trust domain {@code <cluster-id>.consul}
 * and a root CA in the data directory; every later open, including after a crash or {@code kill
 * -9} at any moment, finds the same root. State files are written whole or not at all (temporary
 * file, fsync, atomic rename, fsync of the directory); private keys are owner-only files. A
 * corrupt or half-written state file stops {@link Builder#open()} with a {@link
 * DataDirectoryException}; the server never silently starts a new CA over an old one.
 *
 * <pre>{@code
 * try (EmbeddedServer server = EmbeddedServer.builder().dataDirectory(Path.of("connect-data"))
 *     .datacenter("dc1").open()) {
 *   CaRoots roots = server.roots(QueryOptions.defaults()).join().value();
 * }
 * }</pre>
 *
 * <p><b>Rotation.</b> {@link #rotateRoot()} makes a new root, has the old root cross-sign it, and
 * lists both, the new one active. Leaves signed afterwards carry the cross-signed certificate as
 * an intermediate, so peers that still trust only the old root accept them. A rotated-out root
 * stays listed for twice the leaf lifetime, until every leaf it signed has been renewed.
 *
 * <p>Thread-safe. Writes (rotation, configuration) are serialised; reads and leaf signing run in
 * parallel on the caller's thread. Blocking queries park no thread.
 */
public final class EmbeddedServer implements ConnectBackend, AutoCloseable {
  /** How often rotated-out roots are checked for pruning, as Consul's leader does. */
  static final Duration PRUNE_INTERVAL = Duration.ofHours(1);

  private final String datacenter;
  private final CaStore store;
  private final IndexedState index;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final ScheduledFuture<?> pruning;

  private EmbeddedServer(Builder b, CaStore store, IndexedState index,
      ScheduledExecutorService scheduler, boolean ownsScheduler) {
    this.datacenter = b.datacenter;
    this.store = store;
    this.index = index;
    this.scheduler = scheduler;
    this.ownsScheduler = ownsScheduler;
    this.pruning = scheduler.scheduleAtFixedRate(this::pruneQuietly,
        PRUNE_INTERVAL.toMillis(), PRUNE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Returns a builder; {@link Builder#dataDirectory(Path)} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns this server's trust domain, {@code <cluster-id>.consul}. */
  public SigningId trustDomain() {
    return store.trustDomain();
  }

  /** Returns the datacenter this server signs leaves for. */
  public String datacenter() {
    return datacenter;
  }

  /** Returns the data directory. */
  public Path dataDirectory() {
    return store.directory();
  }

  /** Returns the CA configuration in force. */
  public CaConfiguration caConfiguration() {
    return store.snapshot().config();
  }

  @Override
  public CompletableFuture<QueryResult<CaRoots>> roots(QueryOptions options) {
    requireNonNull(options, "options");
    Optional<CompletableFuture<QueryResult<CaRoots>>> refused = checkDatacenter(options);
    if (refused.isPresent()) {
      return refused.get();
    }
    if (!options.isBlocking()) {
      return CompletableFuture.completedFuture(currentRoots());
    }
    return index.awaitAbove(CaStore.ROOTS, options.minIndex(), options.maxWait())
        .thenApply(ignored -> currentRoots());
  }

  private QueryResult<CaRoots> currentRoots() {
    CaStore.Snapshot s = store.snapshot();
    return new QueryResult<>(s.roots(), s.rootsIndex());
  }

  @Override
  public CompletableFuture<QueryResult<IssuedCertificate>> signLeaf(String csrPem,
      QueryOptions options) {
    requireNonNull(csrPem, "csrPem");
    requireNonNull(options, "options");
    Optional<CompletableFuture<QueryResult<IssuedCertificate>>> refused =
        checkDatacenter(options);
    if (refused.isPresent()) {
      return refused.get();
    }
    try {
      CaStore.Snapshot s = store.snapshot();
      CertificateRequest request =
          CertificateRequest.validate(csrPem, s.trustDomain(), datacenter, s.config());
      java.security.cert.X509Certificate leaf = s.provider().sign(request);
      long issuedAt = store.recordLeaf();
      IssuedCertificate issued = new IssuedCertificate(leaf,
          s.roots().active().intermediates(), request.serviceId(), issuedAt, issuedAt);
      return CompletableFuture.completedFuture(new QueryResult<>(issued, issuedAt));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Replaces the active root with a newly generated one of the configured key type, cross-signed
   * by the old root.
   *
   * @return the roots after the rotation, the new root active
   * @throws ConnectException if the new state cannot be written; the old root stays active
   */
  public CaRoots rotateRoot() {
    return store.rotate(Optional.empty(), Optional.empty());
  }

  /**
   * Replaces the active root with one the operator supplies, cross-signed by the old root.
   *
   * @param privateKeyPem the new root's private key (PKCS#1, PKCS#8 or SEC1 PEM)
   * @param rootCertPem the new root certificate, a CA certificate for that key
   * @return the roots after the rotation, the new root active
   * @throws IllegalArgumentException if the key or certificate is malformed, or they do not match
   * @throws ConnectException if the new state cannot be written; the old root stays active
   */
  public CaRoots rotateRoot(String privateKeyPem, String rootCertPem) {
    requireNonNull(privateKeyPem, "privateKeyPem");
    requireNonNull(rootCertPem, "rootCertPem");
    return store.rotate(Optional.of(privateKeyPem), Optional.of(rootCertPem));
  }

  /**
   * Changes the CA configuration. As in Consul, a change of key type or size makes a new root
   * (cross-signed by the old one); any other change keeps the root and applies to leaves signed
   * from now on.
   *
   * @param configuration the new configuration
   * @return the roots after the change
   * @throws ConnectException if the new state cannot be written; nothing changes then
   */
  public CaRoots updateCaConfiguration(CaConfiguration configuration) {
    requireNonNull(configuration, "configuration");
    return store.updateConfiguration(configuration);
  }

  /** Removes rotated-out roots older than twice the leaf lifetime; returns how many. */
  int pruneRoots() {
    return store.prune();
  }

  private void pruneQuietly() {
    try {
      store.prune();
    } catch (RuntimeException e) {
      // Visible in the log and retried next hour; the roots stay trusted a little longer.
      org.slf4j.LoggerFactory.getLogger(EmbeddedServer.class)
          .warn("pruning rotated-out roots failed in {}", store.directory(), e);
    }
  }

  private <T> Optional<CompletableFuture<T>> checkDatacenter(QueryOptions options) {
    if (options.datacenter().isPresent() && !options.datacenter().get().equals(datacenter)) {
      return Optional.of(CompletableFuture.failedFuture(new ConnectException(
          "No path to datacenter \"" + options.datacenter().get() + "\": this embedded server"
              + " serves only \"" + datacenter + "\"")));
    }
    return Optional.empty();
  }

  /**
   * Stops background work, answers every waiting blocking query with the current data, and
   * releases the data directory. Idempotent.
   */
  @Override
  public void close() {
    pruning.cancel(false);
    index.close();
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
    store.close();
  }

  /** Returns the trust domain, datacenter and data directory. */
  @Override
  public String toString() {
    return "EmbeddedServer[trustDomain=" + store.trustDomain().trustDomain() + ", datacenter="
        + datacenter + ", dataDirectory=" + store.directory() + "]";
  }

  /** A mutable builder of {@link EmbeddedServer}; {@link #dataDirectory(Path)} is required. */
  public static final class Builder {
    private Path dataDirectory;
    private String datacenter = "dc1";
    private CaConfiguration caConfiguration = CaConfiguration.defaults();
    private Clock clock = Clock.systemUTC();
    private ScheduledExecutorService scheduler;

    private Builder() {}

    /**
     * Sets the data directory, created (owner-only) if missing. Required.
     *
     * @param directory where roots, keys and configuration are kept
     * @return this builder
     */
    public Builder dataDirectory(Path directory) {
      this.dataDirectory = requireNonNull(directory, "directory");
      return this;
    }

    /**
     * Sets the datacenter this server signs leaves for. Default: {@code dc1}.
     *
     * @param datacenter a datacenter name, valid as a SPIFFE path segment
     * @return this builder
     * @throws IllegalArgumentException if the name is empty or not valid in a SPIFFE ID
     */
    public Builder datacenter(String datacenter) {
      requireNonNull(datacenter, "datacenter");
      dev.connect.core.SpiffeId.of("x.consul", "dc", datacenter); // validates the segment
      this.datacenter = datacenter;
      return this;
    }

    /**
     * Sets the CA configuration used when the data directory is new. An existing directory keeps
     * its stored configuration; change it with {@link #updateCaConfiguration}. Default: {@link
     * CaConfiguration#defaults()}.
     *
     * @param configuration the initial configuration
     * @return this builder
     */
    public Builder caConfiguration(CaConfiguration configuration) {
      this.caConfiguration = requireNonNull(configuration, "configuration");
      return this;
    }

    /**
     * Sets the clock every certificate date and rotation time is read from. Default: {@link
     * Clock#systemUTC()}.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the scheduler for blocking-query timeouts and hourly root pruning. The caller owns it
     * and shuts it down after {@link EmbeddedServer#close()}. Default: one daemon thread named
     * {@code connect-server-N}, owned and stopped by the server.
     *
     * @param scheduler the scheduler
     * @return this builder
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Opens the data directory, creating a CA on first use, and starts the server.
     *
     * @return the running server
     * @throws IllegalStateException if no data directory was set
     * @throws DataDirectoryException if the directory is corrupt or in use by another server
     * @throws IOException if the directory cannot be read or written
     */
    public EmbeddedServer open() throws IOException {
      if (dataDirectory == null) {
        throw new IllegalStateException("dataDirectory is required");
      }
      CaStore store = CaStore.open(dataDirectory, caConfiguration, clock);
      boolean owns = scheduler == null;
      ScheduledExecutorService s = owns ? newScheduler() : scheduler;
      try {
        IndexedState index = new IndexedState(store.restoredIndex(),
            List.of(CaStore.ROOTS, CaStore.LEAF, CaStore.CONFIG), s);
        store.attach(index);
        return new EmbeddedServer(this, store, index, s, owns);
      } catch (RuntimeException e) {
        store.close();
        if (owns) {
          s.shutdownNow();
        }
        throw e;
      }
    }

    private static ScheduledExecutorService newScheduler() {
      AtomicInteger n = new AtomicInteger();
      ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "connect-server-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      s.setRemoveOnCancelPolicy(true);
      return s;
    }
  }
}
