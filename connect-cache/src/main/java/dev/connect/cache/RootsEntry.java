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
    if (old == null || !old.value().activeRootId().equals(now.value().activeRootId())) {
      cache.rootsRotated(this, now.value());
    }
  }
}
