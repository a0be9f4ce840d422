package dev.connect.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: the number of entries had no bound, so a caller reading many destinations or
 * tokens grew the cache (and its background queries) without limit until the disuse TTL. A
 * {@code maximumSize} (100,000 by default) now evicts the least recently read.
 */
class UnboundedEntriesTest {
  @TempDir
  Path dir;

  @Test
  void entriesPastTheMaximumSizeAreEvicted() throws Exception {
    try (Fixture f = Fixture.open(dir);
        ConnectCache cache = ConnectCache.builder(f.server).leafKeys(Fixture.KEYS)
            .scheduler(f.scheduler)
            .ticker(f.time).clock(f.time).maximumSize(2).build()) {
      CacheRequest req = CacheRequest.anonymous();
      cache.intentionMatch("a", req);
      cache.intentionMatch("b", req);
      cache.intentionMatch("c", req);
      cache.cleanUp();
      Map<CacheType, Long> entries = cache.stats().entries();
      assertThat(entries.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(2);
      assertThat(cache.stats().evictions()).isEqualTo(1);
    }
  }

  @Test
  void maximumSizeMustBePositive() {
    assertThatThrownBy(() -> ConnectCache.builder(new FlakyBackend(null)).maximumSize(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maximumSize must be positive: 0");
    assertThat(ConnectCache.DEFAULT_MAXIMUM_SIZE).isEqualTo(100_000);
  }
}
