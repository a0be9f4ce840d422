package dev.connect.cache;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * A snapshot of a {@link ConnectCache}'s counters since it was built.
 *
 * @param hits reads answered from memory
 * @param misses reads that had to wait for the backend (first load, or a value older than the
 *     caller's maximum age)
 * @param loads first fetches of a new entry
 * @param loadFailures first fetches that failed; nothing was cached for them
 * @param refreshSuccesses background fetches (blocking queries, renewals) that succeeded
 * @param refreshFailures background fetches that failed
 * @param evictions entries removed after the time of disuse
 * @param entries the number of entries of each type now
 */
public record CacheStats(long hits, long misses, long loads, long loadFailures,
    long refreshSuccesses, long refreshFailures, long evictions, Map<CacheType, Long> entries) {

  /** Copies the map. */
  public CacheStats {
    entries = Map.copyOf(requireNonNull(entries, "entries"));
  }
}
