package dev.connect.cache;

import dev.connect.core.Intentions;
import dev.connect.core.QueryResult;
import java.util.concurrent.CompletableFuture;

/** The intentions matching one destination, for one token and datacenter, kept fresh. */
final class MatchEntry extends Entry<Intentions> {

  MatchEntry(CacheKey key, CacheRequest request, ConnectCache cache) {
    super(key, request, cache);
  }

  @Override
  CompletableFuture<QueryResult<Intentions>> fetch(long minIndex, Call call) {
    // The raw backend future is tracked, so eviction cancels the query, not just thenApply's.
    return call.track(cache.backend.matchIntentions(key.request,
            cache.blocking(options, minIndex)))
        .thenApply(r -> new QueryResult<>(Intentions.of(r.value()), r.index()));
  }

  @Override
  void next(Value<Intentions> current, long minIndex, boolean moved) {
    schedule(moved ? java.time.Duration.ZERO : rateLimitDelay(), minIndex);
  }
}
