package dev.connect.cache;

import dev.connect.core.Intentions;
import dev.connect.core.QueryResult;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** The intentions matching one destination, for one token and datacenter, kept fresh. */
final class MatchEntry extends Entry<Intentions> {

  MatchEntry(CacheKey key, CacheRequest request, ConnectCache cache) {
    super(key, request, cache);
  }

  @Override
  CompletableFuture<QueryResult<Intentions>> fetch(long minIndex) {
    return cache.backend.matchIntentions(key.request, cache.blocking(request, minIndex))
        .thenApply(r -> new QueryResult<>(Intentions.of(r.value()), r.index()));
  }

  @Override
  void next(Value<Intentions> current) {
    schedule(Duration.ZERO, () -> attempt(current.index()));
  }
}
