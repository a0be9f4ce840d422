package dev.connect.cache;

import dev.connect.core.CaRoots;
import dev.connect.core.QueryResult;
import java.util.concurrent.CompletableFuture;

/** The CA roots of one token and datacenter, kept fresh by a rate-limited blocking query. */
final class RootsEntry extends Entry<CaRoots> {

  RootsEntry(CacheKey key, CacheRequest request, ConnectCache cache) {
    super(key, request, cache);
  }

  @Override
  CompletableFuture<QueryResult<CaRoots>> fetch(long minIndex, Call call) {
    return call.track(cache.backend.roots(cache.blocking(options, minIndex)));
  }

  @Override
  void next(Value<CaRoots> current, long minIndex, boolean moved) {
    schedule(moved ? java.time.Duration.ZERO : rateLimitDelay(), minIndex);
  }

  @Override
  void changed(Value<CaRoots> old, Value<CaRoots> now) {
    // A first load counts too: this entry may replace one evicted while its leaves lived on, and
    // a rotation in between would otherwise go unnoticed.
    // Any other change too: a pruned root may have issued an intermediate a leaf presents.
    if (old == null || !old.value().activeRootId().equals(now.value().activeRootId())
        || !old.value().roots().equals(now.value().roots())) {
      cache.rootsRotated(this, now.value());
    }
  }
}
