package dev.connect.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.AclToken;
import dev.connect.core.ConnectException;
import dev.connect.core.IntentionAction;
import dev.connect.core.Intentions;
import dev.connect.core.PermissionDeniedException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue #11, item 2: a token whose policy was removed (the token itself kept) had every refresh
 * refused, yet the cache kept answering from the old intention match and the old leaf, so a deny
 * written afterwards was never enforced. A refusal of permission is now final for the entry, as
 * a deleted token already was; transient failures still keep the last value.
 */
class PermissionRemovedFromTokenTest {
  @TempDir
  Path dir;

  private final AtomicReference<FlakyBackend> backend = new AtomicReference<>();

  private Fixture open() throws Exception {
    return Fixture.open(dir, true, s -> {
      backend.set(new FlakyBackend(s));
      return backend.get();
    }, new Random(7));
  }

  private static AclToken dbToken(Fixture f) {
    f.server.createPolicy("db", "",
        "service \"db\" {\n policy = \"write\"\n intentions = \"read\"\n}", Fixture.ROOT);
    return f.server.createToken("db service", List.of("db"), Fixture.ROOT);
  }

  private static void removePolicies(Fixture f, AclToken token) {
    f.server.updateToken(token.accessorId(), "db service", List.of(), Fixture.ROOT);
  }

  @Test
  void aDenyWrittenAfterThePolicyWasRemovedIsNotAnsweredWithTheStaleAllow() throws Exception {
    try (Fixture f = open()) {
      AclToken token = dbToken(f);
      CacheRequest db = CacheRequest.withToken(token.revealSecretId());
      f.allow("web", "db");
      assertThat(f.cache.intentionMatch("db", db).all()).singleElement()
          .satisfies(i -> assertThat(i.action()).isEqualTo(IntentionAction.ALLOW));
      f.scheduler.runDue(); // the blocking query on the intentions waits

      removePolicies(f, token);
      f.deny("web", "db"); // wakes the blocking query, which the server now refuses
      f.scheduler.runDue();
      f.advance(Duration.ofMinutes(10)); // whatever a retry would do, it has done by now

      assertThat(f.cache.intentionMatchStatus("db", db)).isEmpty();
      int calls = backend.get().calls();
      assertThatThrownBy(() -> f.cache.intentionMatch("db", db))
          .isInstanceOf(PermissionDeniedException.class)
          .hasMessageContaining("lacks permission 'intention:read'")
          .hasMessageContaining(token.accessorId());
      assertThat(backend.get().calls()).isEqualTo(calls + 1); // asked again, not served stale
      assertThat(f.cache.intentionMatchStatus("db", db)).isEmpty(); // and nothing cached
      assertThat(f.cache.stats().entries().get(CacheType.INTENTION_MATCH)).isZero();
    }
  }

  @Test
  void aLeafWhoseRenewalIsRefusedIsDroppedInsteadOfServedUntilItExpires() throws Exception {
    try (Fixture f = open()) {
      AclToken token = dbToken(f);
      CacheRequest db = CacheRequest.withToken(token.revealSecretId());
      Leaf leaf = f.cache.leaf("db", db);
      removePolicies(f, token);

      // Past 90 % of the lifetime the renewal has been tried, and refused.
      Duration lifetime = Duration.between(leaf.certificate().validAfter(),
          leaf.certificate().validBefore());
      f.advance(lifetime.multipliedBy(91).dividedBy(100));
      assertThat(f.time.instant()).isBefore(leaf.certificate().validBefore());

      assertThat(f.cache.leafStatus("db", db)).isEmpty();
      assertThatThrownBy(() -> f.cache.leaf("db", db))
          .isInstanceOf(PermissionDeniedException.class)
          .hasMessageContaining("lacks permission 'service:write' on \"db\"");
    }
  }

  static Stream<Arguments> transientFailures() {
    return Stream.of(
        Arguments.of("I/O", (Supplier<RuntimeException>) () ->
            new UncheckedIOException(new java.io.IOException("connection reset"))),
        Arguments.of("timeout", (Supplier<RuntimeException>) () ->
            new ConnectException("no answer", new TimeoutException())),
        Arguments.of("5xx", (Supplier<RuntimeException>) () ->
            new ConnectException("HTTP 500: rpc error: leadership lost")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transientFailures")
  void transientFailuresStillServeTheLastValue(String kind, Supplier<RuntimeException> failure)
      throws Exception {
    try (Fixture f = open()) {
      AclToken token = dbToken(f);
      CacheRequest db = CacheRequest.withToken(token.revealSecretId());
      f.allow("web", "db");
      Intentions before = f.cache.intentionMatch("db", db);
      f.scheduler.runDue();

      backend.get().failure = failure;
      f.advance(Duration.ofMinutes(6)); // the waiting query ends unchanged; the next ones fail
      f.deny("api", "db"); // a change the cache cannot fetch while the failures last
      f.advance(Duration.ofMinutes(4));

      EntryStatus s = f.cache.intentionMatchStatus("db", db).orElseThrow();
      assertThat(s.consecutiveFailures()).isGreaterThan(3);
      assertThat(s.refreshing()).isTrue();
      assertThat(f.cache.intentionMatch("db", db)).isSameAs(before);

      backend.get().failure = null;
      f.advance(Duration.ofMinutes(2)); // the next retry succeeds
      assertThat(f.cache.intentionMatch("db", db).all()).hasSize(2);
    }
  }
}
