package dev.connect.cache;

import dev.connect.core.CaRoots;
import dev.connect.core.QueryResult;
import java.util.concurrent.CompletableFuture;

/** The CA roots of one token and datacenter, kept fresh by a blocking query. */
final class RootsEntry extends Entry<CaRoots> {

  RootsEntry(CacheKey key, CacheRequest request, ConnectCache cache) {
    super(key, request, cache);
  }

  @Override
  CompletableFuture<QueryResult<CaRoots>> fetch(long minIndex) {
    return cache.backend.roots(cache.blocking(request, minIndex));
  }

  @Override
  void next(Value<CaRoots> current) {
    schedule(java.time.Duration.ZERO, () -> attempt(current.index()));
  }

  @Override
  void changed(Value<CaRoots> old, Value<CaRoots> now) {
    if (old != null && !old.value().activeRootId().equals(now.value().activeRootId())) {
      cache.rootsRotated(this, now.value());
    }
  }
}
