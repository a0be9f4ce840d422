package dev.connect.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.CaRoots;
import dev.connect.core.ConnectException;
import java.nio.file.Path;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Leaves are renewed inside Consul's window and re-issued after a root rotation. */
class LeafRenewalTest {
  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void renewedAtARandomInstantBetweenSixtyAndNinetyPercentOfTheLifetime(long seed)
      throws Exception {
    try (Fixture f = Fixture.open(dir, false, s -> s, new Random(seed))) {
      CacheRequest req = CacheRequest.anonymous();
      Leaf first = f.cache.leaf("web", req);
      assertThat(keyMatches(first)).isTrue();
      Instant validAfter = first.validAfter();
      long lifetime = Duration.between(validAfter, first.validBefore()).toMillis();
      Instant soft = validAfter.plusMillis(lifetime * 6 / 10);
      Instant hard = validAfter.plusMillis(lifetime * 9 / 10);

      Instant renewal = f.cache.leafStatus("web", req).orElseThrow().nextAttempt().orElseThrow();
      assertThat(renewal).isBetween(soft, hard);

      f.advance(Duration.between(f.time.instant(), renewal).minusMillis(1));
      assertThat(f.cache.leaf("web", req)).isSameAs(first);
      f.advance(Duration.ofMillis(1));
      Leaf second = f.cache.leaf("web", req);
      assertThat(second.certificate().serialNumber())
          .isNotEqualTo(first.certificate().serialNumber());
      assertThat(keyMatches(second)).isTrue();
      EntryStatus status = f.cache.leafStatus("web", req).orElseThrow();
      assertThat(status.lastSuccessfulRefresh()).contains(renewal);
      assertThat(status.nextAttempt().orElseThrow()).isAfter(renewal);
      assertThat(f.cache.stats().refreshSuccesses()).isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void reissuedWithinTheJitterWindowAfterRootRotation() throws Exception {
    try (Fixture f = Fixture.open(dir)) {
      CacheRequest req = CacheRequest.anonymous();
      Leaf web = f.cache.leaf("web", req);
      Leaf db = f.cache.leaf("db", req);
      f.scheduler.runDue();

      CaRoots rotated = f.server.rotateRoot(Fixture.ROOT);
      f.scheduler.runDue(); // the roots query returns; leaves are scheduled for re-issue
      Instant rotatedAt = f.time.instant();
      Instant webNext = f.cache.leafStatus("web", req).orElseThrow().nextAttempt().orElseThrow();
      Instant dbNext = f.cache.leafStatus("db", req).orElseThrow().nextAttempt().orElseThrow();
      assertThat(webNext).isBetween(rotatedAt, rotatedAt.plusSeconds(30)).isNotEqualTo(dbNext);
      assertThat(dbNext).isBetween(rotatedAt, rotatedAt.plusSeconds(30));
      assertThat(f.cache.leaf("web", req)).isSameAs(web); // the old leaf serves until then

      f.advance(Duration.ofSeconds(30));
      for (String service : new String[] {"web", "db"}) {
        Leaf now = f.cache.leaf(service, req);
        assertThat(now).isNotSameAs(service.equals("web") ? web : db);
        assertThat(LeafEntry.signedBy(now.certificate().certificate(), rotated.active())).isTrue();
        assertThat(now.chain()).hasSize(2); // the new root cross-signed by the old one
        assertThat(keyMatches(now)).isTrue();
      }
      assertThat(LeafEntry.signedBy(web.certificate().certificate(), rotated.active())).isFalse();
    }
  }

  @Test
  void renewalFailureRetriesWithBackoffWhileTheOldLeafServes() throws Exception {
    AtomicReference<FlakyBackend> backend = new AtomicReference<>();
    try (Fixture f = Fixture.open(dir, false, s -> {
      backend.set(new FlakyBackend(s));
      return backend.get();
    }, new Random(7))) {
      CacheRequest req = CacheRequest.anonymous();
      Leaf first = f.cache.leaf("web", req);
      Instant renewal = f.cache.leafStatus("web", req).orElseThrow().nextAttempt().orElseThrow();
      f.advance(Duration.between(f.time.instant(), renewal).minusSeconds(1));
      f.cache.leaf("web", req);
      backend.get().failure = () -> new ConnectException("Rate limit reached, try again later");
      f.advance(Duration.ofMinutes(2));
      assertThat(f.cache.leaf("web", req)).isSameAs(first);
      EntryStatus status = f.cache.leafStatus("web", req).orElseThrow();
      assertThat(status.consecutiveFailures()).isGreaterThan(3);
      assertThat(status.lastError()).get().extracting(Throwable::getMessage)
          .isEqualTo("Rate limit reached, try again later");
      assertThat(status.nextAttempt()).isPresent();
      assertThat(status.age()).isPositive();

      backend.get().failure = null;
      f.advance(Duration.ofMinutes(2));
      Leaf renewed = f.cache.leaf("web", req);
      assertThat(renewed).isNotSameAs(first);
      status = f.cache.leafStatus("web", req).orElseThrow();
      assertThat(status.consecutiveFailures()).isZero();
      assertThat(status.lastError()).isEmpty();
      assertThat(status.age()).isZero();
    }
  }

  @Test
  void expiredLeafIsDroppedWhenRenewalKeepsFailing() throws Exception {
    AtomicReference<FlakyBackend> backend = new AtomicReference<>();
    try (Fixture f = Fixture.open(dir, false, s -> {
      backend.set(new FlakyBackend(s));
      return backend.get();
    }, new Random(8))) {
      CacheRequest req = CacheRequest.anonymous();
      Leaf first = f.cache.leaf("web", req);
      backend.get().failure = () -> new ConnectException("server unreachable");
      f.advance(Duration.between(f.time.instant(), first.validBefore()).minusMinutes(5));
      assertThat(f.cache.leaf("web", req)).isSameAs(first); // still valid: still served
      f.advance(Duration.ofMinutes(10));
      assertThat(f.cache.leafStatus("web", req)).isEmpty();
      assertThatThrownBy(() -> f.cache.leaf("web", req)).hasMessage("server unreachable");
    }
  }

  static boolean keyMatches(Leaf leaf) throws Exception {
    byte[] data = {1, 2, 3};
    Signature sign = Signature.getInstance("SHA256withECDSA");
    sign.initSign(leaf.privateKey());
    sign.update(data);
    byte[] sig = sign.sign();
    Signature verify = Signature.getInstance("SHA256withECDSA");
    verify.initVerify(leaf.certificate().certificate().getPublicKey());
    verify.update(data);
    return verify.verify(sig);
  }
}
