package dev.connect.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.core.CaRoots;
import dev.connect.core.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: a forced fetch (a read with a maximum age the cached value did not meet) wrote its
 * answer over the value whatever its index, so a slow answer rolled back a newer one the loop had
 * delivered meanwhile; and its success left the failure count, the last error and the health of
 * the entry as they were.
 */
class RefreshNowRollbackTest {
  @TempDir
  Path dir;

  private final AtomicReference<FlakyBackend> flaky = new AtomicReference<>();
  private final AtomicReference<ProgrammableBackend> backend = new AtomicReference<>();

  private Fixture open() throws Exception {
    return Fixture.open(dir, false, s -> {
      backend.set(new ProgrammableBackend(s));
      flaky.set(new FlakyBackend(backend.get()));
      return flaky.get();
    }, () -> 0L);
  }

  @Test
  void slowForcedAnswerDoesNotRollBackTheValue() throws Exception {
    try (Fixture f = open()) {
      CacheRequest req = CacheRequest.anonymous();
      f.cache.roots(req);
      f.scheduler.runDue();
      flaky.get().failure = () -> new ConnectException("down");
      f.advance(Duration.ofMinutes(5)); // the loop fails and backs off
      f.advance(Duration.ofSeconds(3));
      flaky.get().failure = null;
      backend.get().holdRoots = true; // the forced fetch is answered late
      CacheRequest fresh = CacheRequest.builder().maxAge(Duration.ofSeconds(1)).build();
      CompletableFuture<CaRoots> forced = f.cache.rootsAsync(fresh);
      assertThat(forced).isNotDone();

      CaRoots rotated = f.server.rotateRoot(Fixture.ROOT);
      f.advance(Duration.ofSeconds(10)); // the loop's retry delivers the rotated roots
      assertThat(f.cache.roots(req).activeRootId()).isEqualTo(rotated.activeRootId());

      backend.get().release(); // the forced fetch answers with the roots before the rotation
      assertThat(forced.join().activeRootId()).isEqualTo(rotated.activeRootId());
      assertThat(f.cache.roots(req).activeRootId()).isEqualTo(rotated.activeRootId());
    }
  }

  @Test
  void forcedSuccessClearsTheFailureState() throws Exception {
    try (Fixture f = open()) {
      CacheRequest req = CacheRequest.anonymous();
      f.cache.roots(req);
      f.scheduler.runDue();
      flaky.get().failure = () -> new ConnectException("down");
      f.advance(Duration.ofMinutes(5));
      f.advance(Duration.ofSeconds(3));
      assertThat(f.cache.rootsStatus(req).orElseThrow().consecutiveFailures()).isPositive();
      flaky.get().failure = null;

      f.cache.roots(CacheRequest.builder().maxAge(Duration.ofSeconds(1)).build());
      EntryStatus status = f.cache.rootsStatus(req).orElseThrow();
      assertThat(status.consecutiveFailures()).isZero();
      assertThat(status.lastError()).isEmpty();
      assertThat(status.age()).isZero();
    }
  }
}
