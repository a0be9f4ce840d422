package dev.connect.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.ConnectException;
import dev.connect.core.QueryOptions;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: the cache keyed an entry by its datacenter (the cache's own when a request named
 * none) but sent no datacenter to the backend, so a backend in another datacenter answered for
 * its own under the key of this one. Every query now names the key's datacenter.
 */
class DatacenterNotSentTest {
  @TempDir
  Path dir;

  @Test
  void everyQueryNamesTheKeysDatacenter() throws Exception {
    AtomicReference<ProgrammableBackend> backend = new AtomicReference<>();
    try (Fixture f = Fixture.open(dir, false, s -> {
      backend.set(new ProgrammableBackend(s));
      return backend.get();
    }, new Random(5))) {
      CacheRequest req = CacheRequest.anonymous();
      f.cache.roots(req);
      f.cache.leaf("web", req);
      f.cache.intentionMatch("db", req);
      f.scheduler.runDue();
      assertThat(backend.get().allOptions).hasSizeGreaterThanOrEqualTo(4)
          .extracting(QueryOptions::datacenter).containsOnly(Optional.of("dc1"));
    }
  }

  @Test
  void cacheOfAnotherDatacenterDoesNotCacheThisOnesAnswer() throws Exception {
    try (Fixture f = Fixture.open(dir);
        ConnectCache cache = ConnectCache.builder(f.server).leafKeys(Fixture.KEYS)
            .scheduler(f.scheduler)
            .ticker(f.time).clock(f.time).datacenter("dc2").build()) {
      assertThatThrownBy(() -> cache.roots(CacheRequest.anonymous()))
          .isInstanceOf(ConnectException.class).hasMessageContaining("dc2");
      assertThat(cache.rootsStatus(CacheRequest.anonymous())).isEmpty();
    }
  }
}
