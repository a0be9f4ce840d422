package dev.connect.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: a leaf entry could end up with two renewal loops. {@code attempt()} cleared the
 * timer whichever step ran, and zero-delay steps went through {@code execute()}, which nothing
 * could cancel; a rotation during a renewal then left an orphaned step that started a second
 * loop, doubling the signing rate for good. Steps and attempts now carry sequence numbers.
 */
class TwoRenewalLoopsTest {
  @TempDir
  Path dir;

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
  void rotationDuringRenewalLeavesOneLoop(boolean renewalFails) throws Exception {
    AtomicReference<ProgrammableBackend> backend = new AtomicReference<>();
    try (Fixture f = Fixture.open(dir, false, s -> {
      backend.set(new ProgrammableBackend(s));
      return backend.get();
    }, new Random(5))) {
      CacheRequest req = CacheRequest.anonymous();
      f.cache.roots(req);
      Leaf first = f.cache.leaf("web", req);
      f.scheduler.runDue();
      Instant renewal = f.cache.leafStatus("web", req).orElseThrow().nextAttempt().orElseThrow();
      if (renewalFails) {
        // The rotation happens inside the renewal, which then fails: a retry and a re-issue
        // are both scheduled from one attempt.
        backend.get().duringNextSign = () -> f.server.rotateRoot(Fixture.ROOT);
        f.advance(Duration.between(f.time.instant(), renewal).plusSeconds(40));
      } else {
        f.advance(Duration.between(f.time.instant(), renewal));
        f.server.rotateRoot(Fixture.ROOT);
        f.advance(Duration.ofSeconds(40));
      }

      Leaf current = f.cache.leaf("web", req);
      Duration lifetime = Duration.between(current.validAfter(), current.validBefore());
      int before = backend.get().signCalls.get();
      for (int i = 0; i < 6 * lifetime.toHours(); i++) {
        f.advance(Duration.ofHours(1));
        f.cache.leaf("web", req);
      }
      // One loop renews between 60 % and 90 % of each lifetime: at most 10 in 6 lifetimes;
      // two loops would sign at least 13 times.
      assertThat(backend.get().signCalls.get() - before).isBetween(6, 10);
      assertThat(first).isNotNull();
    }
  }
}
