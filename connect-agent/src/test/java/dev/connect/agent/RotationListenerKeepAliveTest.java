package dev.connect.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.cache.CacheRequest;
import dev.connect.cache.Leaf;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Regressions from a review: rotation listeners must keep hearing renewals of a leaf nothing
 * else reads (it was evicted after 72 hours of disuse, and renewals stopped), and must hear them
 * whoever loaded the cache entry (events were matched to handles by request object identity).
 */
class RotationListenerKeepAliveTest extends AgentTestBase {

  @Test
  void aListenedToLeafKeepsBeingRenewedWithoutReads() {
    ConnectService web = f.agent.service("web");
    List<Leaf> exported = new CopyOnWriteArrayList<>();
    web.onRotation(new RotationListener() {
      @Override
      public void leafChanged(ConnectService service, Leaf leaf) {
        exported.add(leaf);
      }
    });
    exported.add(web.leaf());
    for (int hour = 0; hour < 24 * 14; hour++) { // two weeks of 72-hour leaves, no reads
      f.scheduler.advance(Duration.ofHours(1));
      Leaf last = exported.get(exported.size() - 1);
      assertThat(last.validBefore()).as("the exported leaf at hour %d", hour + 1)
          .isAfter(f.time.instant());
    }
    assertThat(exported.size()).isGreaterThanOrEqualTo(5);
  }

  @Test
  void renewalsReachTheHandleWhoeverLoadedTheEntry() {
    // A readiness probe reads the cache directly, with its own request, before the handle.
    Leaf first = f.agent.cache().leaf("web",
        CacheRequest.builder().maxAge(Duration.ofMinutes(1)).build());
    ConnectService web = f.agent.service("web");
    List<Leaf> seen = new CopyOnWriteArrayList<>();
    web.onRotation(new RotationListener() {
      @Override
      public void leafChanged(ConnectService service, Leaf leaf) {
        seen.add(leaf);
      }
    });
    f.scheduler.advance(Duration.ofHours(70));
    assertThat(web.leaf().certificate().serialNumber())
        .isNotEqualTo(first.certificate().serialNumber());
    assertThat(seen).isNotEmpty().last().isSameAs(web.leaf());
  }

  @Test
  void closingTheLastRegistrationStopsTheKeepAlive() {
    ConnectService web = f.agent.service("web");
    web.leaf();
    int before = f.scheduler.pending();
    Registration r = web.onRotation(new RotationListener() {});
    assertThat(f.scheduler.pending()).isEqualTo(before + 1);
    r.close();
    assertThat(f.scheduler.pending()).isEqualTo(before);
  }
}
