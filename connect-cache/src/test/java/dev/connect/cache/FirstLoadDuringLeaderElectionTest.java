package dev.connect.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.core.CaRoots;
import dev.connect.core.ConnectException;
import dev.connect.core.CsrSigningBackend;
import dev.connect.core.Intention;
import dev.connect.core.IssuedCertificate;
import dev.connect.core.Permission;
import dev.connect.core.PermissionDeniedException;
import dev.connect.core.QueryOptions;
import dev.connect.core.QueryResult;
import dev.connect.core.SpiffeId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: the cache handed a first load's failure to its caller without retrying, so a leaf
 * read while a Consul leader election was under way (the new leader answers 500 "CA is
 * uninitialized ..." for a while) failed, and with it the service's first handshake. A first load
 * that fails transiently now retries with the refresh backoff within the first-load budget;
 * refusals and other final failures still reach the caller at once.
 */
class FirstLoadDuringLeaderElectionTest {
  /** Jitter of zero: the backoff is Consul's base, 0 s for three failures, then 2, 4, 8, 16 s. */
  private static final RandomGenerator NO_JITTER = () -> 0L;

  @TempDir
  Path dir;

  private final AtomicReference<SignFails> backend = new AtomicReference<>();

  private Fixture open() throws Exception {
    return Fixture.open(dir, false, s -> {
      backend.set(new SignFails(s));
      return backend.get();
    }, NO_JITTER);
  }

  @Test
  void leafReadDuringLeaderElectionIsAnsweredOnceTheNewLeaderSigns() throws Exception {
    try (Fixture f = open()) {
      SignFails b = backend.get();
      b.failNext(5, CaUninitialized::new);
      CompletableFuture<Leaf> read = f.cache.leafAsync("web", CacheRequest.anonymous());
      f.scheduler.runDue();
      assertThat(read).as("not failed by the new leader's 500").isNotDone();
      // Four attempts at 0 s (no backoff before the fourth failure), the fifth at 2 s fails
      // too, and the sixth, at 6 s, signs.
      f.advance(Duration.ofSeconds(6).minusMillis(1));
      assertThat(read).isNotDone();
      assertThat(b.signs.get()).isEqualTo(5);
      f.advance(Duration.ofMillis(1));
      assertThat(read).isCompletedWithValueMatching(leaf -> SpiffeId.fromCertificate(
          leaf.certificate().certificate()).toString().endsWith("/svc/web"));
      assertThat(b.signs.get()).isEqualTo(6);
      assertThat(f.cache.stats().loadFailures()).isZero();
      assertThat(f.cache.leafStatus("web", CacheRequest.anonymous()).orElseThrow()
          .consecutiveFailures()).isZero();
    }
  }

  @Test
  void transientFailuresPastTheBudgetReachTheCallerWithTheLastFailure() throws Exception {
    try (Fixture f = open()) {
      SignFails b = backend.get();
      b.failNext(Integer.MAX_VALUE, CaUninitialized::new);
      CompletableFuture<Leaf> read = f.cache.leafAsync("web", CacheRequest.anonymous());
      f.scheduler.runDue();
      // Attempts at 0 s (four), 2, 6, 14 and 30 s; the next would be at 62 s, past 30 s.
      f.advance(ConnectCache.DEFAULT_FIRST_LOAD_BUDGET.minusMillis(1));
      assertThat(read).isNotDone();
      f.advance(Duration.ofMillis(1));
      assertThat(failure(read)).isInstanceOf(CaUninitialized.class)
          .hasMessageContaining("CA is uninitialized");
      assertThat(b.signs.get()).isEqualTo(8);
      assertThat(f.cache.stats().loadFailures()).isEqualTo(1);
      assertThat(f.cache.leafStatus("web", CacheRequest.anonymous())).isEmpty();
      f.advance(Duration.ofMinutes(2));
      assertThat(b.signs.get()).as("no retry after giving up").isEqualTo(8);
    }
  }

  @Test
  void permissionRefusedOnFirstLoadIsFinalAtOnce() throws Exception {
    try (Fixture f = open()) {
      backend.get().failNext(1, () -> new PermissionDeniedException(Permission.serviceWrite("web")));
      CompletableFuture<Leaf> read = f.cache.leafAsync("web", CacheRequest.anonymous());
      f.scheduler.runDue();
      assertThat(failure(read)).isInstanceOf(PermissionDeniedException.class);
      assertThat(backend.get().signs.get()).isEqualTo(1);
    }
  }

  @Test
  void failureThatIsNotTransientIsFinalAtOnce() throws Exception {
    try (Fixture f = open()) {
      // A 404 or a malformed body: ConnectException#isTransient() is false.
      backend.get().failNext(1, () -> new ConnectException("answered 404: Invalid URL path"));
      CompletableFuture<Leaf> read = f.cache.leafAsync("web", CacheRequest.anonymous());
      f.scheduler.runDue();
      assertThat(failure(read)).hasMessageContaining("404");
      assertThat(backend.get().signs.get()).isEqualTo(1);
    }
  }

  @Test
  void closingTheCacheBetweenRetriesFailsTheWaitingReader() throws Exception {
    try (Fixture f = open()) {
      backend.get().failNext(Integer.MAX_VALUE, CaUninitialized::new);
      CompletableFuture<Leaf> read = f.cache.leafAsync("web", CacheRequest.anonymous());
      f.scheduler.runDue();
      assertThat(read).isNotDone(); // the fifth attempt waits 2 s
      f.cache.close();
      assertThat(failure(read)).isInstanceOf(CaUninitialized.class);
    }
  }

  private static Throwable failure(CompletableFuture<?> f) throws Exception {
    assertThat(f).isCompletedExceptionally();
    try {
      f.get(1, TimeUnit.SECONDS);
      throw new AssertionError("completed normally");
    } catch (ExecutionException e) {
      return Entry.unwrap(e);
    }
  }

  /** What a new Consul leader answers until its CA is set up: a 500, transient. */
  static final class CaUninitialized extends ConnectException {
    private static final long serialVersionUID = 1L;

    CaUninitialized() {
      super("GET http://127.0.0.1:8500/v1/agent/connect/ca/leaf/web answered 500: CA is"
          + " uninitialized and unable to sign certificates yet: provider is nil");
    }

    @Override
    public boolean isTransient() {
      return true;
    }
  }

  /** The real server, whose next signings fail as programmed; counts the signings asked. */
  static final class SignFails implements CsrSigningBackend {
    final CsrSigningBackend delegate;
    final AtomicInteger signs = new AtomicInteger();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile Supplier<RuntimeException> failure;

    SignFails(CsrSigningBackend delegate) {
      this.delegate = delegate;
    }

    void failNext(int n, Supplier<RuntimeException> what) {
      failure = what;
      failuresLeft.set(n);
    }

    @Override
    public CompletableFuture<QueryResult<IssuedCertificate>> signLeaf(String csrPem,
        QueryOptions options) {
      signs.incrementAndGet();
      if (failuresLeft.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
        return CompletableFuture.failedFuture(failure.get());
      }
      return delegate.signLeaf(csrPem, options);
    }

    @Override
    public CompletableFuture<QueryResult<CaRoots>> roots(QueryOptions options) {
      return delegate.roots(options);
    }

    @Override
    public CompletableFuture<QueryResult<List<Intention>>> matchIntentions(String destination,
        QueryOptions options) {
      return delegate.matchIntentions(destination, options);
    }
  }
}
