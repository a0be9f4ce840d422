package dev.connect.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.core.QueryOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: the refresh loop had no rate limit, so a backend answering a blocking query at once
 * with an unchanged index made it spin (10,001 roots calls at t=0 in the review probe); and an
 * index that went back was waited on as if it were current. The loop now follows Consul's client
 * rules: a token bucket of burst 2, one query a second, after unchanged answers, and a reset to a
 * non-blocking query when the index goes back.
 */
class BusyRefreshLoopTest {
  @TempDir
  Path dir;

  private final AtomicReference<ProgrammableBackend> backend = new AtomicReference<>();

  private Fixture open() throws Exception {
    return Fixture.open(dir, false, s -> {
      backend.set(new ProgrammableBackend(s));
      return backend.get();
    }, new Random(3));
  }

  @Test
  void backendAnsweringAtOnceIsAskedAtMostOnceASecond() throws Exception {
    try (Fixture f = open()) {
      ProgrammableBackend b = backend.get();
      b.rootsAnswerAtOnce = true;
      CacheRequest req = CacheRequest.anonymous();
      f.cache.roots(req);
      f.scheduler.runDue();
      assertThat(b.rootsCalls.get()).as("the load, the query after it, a burst of two")
          .isLessThanOrEqualTo(4);

      int before = b.rootsCalls.get();
      f.advance(Duration.ofSeconds(10));
      assertThat(b.rootsCalls.get() - before).isBetween(9, 11);
      EntryStatus status = f.cache.rootsStatus(req).orElseThrow();
      assertThat(status.age()).isZero();
      assertThat(status.consecutiveFailures()).isZero();
    }
  }

  @Test
  void indexThatGoesBackMakesTheNextQueryNonBlocking() throws Exception {
    try (Fixture f = open()) {
      ProgrammableBackend b = backend.get();
      CacheRequest req = CacheRequest.anonymous();
      f.cache.roots(req);
      f.scheduler.runDue();
      long index = f.cache.rootsStatus(req).orElseThrow().index();
      assertThat(b.rootsOptions.get(b.rootsOptions.size() - 1).minIndex()).isEqualTo(index);

      f.server.rotateRoot(Fixture.ROOT); // the outstanding query returns
      b.rootsIndex = 1L; // ... and from now on the backend was reset to index 1
      f.advance(Duration.ofMinutes(5)); // the next query times out with the lower index
      f.scheduler.runDue();
      assertThat(b.rootsOptions).extracting(QueryOptions::minIndex).as("the load and the reset")
          .filteredOn(i -> i == 0L).hasSize(2);
      assertThat(f.cache.rootsStatus(req).orElseThrow().index()).isEqualTo(1);
      QueryOptions last = b.rootsOptions.get(b.rootsOptions.size() - 1);
      assertThat(last.minIndex()).isEqualTo(1); // blocking again, at the new index
    }
  }
}
