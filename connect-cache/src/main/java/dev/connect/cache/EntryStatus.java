package dev.connect.cache;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What a cache entry knows about its own freshness: the read-only state of its background loop.
 *
 * <p>The {@linkplain #age() age} follows Consul's agent cache: zero while the entry's last fetch
 * succeeded and its loop is running (a blocking query is waiting, or a leaf renewal is scheduled),
 * otherwise the time since the last successful fetch.
 *
 * @param type the kind of entry
 * @param index the backend index of the value served
 * @param age how stale the value may be; see above
 * @param lastSuccessfulRefresh when a fetch last succeeded
 * @param lastError the failure of the last fetch, if it failed; cleared by a success
 * @param consecutiveFailures fetches failed in a row since the last success
 * @param refreshing whether the background loop still runs; {@code false} once stopped (closed,
 *     evicted, or the token was not found)
 * @param nextAttempt when the next fetch is scheduled (a backoff retry or a leaf renewal), if one
 *     is; empty while a blocking query waits
 */
public record EntryStatus(CacheType type, long index, Duration age,
    Optional<Instant> lastSuccessfulRefresh, Optional<Throwable> lastError,
    int consecutiveFailures, boolean refreshing, Optional<Instant> nextAttempt) {

  /** Checks every value is present. */
  public EntryStatus {
    requireNonNull(type, "type");
    requireNonNull(age, "age");
    requireNonNull(lastSuccessfulRefresh, "lastSuccessfulRefresh");
    requireNonNull(lastError, "lastError");
    requireNonNull(nextAttempt, "nextAttempt");
  }
}
