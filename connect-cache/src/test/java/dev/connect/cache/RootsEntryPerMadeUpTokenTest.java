package dev.connect.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.AclNotFoundException;
import dev.connect.core.AclToken;
import dev.connect.core.CaRoots;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #11, item 7: every token a caller passed, known or not, got a roots entry with a live
 * blocking query (roots reads never look at the token), and a deleted token's roots query kept
 * running. Roots are now one entry per datacenter, fetched without a token.
 */
class RootsEntryPerMadeUpTokenTest {
  @TempDir
  Path dir;

  private final AtomicReference<ProgrammableBackend> backend = new AtomicReference<>();

  private Fixture open() throws Exception {
    return Fixture.open(dir, true, s -> {
      backend.set(new ProgrammableBackend(s));
      return backend.get();
    }, new Random(3));
  }

  @Test
  void madeUpTokensAddNoRootsEntryAndNoBackgroundQuery() throws Exception {
    try (Fixture f = open()) {
      CaRoots roots = f.cache.roots(CacheRequest.withToken(Fixture.ROOT_SECRET));
      f.scheduler.runDue();
      int pending = f.scheduler.pending();
      int calls = backend.get().rootsCalls.get();

      for (int i = 0; i < 1_000; i++) {
        CacheRequest madeUp = CacheRequest.withToken(UUID.randomUUID().toString());
        assertThat(f.cache.roots(madeUp).activeRootId()).isEqualTo(roots.activeRootId());
        assertThatThrownBy(() -> f.cache.intentionMatch("web", madeUp))
            .isInstanceOf(AclNotFoundException.class);
      }
      f.scheduler.runDue();

      assertThat(f.cache.stats().entries())
          .containsEntry(CacheType.ROOTS, 1L)
          .containsEntry(CacheType.INTENTION_MATCH, 0L)
          .containsEntry(CacheType.LEAF, 0L);
      assertThat(backend.get().rootsCalls.get()).isEqualTo(calls); // answered from memory
      assertThat(f.scheduler.pending()).isEqualTo(pending); // no query, deadline or retry added
    }
  }

  @Test
  void aDeletedTokensEntriesStopAndNoRootsQueryCarriesIt() throws Exception {
    try (Fixture f = open()) {
      f.server.createPolicy("web", "", "service \"web\" { policy = \"write\" }", Fixture.ROOT);
      AclToken token = f.server.createToken("web", List.of("web"), Fixture.ROOT);
      CacheRequest web = CacheRequest.withToken(token.revealSecretId());
      f.cache.roots(web);
      Leaf leaf = f.cache.leaf("web", web);
      f.scheduler.runDue();

      f.server.deleteToken(token.accessorId(), Fixture.ROOT);
      f.advance(Duration.between(f.time.instant(), leaf.certificate().validBefore())
          .multipliedBy(9).dividedBy(10)); // past the renewal, which the server refuses

      assertThat(f.cache.leafStatus("web", web)).isEmpty();
      assertThat(f.cache.rootsStatus(web)).get().extracting(EntryStatus::refreshing)
          .isEqualTo(true);
      // Roots are fetched without a token, so no token's deletion or lack of it matters to them.
      assertThat(backend.get().rootsOptions).isNotEmpty()
          .allSatisfy(o -> assertThat(o.tokenSecret()).isEmpty());
    }
  }
}
