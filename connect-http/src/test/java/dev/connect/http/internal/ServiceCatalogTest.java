package dev.connect.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.consul.AgentServiceWire;
import dev.connect.consul.WeightsWire;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The agent's service catalog keeps bounded memory under registration churn (issue 13): the
 * per-service indexes of names no service has any more are forgotten past a bound, without any
 * name's index going back, and a finished watch leaves nothing behind.
 */
class ServiceCatalogTest {
  private static AgentServiceWire service(String name) {
    return new AgentServiceWire(null, name, name, List.of(), Map.of(), 80, "", null, null,
        new WeightsWire(1, 1), false, null, null, null, null, null, null, "dc1");
  }

  @Test
  void namesChurnedThroughTheCatalogAreForgottenWithoutAnyIndexGoingBack() {
    ServiceCatalog catalog = new ServiceCatalog();
    catalog.put(List.of(service("kept")));
    long keptAt = catalog.serviceIndex("kept");
    catalog.put(List.of(service("first")));
    catalog.remove(List.of("first"));
    long firstAt = catalog.serviceIndex("first");
    for (int i = 0; i < 3 * ServiceCatalog.MAX_REMEMBERED_NAMES; i++) {
      catalog.put(List.of(service("churn-" + i)));
      catalog.remove(List.of("churn-" + i));
      assertThat(catalog.rememberedNames()).isLessThanOrEqualTo(
          ServiceCatalog.MAX_REMEMBERED_NAMES + 1);
    }
    assertThat(catalog.serviceIndex("first")).isGreaterThanOrEqualTo(firstAt);
    assertThat(catalog.serviceIndex("kept")).isEqualTo(keptAt);
    assertThat(catalog.serviceIndex("never-seen")).isGreaterThan(firstAt);
  }

  @Test
  void aWatchCompletedByItsOwnerIsForgotten() {
    ServiceCatalog catalog = new ServiceCatalog();
    CompletableFuture<Void> watch = catalog.watch(catalog.index());
    assertThat(catalog.watching()).isEqualTo(1);
    watch.complete(null); // its wait elapsed
    assertThat(catalog.watching()).isZero();
    assertThat(catalog.watch(catalog.index() - 1)).isDone();
    CompletableFuture<Void> woken = catalog.watch(catalog.index());
    catalog.put(List.of(service("web")));
    assertThat(woken).isDone();
    assertThat(catalog.watching()).isZero();
  }
}
