package dev.connect.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.core.CaRoots;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, item 3: a leaf signed after a rotation kept presenting the new root cross-signed by
 * the old one after it expired. The entry now re-chains the leaf it holds an hour before the
 * cross-signed root ends: same certificate and key, no intermediate, and no new signature, so
 * the leaves of a whole fleet do not all ask the CA at that moment.
 */
class CrossSignedRootRechainedTest {
  @TempDir
  Path dir;

  @Test
  void leafDropsTheCrossSignedRootBeforeItEndsWithoutANewSignature() throws Exception {
    ProgrammableBackend[] backend = new ProgrammableBackend[1];
    try (Fixture f = Fixture.open(dir, false,
        s -> backend[0] = new ProgrammableBackend(s), new Random(1))) {
      CacheRequest req = CacheRequest.anonymous();
      f.cache.leaf("web", req);
      f.server.rotateRoot(Fixture.ROOT);
      f.advance(Duration.ofSeconds(31));
      Leaf reissued = f.cache.leaf("web", req);
      assertThat(reissued.chain()).as("leaf and cross-signed root").hasSize(2);

      Instant chainEnd = CaRoots.presentableUntil(reissued.certificate().intermediates())
          .orElseThrow();
      f.advance(Duration.between(f.time.instant(), chainEnd.minusSeconds(60)));
      Leaf before = f.cache.leaf("web", req);
      assertThat(before.chain()).hasSize(2);
      int signatures = backend[0].signCalls.get();

      f.advance(Duration.ofSeconds(120));

      Leaf after = f.cache.leaf("web", req);
      assertThat(after.certificate().serialNumber())
          .isEqualTo(before.certificate().serialNumber());
      assertThat(after.privateKey()).isSameAs(before.privateKey());
      assertThat(after.chain()).containsExactly(before.certificate().certificate());
      assertThat(backend[0].signCalls.get()).as("signatures").isEqualTo(signatures);
    }
  }
}
