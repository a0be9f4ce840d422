package dev.connect.cache;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.connect.core.BuilderOptions;
import dev.connect.core.CaRoots;
import dev.connect.core.ConnectBackend;
import dev.connect.core.ConnectException;
import dev.connect.core.Intentions;
import dev.connect.core.QueryOptions;
import dev.connect.core.Schedulers;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent cache: CA roots, leaf certificates and intention matches, fetched from a {@link
 * ConnectBackend} on first read, answered from memory afterwards, and kept fresh in the
 * background, as Consul's agent cache does.
 *
 * <pre>{@code
 * try (ConnectCache cache = ConnectCache.builder(backend).leafKeys(keys).build()) {
 *   CacheRequest web = CacheRequest.withToken(webToken);   // build once per token, reuse
 *   CaRoots roots = cache.roots(web);
 *   Leaf leaf = cache.leaf("web", web);
 *   Decision d = cache.intentionMatch("web", web).authorize(self, peer, defaultPolicy);
 * }
 * }</pre>
 *
 * <p><b>Partitions.</b> Every leaf and intention-match entry is keyed by its type, datacenter, a
 * SHA-256 of the ACL token's secret, and the service: a read never returns what another token
 * fetched, and a token the backend refuses gets the refusal (nothing is cached for it). Roots
 * need no permission, so they are one entry per datacenter, fetched without a token: a token the
 * backend does not know adds no entry and no background query. Keys, logs and {@code toString}
 * never show a secret; an entry keeps the secret only to run its own queries.
 *
 * <p><b>Freshness.</b> Roots and intention matches keep one blocking query outstanding at their
 * last index; when it returns with a new index the value is replaced atomically, and readers see
 * either the old or the new value whole. A leaf is renewed at a random instant between 60 % and
 * 90 % of its lifetime (at least a second later, doubling to a minute, when that point has
 * passed already), and re-issued after a random delay of up to {@linkplain
 * Builder#caChangeJitter 30 s} when the active root changes or a new leaf is not signed by the
 * active root. Failed refreshes back off as
 * Consul's do (after more than three failures in a row, {@code min(2^(n-3) s, 60 s)} plus as
 * much again at random) while the last good value keeps being served; {@link EntryStatus} shows
 * the age, last success and last error, and a {@link CacheRequest#maxAge() maximum age} makes a
 * read fetch again rather than accept an older value. A leaf is served while its renewal fails
 * only until it expires; the first failure after that drops it, and the next read fetches anew.
 * Those failures are transient ones (I/O, timeouts, server errors). A first load, which has no
 * value to serve meanwhile, retries transient failures with the same backoff for up to its
 * {@linkplain Builder#firstLoadBudget budget} (30 s by default) before the readers get the last
 * failure; other failures reach them at once. A refusal is final: a token
 * the backend no longer knows ({@link dev.connect.core.AclNotFoundException}) or that lost the
 * permission an entry needs ({@link dev.connect.core.PermissionDeniedException}, say {@code
 * intention:read} after its policy was removed) stops the loop and drops the entry, so the
 * next read fetches anew and fails with the refusal. No thread is held
 * per entry: the loop chains on the backend's futures and uses the scheduler only for delays.
 *
 * <p><b>Disuse.</b> An entry not read for {@linkplain Builder#disuseTtl the TTL} (72 hours by
 * default) is evicted, and its background query is cancelled; so are the least recently read
 * entries past {@linkplain Builder#maximumSize the maximum size} (100,000 by default). The roots
 * of a partition are loaded again while a leaf there lives on, so leaves are still re-issued on
 * rotation.
 *
 * <p><b>Limits.</b> Successful background fetches of one entry are rate-limited (a burst of two,
 * then one a second), so a backend that answers a blocking query at once cannot make the loop
 * spin; an index that goes back makes the next query non-blocking, as Consul's clients do. A
 * backend call not answered within the blocking wait, plus a sixteenth, plus 15 s, fails as a
 * refresh failure. A leaf is never served past its validBefore.
 *
 * <p>Thread-safe. A hit is one Caffeine lookup and a volatile read. Reads on a miss wait for the
 * backend on the calling thread; the {@code *Async} variants do not.
 */
public final class ConnectCache implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConnectCache.class);
  /** The time of disuse after which an entry is evicted by default: 72 hours, as in Consul. */
  public static final Duration DEFAULT_DISUSE_TTL = Duration.ofHours(72);
  /** The window over which leaves are re-issued after a root change: 30 s, as in Consul. */
  public static final Duration DEFAULT_CA_CHANGE_JITTER = Duration.ofSeconds(30);
  /**
   * How long a first load keeps retrying transient failures by default: 30 s, which rides over a
   * Consul leader election (about 15 s, then a while of 500 {@code CA is uninitialized}).
   */
  public static final Duration DEFAULT_FIRST_LOAD_BUDGET = Duration.ofSeconds(30);

  /**
   * The number of entries kept by default: 100,000, well above one agent's needs (a leaf and an
   * intention match per local service, roots per token). Past it the least recently used are
   * evicted, as after disuse.
   */
  public static final long DEFAULT_MAXIMUM_SIZE = 100_000;

  private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
  /** Added to a blocking query's wait and the backend's jitter (wait/16) before giving up. */
  private static final Duration FETCH_TIMEOUT_MARGIN = Duration.ofSeconds(15);

  final ConnectBackend backend;
  final LeafKeyFactory keyFactory;
  final ScheduledExecutorService scheduler;
  final Ticker ticker;
  final Clock clock;
  final Duration caChangeJitter;
  private final RandomGenerator random;
  private final boolean ownsScheduler;
  private final String datacenter;
  private final Duration blockingWait;
  private final Duration fetchTimeout;
  private final Duration firstLoadBudget;
  private final Cache<CacheKey, Entry<?>> cache;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder loads = new LongAdder();
  private final LongAdder loadFailures = new LongAdder();
  private final LongAdder refreshSuccesses = new LongAdder();
  private final LongAdder refreshFailures = new LongAdder();
  private final LongAdder evictions = new LongAdder();
  private final CopyOnWriteArrayList<Registered> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private ConnectCache(Builder b) {
    this.backend = b.backend;
    this.keyFactory = b.keyFactory;
    this.ownsScheduler = b.scheduler == null;
    this.scheduler = ownsScheduler ? newScheduler() : b.scheduler;
    this.ticker = b.ticker;
    this.clock = b.clock;
    this.random = b.random;
    this.datacenter = b.datacenter;
    this.blockingWait = b.blockingWait;
    this.caChangeJitter = b.caChangeJitter;
    this.firstLoadBudget = b.firstLoadBudget;
    this.fetchTimeout = blockingWait.plus(blockingWait.dividedBy(16)).plus(FETCH_TIMEOUT_MARGIN);
    this.cache = Caffeine.newBuilder()
        .expireAfterAccess(b.disuseTtl)
        .maximumSize(b.maximumSize)
        .ticker(ticker)
        .executor(Runnable::run)
        .scheduler(Scheduler.forScheduledExecutorService(scheduler))
        .<CacheKey, Entry<?>>removalListener((key, entry, cause) -> removed(entry, cause))
        .build();
  }

  /**
   * Returns a builder over a backend.
   *
   * @param backend where entries are fetched from: the embedded server, or a Consul agent
   * @return the builder
   */
  public static Builder builder(ConnectBackend backend) {
    return new Builder(requireNonNull(backend, "backend"));
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  /**
   * Returns the trusted roots, from memory when cached.
   *
   * @param request the token, datacenter and maximum age
   * @return the roots
   * @throws ConnectException (or a subtype) if the backend fails a fetch this read waits for
   * @throws IllegalStateException if the cache is closed
   */
  public CaRoots roots(CacheRequest request) {
    return get(rootsKey(request), request);
  }

  /**
   * Returns the trusted roots without waiting on the calling thread.
   *
   * @param request the token, datacenter and maximum age
   * @return a future of the roots; failed as {@link #roots} would throw
   */
  public CompletableFuture<CaRoots> rootsAsync(CacheRequest request) {
    return getAsync(rootsKey(request), request);
  }

  /**
   * Returns the leaf of a service, issuing it on first read: from a {@link
   * dev.connect.core.CsrSigningBackend}, a key pair from the {@link LeafKeyFactory} and a CSR for
   * {@code spiffe://<trust domain>/ns/default/dc/<dc>/svc/<service>} signed through the backend;
   * from a {@link dev.connect.core.LeafIssuingBackend}, the whole leaf with its key, checked to
   * carry that SPIFFE ID and a key that matches it. Either way with the request's token, which
   * needs {@code service:write}; renewal and re-issue after a root change are the same.
   *
   * @param service the service name, such as {@code web}
   * @param request the token, datacenter and maximum age
   * @return the leaf and its private key
   * @throws dev.connect.core.PermissionDeniedException if the token may not write the service;
   *     nothing is cached then
   * @throws ConnectException (or a subtype) if the backend fails
   * @throws dev.connect.core.UnsupportedByBackendException if the backend is of neither kind
   * @throws IllegalStateException if the cache is closed
   */
  public Leaf leaf(String service, CacheRequest request) {
    return get(leafKey(service, request), request);
  }

  /**
   * Returns the leaf of a service without waiting on the calling thread.
   *
   * @param service the service name
   * @param request the token, datacenter and maximum age
   * @return a future of the leaf; failed as {@link #leaf} would throw
   */
  public CompletableFuture<Leaf> leafAsync(String service, CacheRequest request) {
    return getAsync(leafKey(service, request), request);
  }

  /**
   * Returns the intentions whose destination covers {@code destination}, which decide every
   * connection to it ({@link Intentions#authorize}). The token needs {@code intention:read}.
   *
   * @param destination {@code name} or {@code namespace/name}
   * @param request the token, datacenter and maximum age
   * @return the matching intentions
   * @throws dev.connect.core.PermissionDeniedException if the token may not read them
   * @throws ConnectException (or a subtype) if the backend fails
   * @throws IllegalStateException if the cache is closed
   */
  public Intentions intentionMatch(String destination, CacheRequest request) {
    return get(matchKey(destination, request), request);
  }

  /**
   * Returns the intentions matching a destination without waiting on the calling thread.
   *
   * @param destination {@code name} or {@code namespace/name}
   * @param request the token, datacenter and maximum age
   * @return a future of the intentions; failed as {@link #intentionMatch} would throw
   */
  public CompletableFuture<Intentions> intentionMatchAsync(String destination,
      CacheRequest request) {
    return getAsync(matchKey(destination, request), request);
  }

  // ---------------------------------------------------------------------------------------------
  // Status

  /**
   * Returns the state of the roots entry, without counting as a read.
   *
   * @param request the token and datacenter
   * @return the status, or empty if nothing is cached
   */
  public Optional<EntryStatus> rootsStatus(CacheRequest request) {
    return status(rootsKey(request));
  }

  /**
   * Returns the state of a leaf entry, without counting as a read.
   *
   * @param service the service name
   * @param request the token and datacenter
   * @return the status, or empty if nothing is cached
   */
  public Optional<EntryStatus> leafStatus(String service, CacheRequest request) {
    return status(leafKey(service, request));
  }

  /**
   * Returns the state of an intention-match entry, without counting as a read.
   *
   * @param destination the destination as given to {@link #intentionMatch}
   * @param request the token and datacenter
   * @return the status, or empty if nothing is cached
   */
  public Optional<EntryStatus> intentionMatchStatus(String destination, CacheRequest request) {
    return status(matchKey(destination, request));
  }

  /**
   * Registers a listener for changed roots, renewed leaves and changed intention matches, of
   * every partition, service and destination.
   * Registering the same listener twice delivers each change to it twice.
   *
   * @param listener the listener
   * @return the registration, whose {@code close()} removes the listener
   */
  public CacheListener.Registration addListener(CacheListener listener) {
    requireNonNull(listener, "listener");
    // A holder per registration (identity equality), so closing one removes exactly it.
    Registered registered = new Registered(listener);
    listeners.add(registered);
    return () -> listeners.remove(registered);
  }

  /**
   * Tells whether two requests read the same partition of this cache: the same token and the
   * same datacenter (an absent datacenter being this cache's). A {@link CacheListener} gets the
   * request an entry was loaded with, which need not be the caller's own object.
   *
   * @param a a request
   * @param b another request
   * @return whether they share entries
   */
  public boolean samePartition(CacheRequest a, CacheRequest b) {
    requireNonNull(a, "a");
    requireNonNull(b, "b");
    return a.tokenHash().equals(b.tokenHash()) && sameDatacenter(a, b);
  }

  /**
   * Tells whether two requests read the same roots: the same datacenter (an absent datacenter
   * being this cache's), whatever their tokens. Roots need no permission, so the cache keeps one
   * roots entry per datacenter and reports its changes with a request that has no token.
   *
   * @param a a request
   * @param b another request
   * @return whether they read the same roots
   */
  public boolean sameDatacenter(CacheRequest a, CacheRequest b) {
    requireNonNull(a, "a");
    requireNonNull(b, "b");
    return dc(a).equals(dc(b));
  }

  /** Returns the counters since this cache was built and the entries of each type now. */
  public CacheStats stats() {
    Map<CacheType, Long> entries = new EnumMap<>(CacheType.class);
    for (CacheType type : CacheType.values()) {
      entries.put(type, 0L);
    }
    for (CacheKey key : cache.asMap().keySet()) {
      entries.merge(key.type, 1L, Long::sum);
    }
    return new CacheStats(hits.sum(), misses.sum(), loads.sum(), loadFailures.sum(),
        refreshSuccesses.sum(), refreshFailures.sum(), evictions.sum(), entries);
  }

  /**
   * Runs pending maintenance now, such as evicting entries past the time of disuse; eviction
   * otherwise happens at the next cache activity or when the scheduler fires.
   */
  public void cleanUp() {
    cache.cleanUp();
  }

  /**
   * Stops every background loop, drops every entry, and shuts down the scheduler if the cache
   * made it. Reads afterwards throw {@link IllegalStateException}. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    for (Entry<?> entry : cache.asMap().values()) {
      entry.stop();
    }
    cache.invalidateAll();
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
  }

  /** Returns the local datacenter and the number of entries. */
  @Override
  public String toString() {
    return "ConnectCache[datacenter=" + datacenter + ", entries=" + cache.estimatedSize() + "]";
  }

  // ---------------------------------------------------------------------------------------------
  // Engine

  @SuppressWarnings("unchecked")
  private <T> T get(CacheKey key, CacheRequest request) {
    Entry<?> e = cache.getIfPresent(key);
    if (e != null) {
      Entry.Value<?> v = e.value;
      if (v != null && (request.maxAgeNanos() < 0 || e.fresh(request.maxAgeNanos()))
          && v.servableAt(clock)) {
        hits.increment();
        return (T) v.value();
      }
    }
    return join((CompletableFuture<T>) load(key, request));
  }

  @SuppressWarnings("unchecked")
  private <T> CompletableFuture<T> getAsync(CacheKey key, CacheRequest request) {
    Entry<?> e = cache.getIfPresent(key);
    if (e != null) {
      Entry.Value<?> v = e.value;
      if (v != null && e.fresh(request.maxAgeNanos()) && v.servableAt(clock)) {
        hits.increment();
        return CompletableFuture.completedFuture((T) v.value());
      }
    }
    return (CompletableFuture<T>) load(key, request);
  }

  private CompletableFuture<?> load(CacheKey key, CacheRequest request) {
    if (closed) {
      throw new IllegalStateException("the cache is closed");
    }
    Entry<?>[] created = new Entry<?>[1];
    Entry<?> e = cache.get(key, k -> created[0] = newEntry(k, request.withoutMaxAge()));
    misses.increment();
    if (e == created[0]) {
      loads.increment();
      e.start();
    } else if (e.isStopped()) {
      // Stopped (evicted, rejected) but not yet removed: replace it rather than serve it.
      cache.asMap().remove(key, e);
      e = cache.get(key, k -> created[0] = newEntry(k, request.withoutMaxAge()));
      if (e == created[0]) {
        loads.increment();
        e.start();
      }
    }
    if (closed) {
      // close() ran after the check above: it may have missed the entry this read created.
      invalidate(e);
      throw new IllegalStateException("the cache is closed");
    }
    Entry.Value<?> v = e.value;
    if (v == null) {
      return e.firstLoad;
    }
    if (e.fresh(request.maxAgeNanos()) && v.servableAt(clock)) {
      return CompletableFuture.completedFuture(v.value());
    }
    return e.refreshNow();
  }

  private Entry<?> newEntry(CacheKey key, CacheRequest request) {
    switch (key.type) {
      case ROOTS:
        // Fetched without a token (roots need none), so no token's deletion stops them.
        return new RootsEntry(key, key.datacenter.equals(datacenter) ? CacheRequest.anonymous()
            : CacheRequest.builder().datacenter(key.datacenter).build(), this);
      case INTENTION_MATCH:
        return new MatchEntry(key, request, this);
      case LEAF:
        return new LeafEntry(key, request, this);
      default:
        throw new AssertionError(key.type);
    }
  }

  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException | java.util.concurrent.CancellationException e) {
      Throwable cause = Entry.unwrap(e);
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new ConnectException("fetch failed: " + cause, cause);
    }
  }

  private Optional<EntryStatus> status(CacheKey key) {
    Entry<?> e = cache.policy().getIfPresentQuietly(key);
    return e == null || e.value == null ? Optional.empty() : Optional.of(e.status());
  }

  /**
   * Roots are one entry per datacenter, whatever the token: the backend serves them without an
   * ACL check (Consul's roots endpoints need no permission), so a key per token would only let
   * made-up or deleted tokens each hold an entry and a blocking query.
   */
  private CacheKey rootsKey(CacheRequest request) {
    requireNonNull(request, "request");
    return rootsKey(dc(request));
  }

  private static CacheKey rootsKey(String datacenter) {
    return new CacheKey(CacheType.ROOTS, datacenter, TokenHash.NONE, "");
  }

  private CacheKey leafKey(String service, CacheRequest request) {
    requireNonNull(service, "service");
    requireNonNull(request, "request");
    return new CacheKey(CacheType.LEAF, dc(request), request.tokenHash(), service);
  }

  private CacheKey matchKey(String destination, CacheRequest request) {
    requireNonNull(destination, "destination");
    requireNonNull(request, "request");
    return new CacheKey(CacheType.INTENTION_MATCH, dc(request), request.tokenHash(), destination);
  }

  private String dc(CacheRequest request) {
    String dc = request.datacenterOrNull();
    return dc == null ? datacenter : dc;
  }

  QueryOptions blocking(QueryOptions options, long minIndex) {
    if (minIndex <= 0) {
      return options;
    }
    return options.toBuilder().minIndex(minIndex).maxWait(blockingWait).build();
  }

  /** How long a backend call may take before it counts as failed. */
  Duration fetchTimeout() {
    return fetchTimeout;
  }

  /** How long a first load may keep retrying transient failures. */
  Duration firstLoadBudget() {
    return firstLoadBudget;
  }

  /** The roots cached for the datacenter of {@code key}, without counting as a read. */
  CaRoots cachedRoots(CacheKey key) {
    Entry<?> e = cache.policy().getIfPresentQuietly(rootsKey(key.datacenter));
    Entry.Value<?> v = e == null ? null : e.value;
    return v == null ? null : (CaRoots) v.value();
  }

  /** Consul's backoff: none up to 3 failures, then min(2^(n-3) s, 60 s) plus as much at random. */
  Duration backoff(int failures) {
    if (failures <= 3) {
      return Duration.ZERO;
    }
    int shift = Math.min(failures - 3, 6);
    Duration base = Duration.ofSeconds(1L << shift);
    if (base.compareTo(MAX_BACKOFF) > 0) {
      base = MAX_BACKOFF;
    }
    return base.plusNanos(randomLong(base.toNanos()));
  }

  long randomLong(long bound) {
    if (bound <= 0) {
      return 0;
    }
    synchronized (random) {
      return random.nextLong(bound);
    }
  }

  void rootsRotated(RootsEntry roots, CaRoots now) {
    for (Entry<?> e : cache.asMap().values()) {
      if (e instanceof LeafEntry leaf && leaf.key.datacenter.equals(roots.key.datacenter)) {
        leaf.rootsRotated(now);
      }
    }
  }

  /** Tells the listeners that {@code entry} now serves {@code value} instead of another. */
  void changed(Entry<?> entry, Object value) {
    for (Registered r : listeners) {
      CacheListener l = r.listener;
      try {
        if (entry.key.type == CacheType.ROOTS) {
          l.rootsChanged(entry.request, (CaRoots) value);
        } else if (entry.key.type == CacheType.LEAF) {
          l.leafChanged(entry.key.request, entry.request, (Leaf) value);
        } else {
          l.intentionsChanged(entry.key.request, entry.request, (Intentions) value);
        }
      } catch (RuntimeException e) {
        log.warn("cache listener {} failed on a change of {}", l, entry.key, e);
      }
    }
  }

  /** One registration of a listener; compared by identity. */
  private static final class Registered {
    final CacheListener listener;

    Registered(CacheListener listener) {
      this.listener = listener;
    }
  }

  void invalidate(Entry<?> entry) {
    entry.stop();
    cache.asMap().remove(entry.key, entry);
  }

  void loadSucceeded() {
  }

  void loadFailed(Entry<?> entry) {
    loadFailures.increment();
    invalidate(entry);
  }

  void refreshSucceeded() {
    refreshSuccesses.increment();
  }

  void refreshFailed() {
    refreshFailures.increment();
  }

  private void removed(Entry<?> entry, RemovalCause cause) {
    if (entry != null) {
      entry.stop();
    }
    if (cause.wasEvicted()) {
      evictions.increment();
    }
    if (entry instanceof RootsEntry roots && cause == RemovalCause.EXPIRED && !closed) {
      // Leaves read roots only when they are issued; a leaf-only reader would otherwise lose
      // the roots entry, and with it re-issue on rotation. Outside Caffeine's maintenance.
      try {
        scheduler.execute(() -> keepRootsForLeaves(roots));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // closed meanwhile
      }
    }
  }

  /** Loads the roots of an evicted roots entry's partition again if a leaf there lives on. */
  private void keepRootsForLeaves(RootsEntry evicted) {
    if (closed) {
      return;
    }
    for (Entry<?> e : cache.asMap().values()) {
      if (e instanceof LeafEntry leaf && leaf.key.datacenter.equals(evicted.key.datacenter)
          && !leaf.isStopped()) {
        try {
          load(evicted.key, leaf.request).exceptionally(x -> null);
        } catch (IllegalStateException closedNow) {
          // closed meanwhile
        }
        return;
      }
    }
  }

  private static ScheduledExecutorService newScheduler() {
    return Schedulers.newDaemonScheduler("connect-cache", 2);
  }

  /**
   * A mutable builder of {@link ConnectCache}. Every setting has a default but {@link
   * #leafKeys}, which a CSR-signing backend requires; each may be set once ("{@code clock was already set to
   * ...}").
   */
  public static final class Builder {
    private final ConnectBackend backend;
    private LeafKeyFactory keyFactory;
    private ScheduledExecutorService scheduler;
    private Ticker ticker = Ticker.systemTicker();
    private Clock clock = Clock.systemUTC();
    private RandomGenerator random = new Random();
    private String datacenter = "dc1";
    private Duration disuseTtl = DEFAULT_DISUSE_TTL;
    private Duration blockingWait = QueryOptions.DEFAULT_MAX_WAIT;
    private Duration caChangeJitter = DEFAULT_CA_CHANGE_JITTER;
    private Duration firstLoadBudget = DEFAULT_FIRST_LOAD_BUDGET;
    private long maximumSize = DEFAULT_MAXIMUM_SIZE;
    private final BuilderOptions options = BuilderOptions.create();

    private Builder(ConnectBackend backend) {
      this.backend = backend;
    }

    /**
     * Sets what makes leaf key pairs and CSRs, which a {@link
     * dev.connect.core.CsrSigningBackend} needs (a {@link dev.connect.core.LeafIssuingBackend}
     * makes the key itself). Required over a CSR-signing backend: {@link #build()} fails without
     * it.
     *
     * @param factory the factory
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder leafKeys(LeafKeyFactory factory) {
      requireNonNull(factory, "factory");
      options.set("leafKeys", factory);
      this.keyFactory = factory;
      return this;
    }

    /**
     * Sets the scheduler for backoff delays, leaf renewals, the next blocking query, and
     * eviction. The caller owns it and shuts it down after {@link ConnectCache#close()}. Default:
     * two daemon threads named {@code connect-cache-N}, stopped by {@code close()}.
     *
     * @param scheduler the scheduler
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      requireNonNull(scheduler, "scheduler");
      options.set("scheduler", scheduler);
      this.scheduler = scheduler;
      return this;
    }

    /**
     * Sets the ticker that measures disuse and age. Default: {@link Ticker#systemTicker()}.
     *
     * @param ticker the ticker
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder ticker(Ticker ticker) {
      requireNonNull(ticker, "ticker");
      options.set("ticker", ticker);
      this.ticker = ticker;
      return this;
    }

    /**
     * Sets the clock that places leaf renewals in certificate time and stamps refreshes.
     * Default: {@link Clock#systemUTC()}.
     *
     * @param clock the clock
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder clock(Clock clock) {
      requireNonNull(clock, "clock");
      options.set("clock", clock);
      this.clock = clock;
      return this;
    }

    /**
     * Sets the source of jitter (renewal instants, re-issue delays, backoff). Default: a new
     * {@link Random}. Calls are serialised on it.
     *
     * @param random the generator
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder random(RandomGenerator random) {
      requireNonNull(random, "random");
      options.set("random", random);
      this.random = random;
      return this;
    }

    /**
     * Sets the local datacenter: the one a {@link CacheRequest} without a datacenter means, and
     * the one in the SPIFFE IDs of leaves issued for it. Default: {@code dc1}.
     *
     * @param datacenter the datacenter name
     * @return this builder
     * @throws IllegalArgumentException if it is empty
     * @throws IllegalStateException if already set
     */
    public Builder datacenter(String datacenter) {
      requireNonNull(datacenter, "datacenter");
      if (datacenter.isEmpty()) {
        throw new IllegalArgumentException("datacenter must not be empty");
      }
      options.set("datacenter", datacenter);
      this.datacenter = datacenter;
      return this;
    }

    /**
     * Sets the time of disuse after which an entry is evicted. Default: {@link
     * #DEFAULT_DISUSE_TTL}, 72 hours.
     *
     * @param ttl the time since the last read
     * @return this builder
     * @throws IllegalArgumentException if {@code ttl} is not positive
     * @throws IllegalStateException if already set
     */
    public Builder disuseTtl(Duration ttl) {
      this.disuseTtl = positive(ttl, "disuseTtl");
      options.set("disuseTtl", ttl);
      return this;
    }

    /**
     * Sets how long each background blocking query waits. Default: {@link
     * QueryOptions#DEFAULT_MAX_WAIT}, five minutes; backends cap it at ten.
     *
     * @param wait the wait
     * @return this builder
     * @throws IllegalArgumentException if {@code wait} is not positive
     * @throws IllegalStateException if already set
     */
    public Builder blockingWait(Duration wait) {
      this.blockingWait = positive(wait, "blockingWait");
      options.set("blockingWait", wait);
      return this;
    }

    /**
     * Sets the window over which leaves are re-issued after the active root changes. Default:
     * {@link #DEFAULT_CA_CHANGE_JITTER}, 30 seconds.
     *
     * @param window the window
     * @return this builder
     * @throws IllegalArgumentException if {@code window} is not positive
     * @throws IllegalStateException if already set
     */
    public Builder caChangeJitter(Duration window) {
      this.caChangeJitter = positive(window, "caChangeJitter");
      options.set("caChangeJitter", window);
      return this;
    }

    /**
     * Sets how long the first load of an entry keeps retrying transient failures (a refused
     * connection, a timeout, a 5xx such as a new Consul leader's {@code CA is uninitialized}, a
     * 429; see {@link ConnectException#isTransient()}) with the refresh backoff before the
     * readers get the last failure. Refusals and other failures reach them at once. Default:
     * {@link #DEFAULT_FIRST_LOAD_BUDGET}, 30 seconds.
     *
     * @param budget the time from the first attempt after which no retry starts
     * @return this builder
     * @throws IllegalArgumentException if {@code budget} is negative (zero retries nothing)
     * @throws IllegalStateException if already set
     */
    public Builder firstLoadBudget(Duration budget) {
      requireNonNull(budget, "budget");
      if (budget.isNegative()) {
        throw new IllegalArgumentException("firstLoadBudget must not be negative: " + budget);
      }
      options.set("firstLoadBudget", budget);
      this.firstLoadBudget = budget;
      return this;
    }

    /**
     * Sets the most entries kept, of all types together. Past it the entries least recently
     * read are evicted (and their background queries stopped), as after disuse. Default: {@link
     * #DEFAULT_MAXIMUM_SIZE}, 100,000.
     *
     * @param size the most entries
     * @return this builder
     * @throws IllegalArgumentException if {@code size} is not positive
     * @throws IllegalStateException if already set
     */
    public Builder maximumSize(long size) {
      if (size <= 0) {
        throw new IllegalArgumentException("maximumSize must be positive: " + size);
      }
      options.set("maximumSize", size);
      this.maximumSize = size;
      return this;
    }

    /**
     * Returns the cache; it fetches nothing until read.
     *
     * @return the cache
     * @throws IllegalStateException if the backend signs CSRs and no {@link #leafKeys} was given
     */
    public ConnectCache build() {
      if (keyFactory == null && backend instanceof dev.connect.core.CsrSigningBackend) {
        throw new IllegalStateException("leafKeys is required: set the LeafKeyFactory that makes"
            + " leaf key pairs and CSRs with leafKeys(...)");
      }
      return new ConnectCache(this);
    }

    private static Duration positive(Duration d, String name) {
      requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }
  }
}
