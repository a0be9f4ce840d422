package dev.connect.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: backend futures had no deadline, so a blocking query the backend never answered
 * (a lost connection, a dead server) kept the entry looking healthy, age zero, for ever. A call
 * not answered within the blocking wait, plus a sixteenth, plus 15 s, now fails as a refresh.
 */
class HungBackendQueryTest {
  @TempDir
  Path dir;

  @Test
  void unansweredBlockingQueryFailsAfterItsDeadline() throws Exception {
    AtomicReference<ProgrammableBackend> backend = new AtomicReference<>();
    try (Fixture f = Fixture.open(dir, false, s -> {
      backend.set(new ProgrammableBackend(s));
      return backend.get();
    }, new Random(5))) {
      backend.get().matchNeverAnswers = true;
      CacheRequest req = CacheRequest.anonymous();
      f.cache.intentionMatch("db", req);
      f.scheduler.runDue();
      CompletableFuture<?> hung = backend.get().matchFutures.get(1);
      Duration deadline = Duration.ofMinutes(5).plus(Duration.ofMinutes(5).dividedBy(16))
          .plusSeconds(15);
      f.advance(deadline.minusSeconds(1));
      assertThat(f.cache.stats().refreshFailures()).isZero();
      assertThat(hung).isNotDone();

      backend.get().matchNeverAnswers = false;
      f.advance(Duration.ofSeconds(1));
      assertThat(f.cache.stats().refreshFailures()).isEqualTo(1);
      assertThat(hung).as("the abandoned query is cancelled").isCancelled();
      // The retry answers at once, and a new blocking query waits.
      EntryStatus status = f.cache.intentionMatchStatus("db", req).orElseThrow();
      assertThat(status.consecutiveFailures()).isZero();
      assertThat(status.refreshing()).isTrue();
      assertThat(backend.get().matchFutures.get(backend.get().matchFutures.size() - 1))
          .isNotDone();
    }
  }

  @Test
  void timeoutIsReportedAsTheLastError() throws Exception {
    AtomicReference<ProgrammableBackend> backend = new AtomicReference<>();
    try (Fixture f = Fixture.open(dir, false, s -> {
      backend.set(new ProgrammableBackend(s));
      return backend.get();
    }, new Random(5))) {
      backend.get().matchNeverAnswers = true;
      CacheRequest req = CacheRequest.anonymous();
      f.cache.intentionMatch("db", req);
      f.scheduler.runDue();
      f.advance(Duration.ofMinutes(6)); // past the deadline; the retry is a non-blocking query
      f.advance(Duration.ofMinutes(6)); // the next blocking query times out too
      assertThat(f.cache.stats().refreshFailures()).isEqualTo(2);
    }
  }
}
