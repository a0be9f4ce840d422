package dev.connect.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.core.CaRoots;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: a root rotation seen while a leaf renewal (or a leaf's first load) was in flight
 * lost the re-issue: the answer, signed by the old root, arrived after the rotation and its
 * renewal schedule replaced the re-issue. Each leaf that arrives is now compared with the cached
 * active root and re-issued within the jitter window if the root does not sign it.
 */
class ReissueLostDuringRenewalTest {
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
  void renewalInFlightDuringRotationIsReissued() throws Exception {
    try (Fixture f = open()) {
      CacheRequest req = CacheRequest.anonymous();
      Leaf first = f.cache.leaf("web", req);
      f.scheduler.runDue();
      Duration toRenewal = Duration.between(f.time.instant(),
          f.cache.leafStatus("web", req).orElseThrow().nextAttempt().orElseThrow());
      backend.get().holdSign = true;
      f.advance(toRenewal); // the renewal is signed by the old root; its answer is held
      CaRoots rotated = f.server.rotateRoot(Fixture.ROOT);
      f.scheduler.runDue(); // the roots query returns; a re-issue is scheduled
      backend.get().holdSign = false;
      backend.get().release(); // the old-root renewal arrives after the rotation

      f.advance(Duration.ofSeconds(30));
      Leaf now = f.cache.leaf("web", req);
      assertThat(now).isNotSameAs(first);
      assertThat(LeafEntry.signedBy(now.certificate().certificate(), rotated.active())).isTrue();
    }
  }

  @Test
  void firstLoadInFlightDuringRotationIsReissued() throws Exception {
    try (Fixture f = open()) {
      CacheRequest req = CacheRequest.anonymous();
      f.cache.roots(req);
      f.scheduler.runDue();
      backend.get().holdSign = true;
      CompletableFuture<Leaf> load = f.cache.leafAsync("web", req);
      CaRoots rotated = f.server.rotateRoot(Fixture.ROOT);
      f.scheduler.runDue();
      backend.get().holdSign = false;
      backend.get().release();
      Leaf first = load.join();
      assertThat(LeafEntry.signedBy(first.certificate().certificate(), rotated.active()))
          .isFalse();

      f.advance(Duration.ofSeconds(30));
      Leaf now = f.cache.leaf("web", req);
      assertThat(LeafEntry.signedBy(now.certificate().certificate(), rotated.active())).isTrue();
    }
  }
}
