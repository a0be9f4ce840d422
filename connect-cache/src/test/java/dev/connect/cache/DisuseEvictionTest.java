package dev.connect.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An entry not read for the disuse TTL is evicted, and its background query stops. */
class DisuseEvictionTest {
  @TempDir
  Path dir;

  @Test
  void evictedAfterTtlOfDisuseAndNotBefore() throws Exception {
    AtomicReference<FlakyBackend> backend = new AtomicReference<>();
    try (Fixture f = Fixture.open(dir, false, s -> {
      backend.set(new FlakyBackend(s));
      return backend.get();
    }, new Random(2))) {
      CacheRequest req = CacheRequest.anonymous();
      f.cache.intentionMatch("db", req);
      // Off the 5-minute grid of blocking queries, so that one waits when the entry is evicted
      // (on the grid it would have returned already, and this test once passed by that chance).
      f.advance(Duration.ofHours(71).plusMinutes(1));
      f.cache.intentionMatch("db", req); // a read resets the TTL
      f.advance(Duration.ofHours(71).plusMinutes(59));
      assertThat(f.cache.intentionMatchStatus("db", req)).isPresent();
      assertThat(f.cache.stats().evictions()).isZero();
      CompletableFuture<?> waiting = backend.get().last();
      assertThat(waiting).isNotDone(); // a blocking query waits

      f.advance(Duration.ofMinutes(2));
      assertThat(f.cache.intentionMatchStatus("db", req)).isEmpty();
      assertThat(f.cache.stats().evictions()).isEqualTo(1);
      assertThat(f.cache.stats().entries()).containsEntry(CacheType.INTENTION_MATCH, 0L);
      assertThat(waiting).as("the backend's own query is cancelled").isCancelled();
      assertThat(backend.get().futures).as("no query outstanding").allMatch(q -> q.isDone());

      int calls = backend.get().calls();
      f.advance(Duration.ofHours(1));
      f.allow("web", "db");
      f.advance(Duration.ofHours(1));
      assertThat(backend.get().calls()).as("no query after eviction").isEqualTo(calls);

      // A read after eviction is a miss that loads again, and sees the new intention.
      assertThat(f.cache.intentionMatch("db", req).size()).isEqualTo(1);
      assertThat(f.cache.stats().loads()).isEqualTo(2);
    }
  }

  @Test
  void customTtl() throws Exception {
    try (Fixture f = Fixture.open(dir)) {
      try (ConnectCache cache = ConnectCache.builder(f.server).leafKeys(Fixture.KEYS)
          .scheduler(f.scheduler)
          .ticker(f.time).clock(f.time).disuseTtl(Duration.ofMinutes(10)).build()) {
        cache.roots(CacheRequest.anonymous());
        f.advance(Duration.ofMinutes(9));
        assertThat(cache.rootsStatus(CacheRequest.anonymous())).isPresent();
        f.advance(Duration.ofMinutes(2));
        assertThat(cache.rootsStatus(CacheRequest.anonymous())).isEmpty();
        assertThat(cache.stats().evictions()).isEqualTo(1);
      }
    }
  }
}
