package dev.connect.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.CaRoots;
import dev.connect.core.CsrSigningBackend;
import dev.connect.core.Intention;
import dev.connect.core.IssuedCertificate;
import dev.connect.core.QueryOptions;
import dev.connect.core.QueryResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public surface: requests, builder checks, close, status, statistics, threads. */
class ConnectCacheApiTest {
  private static final String SECRET = "5d2f8a7e-1111-4222-8333-444455556666";

  @TempDir
  Path dir;

  @Test
  void requestNeverShowsTheSecret() {
    CacheRequest req = CacheRequest.builder().token(SECRET).datacenter("dc1")
        .maxAge(Duration.ofSeconds(5)).build();
    assertThat(req.toString()).doesNotContain(SECRET).contains("sha256:").contains("PT5S");
    assertThat(req.datacenter()).contains("dc1");
    assertThat(req.maxAge()).contains(Duration.ofSeconds(5));
    assertThat(CacheRequest.anonymous().toString()).contains("token=none");
    assertThatThrownBy(() -> CacheRequest.withToken("")).isInstanceOf(
        IllegalArgumentException.class);
    assertThatThrownBy(() -> CacheRequest.builder().maxAge(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
  }

  @Test
  void builderRejectsBadDurations() throws Exception {
    try (Fixture f = Fixture.open(dir)) {
      assertThatThrownBy(() -> ConnectCache.builder(f.server).disuseTtl(Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class).hasMessage("disuseTtl must be positive: PT0S");
      assertThatThrownBy(() -> ConnectCache.builder(f.server).blockingWait(Duration.ofSeconds(-1)))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void closedCacheRefusesReads() throws Exception {
    try (Fixture f = Fixture.open(dir)) {
      ConnectCache cache = ConnectCache.builder(f.server).leafKeys(Fixture.KEYS)
          .scheduler(f.scheduler).ticker(f.time).clock(f.time).build();
      cache.roots(CacheRequest.anonymous());
      cache.close();
      cache.close();
      assertThatThrownBy(() -> cache.roots(CacheRequest.anonymous()))
          .isInstanceOf(IllegalStateException.class).hasMessage("the cache is closed");
      assertThat(cache.stats().entries()).containsEntry(CacheType.ROOTS, 0L);
    }
  }

  @Test
  void statusIsEmptyUntilLoadedAndStatsCountPerType() throws Exception {
    try (Fixture f = Fixture.open(dir)) {
      CacheRequest req = CacheRequest.anonymous();
      assertThat(f.cache.leafStatus("web", req)).isEmpty();
      f.cache.leaf("web", req);
      f.cache.leaf("web", req);
      f.cache.intentionMatch("web", req);
      f.cache.intentionMatch("db", req);
      CacheStats stats = f.cache.stats();
      assertThat(stats.entries()).containsEntry(CacheType.LEAF, 1L)
          .containsEntry(CacheType.ROOTS, 1L).containsEntry(CacheType.INTENTION_MATCH, 2L);
      assertThat(stats.loads()).isEqualTo(4); // the leaf loaded the roots of its partition
      assertThat(stats.hits()).isEqualTo(1);
      EntryStatus status = f.cache.leafStatus("web", req).orElseThrow();
      assertThat(status.type()).isEqualTo(CacheType.LEAF);
      assertThat(status.refreshing()).isTrue();
      assertThat(status.lastSuccessfulRefresh()).contains(f.time.instant());
      assertThat(f.cache.leaf("web", req).toString()).contains("private key>")
          .doesNotContain("BEGIN");
    }
  }

  @Test
  void asyncReadsAndDatacenterPartitions() throws Exception {
    try (Fixture f = Fixture.open(dir)) {
      CaRoots roots = f.cache.rootsAsync(CacheRequest.anonymous()).get(10, TimeUnit.SECONDS);
      assertThat(f.cache.rootsAsync(CacheRequest.anonymous()).getNow(null)).isSameAs(roots);
      CacheRequest dc2 = CacheRequest.builder().datacenter("dc2").build();
      assertThatThrownBy(() -> f.cache.roots(dc2)).hasMessageContaining("dc2");
      assertThat(f.cache.rootsStatus(dc2)).isEmpty();
      assertThat(f.cache.rootsStatus(CacheRequest.builder().datacenter("dc1").build()))
          .isPresent(); // the local datacenter, named or not, is one partition
    }
  }

  @Test
  void defaultSchedulerRunsOnNamedDaemonThreadsStoppedByClose() throws Exception {
    try (Fixture f = Fixture.open(dir)) {
      CompletableFuture<Thread> loopThread = new CompletableFuture<>();
      CsrSigningBackend spy = new CsrSigningBackend() {
        @Override
        public CompletableFuture<QueryResult<CaRoots>> roots(QueryOptions options) {
          if (options.isBlocking()) {
            loopThread.complete(Thread.currentThread());
            return new CompletableFuture<>(); // waits until cancelled
          }
          return f.server.roots(options);
        }

        @Override
        public CompletableFuture<QueryResult<IssuedCertificate>> signLeaf(String csrPem,
            QueryOptions options) {
          return f.server.signLeaf(csrPem, options);
        }

        @Override
        public CompletableFuture<QueryResult<List<Intention>>> matchIntentions(String d,
            QueryOptions options) {
          return f.server.matchIntentions(d, options);
        }
      };
      ConnectCache cache = ConnectCache.builder(spy).leafKeys(Fixture.KEYS).build();
      cache.roots(CacheRequest.anonymous());
      Thread t = loopThread.get(10, TimeUnit.SECONDS);
      assertThat(t.getName()).startsWith("connect-cache-");
      assertThat(t.isDaemon()).isTrue();
      cache.close();
      t.join(TimeUnit.SECONDS.toMillis(10)); // a hang guard: close() shut the scheduler down
      assertThat(t.isAlive()).isFalse();
    }
  }
}
