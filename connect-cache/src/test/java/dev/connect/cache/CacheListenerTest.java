package dev.connect.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.core.CaRoots;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Listeners hear about rotated roots and renewed leaves, not first loads, until removed. */
class CacheListenerTest {
  @TempDir
  Path dir;

  @Test
  void rotationDeliversNewRootsThenReissuedLeaves() throws Exception {
    try (Fixture f = Fixture.open(dir)) {
      CacheRequest req = CacheRequest.anonymous();
      List<String> heard = new CopyOnWriteArrayList<>();
      List<CaRoots> roots = new CopyOnWriteArrayList<>();
      List<Leaf> leaves = new CopyOnWriteArrayList<>();
      f.cache.addListener(new CacheListener() {
        @Override
        public void rootsChanged(CacheRequest request, CaRoots r) {
          assertThat(request).isSameAs(req);
          assertThat(f.cache.roots(req)).isSameAs(r); // installed before the callback
          heard.add("roots");
          roots.add(r);
        }

        @Override
        public void leafChanged(String service, CacheRequest request, Leaf leaf) {
          assertThat(f.cache.leaf(service, req)).isSameAs(leaf);
          heard.add("leaf:" + service);
          leaves.add(leaf);
        }
      });
      Leaf first = f.cache.leaf("web", req);
      f.scheduler.runDue();
      assertThat(heard).as("a first load is not a change").isEmpty();

      CaRoots rotated = f.server.rotateRoot(Fixture.ROOT);
      f.scheduler.runDue();
      assertThat(heard).containsExactly("roots");
      assertThat(roots.get(0).activeRootId()).isEqualTo(rotated.activeRootId());

      f.advance(Duration.ofSeconds(30)); // the re-issue jitter window
      assertThat(heard).containsExactly("roots", "leaf:web");
      assertThat(leaves.get(0)).isNotSameAs(first);
      assertThat(LeafEntry.signedBy(leaves.get(0).certificate().certificate(),
          rotated.active())).isTrue();
    }
  }

  @Test
  void aWrittenIntentionIsHeardOnceItDecides() throws Exception {
    try (Fixture f = Fixture.open(dir)) {
      CacheRequest req = CacheRequest.anonymous();
      List<dev.connect.core.Intentions> heard = new CopyOnWriteArrayList<>();
      f.cache.addListener(new CacheListener() {
        @Override
        public void intentionsChanged(String destination, CacheRequest request,
            dev.connect.core.Intentions intentions) {
          assertThat(destination).isEqualTo("db");
          assertThat(f.cache.intentionMatch("db", req)).isSameAs(intentions);
          heard.add(intentions);
        }
      });
      f.cache.intentionMatch("db", req);
      f.scheduler.runDue(); // the blocking query is waiting
      assertThat(heard).isEmpty();
      f.allow("web", "db");
      f.scheduler.runDue();
      assertThat(heard).singleElement().satisfies(i -> assertThat(i.size()).isEqualTo(1));
    }
  }

  @Test
  void aFailingListenerDoesNotStopOthersOrTheCacheAndClosingRemoves() throws Exception {
    try (Fixture f = Fixture.open(dir)) {
      CacheRequest req = CacheRequest.anonymous();
      List<String> heard = new CopyOnWriteArrayList<>();
      f.cache.addListener(new CacheListener() {
        @Override
        public void rootsChanged(CacheRequest request, CaRoots r) {
          throw new IllegalStateException("listener bug");
        }
      });
      CacheListener.Registration second = f.cache.addListener(new CacheListener() {
        @Override
        public void rootsChanged(CacheRequest request, CaRoots r) {
          heard.add(r.activeRootId());
        }
      });
      f.cache.roots(req);
      f.scheduler.runDue();
      CaRoots one = f.server.rotateRoot(Fixture.ROOT);
      f.scheduler.runDue();
      assertThat(heard).containsExactly(one.activeRootId());
      assertThat(f.cache.roots(req).activeRootId()).isEqualTo(one.activeRootId());

      second.close();
      second.close(); // idempotent
      CaRoots two = f.server.rotateRoot(Fixture.ROOT);
      f.advance(Duration.ofSeconds(1));
      assertThat(f.cache.roots(req).activeRootId()).isEqualTo(two.activeRootId());
      assertThat(heard).containsExactly(one.activeRootId());
    }
  }
}
