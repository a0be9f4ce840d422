package dev.connect.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.core.CaRoots;
import dev.connect.core.Intentions;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cached roots and intention matches follow the server's index through blocking queries. */
class BackgroundRefreshTest {
  @TempDir
  Path dir;

  @Test
  void rootRotationReplacesCachedRoots() throws Exception {
    try (Fixture f = Fixture.open(dir)) {
      CacheRequest req = CacheRequest.anonymous();
      CaRoots before = f.cache.roots(req);
      long indexBefore = f.cache.rootsStatus(req).orElseThrow().index();
      f.scheduler.runDue(); // the loop issues its blocking query

      CaRoots rotated = f.server.rotateRoot(Fixture.ROOT);
      assertThat(f.cache.roots(req)).isSameAs(before); // not yet delivered
      f.scheduler.runDue();

      CaRoots after = f.cache.roots(req);
      assertThat(after.activeRootId()).isEqualTo(rotated.activeRootId())
          .isNotEqualTo(before.activeRootId());
      assertThat(f.cache.rootsStatus(req).orElseThrow().index()).isGreaterThan(indexBefore);
      CacheStats stats = f.cache.stats();
      assertThat(stats.loads()).isEqualTo(1);
      assertThat(stats.refreshSuccesses()).isEqualTo(1);
      assertThat(stats.hits()).isEqualTo(2);
    }
  }

  @Test
  void intentionWriteReplacesCachedMatch() throws Exception {
    try (Fixture f = Fixture.open(dir)) {
      CacheRequest req = CacheRequest.anonymous();
      assertThat(f.cache.intentionMatch("db", req).size()).isZero();
      f.scheduler.runDue();

      f.allow("web", "db");
      f.scheduler.runDue();
      Intentions one = f.cache.intentionMatch("db", req);
      assertThat(one.all()).extracting(i -> i.source().name()).containsExactly("web");

      f.deny("*", "db");
      f.allow("api", "other"); // another destination: same table, same answer for db
      f.scheduler.runDue();
      assertThat(f.cache.intentionMatch("db", req).all()).extracting(i -> i.source().name())
          .containsExactly("web", "*");
      assertThat(f.cache.stats().misses()).isEqualTo(1);
    }
  }

  @Test
  void blockingQueryTimeoutKeepsTheValueAndAgeZero() throws Exception {
    try (Fixture f = Fixture.open(dir)) {
      CacheRequest req = CacheRequest.anonymous();
      Intentions first = f.cache.intentionMatch("db", req);
      f.advance(Duration.ofMinutes(31)); // six blocking queries time out unchanged
      assertThat(f.cache.intentionMatch("db", req)).isSameAs(first);
      EntryStatus status = f.cache.intentionMatchStatus("db", req).orElseThrow();
      assertThat(status.age()).isZero();
      assertThat(status.refreshing()).isTrue();
      assertThat(status.lastSuccessfulRefresh()).contains(f.time.instant().minusSeconds(60));
      assertThat(f.cache.stats().refreshSuccesses()).isEqualTo(6);
    }
  }
}
