package dev.connect.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.AclNotFoundException;
import dev.connect.core.CaRoots;
import dev.connect.core.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failed refreshes back off as Consul's do, serve the last good value, and recover. */
class BackoffTest {
  /** Jitter of zero, so each delay is exactly Consul's base. */
  private static final RandomGenerator NO_JITTER = () -> 0L;

  @TempDir
  Path dir;

  private final AtomicReference<FlakyBackend> backend = new AtomicReference<>();

  private Fixture open(RandomGenerator random) throws Exception {
    return Fixture.open(dir, false, s -> {
      backend.set(new FlakyBackend(s));
      return backend.get();
    }, random);
  }

  @Test
  void backsOffExponentiallyWithCapServesLastGoodValueAndRecovers() throws Exception {
    try (Fixture f = open(NO_JITTER)) {
      FlakyBackend b = backend.get();
      CacheRequest req = CacheRequest.anonymous();
      CaRoots good = f.cache.roots(req);
      f.scheduler.runDue();
      b.failure = () -> new ConnectException("server unreachable");
      f.advance(Duration.ofMinutes(5)); // the blocking query times out; the next ones fail
      Instant firstFailure = f.time.instant();

      // Failures 1 to 3 retry at once; then 2, 4, 8, 16, 32, 60, 60 seconds.
      EntryStatus s = f.cache.rootsStatus(req).orElseThrow();
      assertThat(s.consecutiveFailures()).isEqualTo(4);
      assertThat(s.lastError()).get().extracting(Throwable::getMessage)
          .isEqualTo("server unreachable");
      long[] expected = {2, 4, 8, 16, 32, 60, 60};
      for (int i = 0; i < expected.length; i++) {
        s = f.cache.rootsStatus(req).orElseThrow();
        assertThat(s.nextAttempt()).contains(f.time.instant().plusSeconds(expected[i]));
        int calls = b.calls();
        f.advance(Duration.ofSeconds(expected[i]).minusMillis(1));
        assertThat(b.calls()).isEqualTo(calls);
        f.advance(Duration.ofMillis(1));
        assertThat(b.calls()).isEqualTo(calls + 1);
        assertThat(f.cache.roots(req)).isSameAs(good); // last good value still served
      }
      s = f.cache.rootsStatus(req).orElseThrow();
      assertThat(s.consecutiveFailures()).isEqualTo(11);
      assertThat(s.age()).isEqualTo(Duration.between(firstFailure, f.time.instant()));
      assertThat(s.lastSuccessfulRefresh()).contains(firstFailure);
      assertThat(f.cache.stats().refreshFailures()).isEqualTo(11);

      // A caller that needs a fresh value gets the failure, not the stale value.
      CacheRequest fresh = CacheRequest.builder().maxAge(Duration.ofSeconds(30)).build();
      assertThatThrownBy(() -> f.cache.roots(fresh)).isInstanceOf(ConnectException.class)
          .hasMessage("server unreachable");

      b.failure = null;
      f.advance(Duration.ofSeconds(60));
      s = f.cache.rootsStatus(req).orElseThrow();
      assertThat(s.consecutiveFailures()).isZero();
      assertThat(s.lastError()).isEmpty();
      assertThat(s.age()).isZero();
      assertThat(s.nextAttempt()).isEmpty();
      assertThat(b.last()).isNotDone(); // back to one blocking query
      assertThat(f.cache.roots(fresh)).isEqualTo(good);
    }
  }

  @Test
  void jitterAddsUpToTheBaseAgain() throws Exception {
    RandomGenerator max = new RandomGenerator() {
      @Override
      public long nextLong() {
        return -1L;
      }

      @Override
      public long nextLong(long bound) {
        return bound - 1;
      }
    };
    try (Fixture f = open(max)) {
      CacheRequest req = CacheRequest.anonymous();
      f.cache.roots(req);
      f.scheduler.runDue();
      backend.get().failure = () -> new ConnectException("down");
      f.advance(Duration.ofMinutes(5));
      EntryStatus s = f.cache.rootsStatus(req).orElseThrow();
      assertThat(s.nextAttempt()).contains(f.time.instant().plusSeconds(4).minusNanos(1));
    }
  }

  @Test
  void maxAgeRefetchesWhenTheLoopIsUnhealthy() throws Exception {
    try (Fixture f = open(NO_JITTER)) {
      CacheRequest req = CacheRequest.anonymous();
      f.cache.roots(req);
      f.scheduler.runDue();
      backend.get().failure = () -> new ConnectException("down");
      f.advance(Duration.ofMinutes(5));
      f.advance(Duration.ofSeconds(10));
      backend.get().failure = null;
      CacheRequest fresh = CacheRequest.builder().maxAge(Duration.ofSeconds(5)).build();
      int calls = backend.get().calls();
      f.cache.roots(fresh);
      assertThat(backend.get().calls()).isEqualTo(calls + 1);
      assertThat(f.cache.rootsStatus(req).orElseThrow().age()).isZero();
      assertThat(f.cache.stats().misses()).isEqualTo(2);
    }
  }

  @Test
  void aclNotFoundStopsTheLoopAndDropsTheEntry() throws Exception {
    try (Fixture f = open(NO_JITTER)) {
      CacheRequest req = CacheRequest.anonymous();
      f.cache.intentionMatch("db", req);
      f.scheduler.runDue();
      backend.get().failure = AclNotFoundException::new;
      f.advance(Duration.ofMinutes(5));
      assertThat(f.cache.intentionMatchStatus("db", req)).isEmpty();
      int calls = backend.get().calls();
      f.advance(Duration.ofHours(1));
      assertThat(backend.get().calls()).isEqualTo(calls);
      assertThatThrownBy(() -> f.cache.intentionMatch("db", req))
          .isInstanceOf(AclNotFoundException.class);
      assertThat(f.cache.stats().loadFailures()).isEqualTo(1);
    }
  }
}
