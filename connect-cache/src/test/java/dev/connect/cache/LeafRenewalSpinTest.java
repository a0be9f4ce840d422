package dev.connect.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.server.EmbeddedServer;
import dev.connect.testkit.FakeScheduler;
import dev.connect.testkit.FakeTime;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: leaf renewals were thrown away when the CA answered with the index of the leaf
 * already cached (values were compared by index, not serial); a certificate issued already past
 * its 90 % point was renewed at once, again and again, with no floor; and a hit could serve a
 * leaf past its validBefore.
 */
class LeafRenewalSpinTest {
  @TempDir
  Path dir;

  @Test
  void renewalWithTheSameIndexStillReplacesTheLeaf() throws Exception {
    AtomicReference<ProgrammableBackend> backend = new AtomicReference<>();
    try (Fixture f = Fixture.open(dir, false, s -> {
      backend.set(new ProgrammableBackend(s));
      return backend.get();
    }, new Random(5))) {
      backend.get().signIndex = 7L;
      CacheRequest req = CacheRequest.anonymous();
      Leaf first = f.cache.leaf("web", req);
      Instant renewal = f.cache.leafStatus("web", req).orElseThrow().nextAttempt().orElseThrow();
      f.advance(Duration.between(f.time.instant(), renewal));
      Leaf second = f.cache.leaf("web", req);
      assertThat(second.certificate().serialNumber())
          .isNotEqualTo(first.certificate().serialNumber());
      assertThat(LeafRenewalTest.keyMatches(second)).isTrue();
      assertThat(backend.get().signCalls.get()).isEqualTo(2);
      Instant next = f.cache.leafStatus("web", req).orElseThrow().nextAttempt().orElseThrow();
      assertThat(next).isAfter(second.validAfter().plus(
          Duration.between(second.validAfter(), second.validBefore()).multipliedBy(6).dividedBy(10)
              .minusSeconds(1)));
    }
  }

  @Test
  void certificateIssuedPastItsHardPointIsRenewedWithAGrowingFloor() throws Exception {
    FakeTime time = FakeTime.at(Instant.parse("2030-01-01T00:00:00Z"));
    FakeScheduler scheduler = FakeScheduler.on(time);
    // The CA's clock lags 70 hours: each 72-hour leaf it issues is past 90 % on arrival.
    Clock lagging = Clock.offset(time, Duration.ofHours(-70));
    try (EmbeddedServer server = EmbeddedServer.builder().dataDirectory(dir).clock(lagging)
            .scheduler(scheduler).open();
        ConnectCache cache = ConnectCache.builder(new ProgrammableBackend(server))
            .leafKeys(Fixture.KEYS).scheduler(scheduler).ticker(time).clock(time)
            .random(new Random(1)).build()) {
      ProgrammableBackend backend = (ProgrammableBackend) cache.backend;
      CacheRequest req = CacheRequest.anonymous();
      Leaf first = cache.leaf("web", req);
      assertThat(Duration.between(first.validAfter(), time.instant()))
          .isGreaterThan(Duration.ofHours(65));
      int signs = signCalls(backend);
      scheduler.runDue();
      assertThat(signCalls(backend)).as("no renewal at once").isEqualTo(signs);

      scheduler.advance(Duration.ofSeconds(60));
      // Floors of 1, 2, 4, 8, 16 and 32 s: five renewals within the minute, not thousands.
      assertThat(signCalls(backend) - signs).isBetween(4, 6);
      assertThat(cache.leaf("web", req).validBefore()).isAfter(time.instant());
      scheduler.shutdownNow();
    }
  }

  @Test
  void hitNeverServesALeafPastValidBefore() throws Exception {
    try (Fixture f = Fixture.open(dir);
        ConnectCache cache = ConnectCache.builder(f.server).leafKeys(Fixture.KEYS)
            .scheduler(f.scheduler).ticker(f.time).clock(f.time).random(new Random(4))
            .disuseTtl(Duration.ofDays(30)).build()) {
      CacheRequest req = CacheRequest.anonymous();
      Leaf first = cache.leaf("web", req);
      // Time passes without the loop running (a stalled scheduler, a suspended VM).
      f.time.advance(Duration.between(f.time.instant(), first.validBefore()).plusSeconds(1));
      Leaf read = cache.leaf("web", req);
      assertThat(read).isNotSameAs(first);
      assertThat(read.validBefore()).isAfter(f.time.instant());
    }
  }

  private static int signCalls(ProgrammableBackend backend) {
    return backend.signCalls.get();
  }
}
