package dev.connect.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.core.CaRoots;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: a reader of leaves only never read the roots entry again after the first leaf, so
 * it was evicted after the time of disuse, and with it went re-issue on rotation: the leaf kept
 * its old-root certificate until its ordinary renewal. The roots of a partition are now loaded
 * again while a leaf there lives, and a first load of roots checks the leaves.
 */
class RootsEvictedUnderLeafTest {
  @TempDir
  Path dir;

  @Test
  void leafOnlyReaderIsReissuedAfterRotation() throws Exception {
    try (Fixture f = Fixture.open(dir);
        ConnectCache cache = ConnectCache.builder(f.server).leafKeys(Fixture.KEYS)
            .scheduler(f.scheduler).ticker(f.time).clock(f.time).random(new Random(1))
            .disuseTtl(Duration.ofMinutes(30)).build()) {
      CacheRequest req = CacheRequest.anonymous();
      Leaf first = cache.leaf("web", req);
      for (int i = 0; i < 6; i++) {
        f.advance(Duration.ofMinutes(10));
        cache.leaf("web", req);
      }
      assertThat(cache.rootsStatus(req)).isPresent();

      CaRoots rotated = f.server.rotateRoot(Fixture.ROOT);
      f.advance(Duration.ofSeconds(31));
      Leaf now = cache.leaf("web", req);
      assertThat(now).isNotSameAs(first);
      assertThat(LeafEntry.signedBy(now.certificate().certificate(), rotated.active())).isTrue();
    }
  }
}
