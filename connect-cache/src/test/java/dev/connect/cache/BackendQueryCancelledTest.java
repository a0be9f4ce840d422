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
 * Regression: eviction and close cancelled only futures derived from the backend's (a
 * {@code thenApply} for intention matches, a {@code thenCompose} for leaves), so the backend's
 * own blocking query or signing call kept running after its entry was gone.
 */
class BackendQueryCancelledTest {
  @TempDir
  Path dir;

  private final AtomicReference<ProgrammableBackend> backend = new AtomicReference<>();

  private Fixture open() throws Exception {
    return Fixture.open(dir, false, s -> {
      backend.set(new ProgrammableBackend(s));
      return backend.get();
    }, new Random(5));
  }

  @Test
  void closeCancelsTheIntentionMatchQuery() throws Exception {
    try (Fixture f = open()) {
      f.cache.intentionMatch("db", CacheRequest.anonymous());
      f.scheduler.runDue();
      CompletableFuture<?> query = last(backend.get().matchFutures);
      assertThat(query).isNotDone();
      f.cache.close();
      assertThat(query).isCancelled();
    }
  }

  @Test
  void evictionCancelsTheLeafSigningCall() throws Exception {
    try (Fixture f = open();
        ConnectCache cache = ConnectCache.builder(backend.get()).leafKeys(Fixture.KEYS)
            .scheduler(f.scheduler).ticker(f.time).clock(f.time).random(new Random(1))
            .disuseTtl(Duration.ofMinutes(2)).build()) {
      CacheRequest req = CacheRequest.anonymous();
      cache.roots(req);
      backend.get().signNeverAnswers = true;
      CompletableFuture<Leaf> load = cache.leafAsync("web", req);
      CompletableFuture<?> sign = last(backend.get().signFutures);
      assertThat(sign).isNotDone();
      f.advance(Duration.ofMinutes(3)); // evicted before the call's own deadline
      cache.cleanUp();
      assertThat(cache.leafStatus("web", req)).isEmpty();
      assertThat(sign).isCancelled();
      assertThat(load).isCompletedExceptionally();
    }
  }

  private static CompletableFuture<?> last(java.util.List<CompletableFuture<?>> futures) {
    return futures.get(futures.size() - 1);
  }
}
