package dev.connect.http.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.function.Function;

/**
 * The JSON body of a reply that depends only on one immutable cached value (a leaf with its key,
 * a set of roots), encoded once per value rather than once per request: the PEM of certificates
 * and keys costs more than everything else a cached read does.
 *
 * <p>Keyed by the value's identity and held weakly ({@link Caffeine#weakKeys()}), so an entry
 * lives no longer than the agent cache holds its value: a renewed leaf or rotated roots is a new
 * instance and gets a new entry, the old one goes with its value. Bounded besides, for values a
 * cache keeps for many tokens. Pretty-printed replies ({@code ?pretty}) are not kept.
 */
final class EncodedBodies<K> {
  private final Cache<K, byte[]> bodies;

  EncodedBodies(long maximumSize) {
    this.bodies = Caffeine.newBuilder().weakKeys().maximumSize(maximumSize).build();
  }

  /**
   * Returns the compact JSON body of {@code value}, encoding {@code wire.apply(value)} the first
   * time. The returned array is shared: callers must not change it.
   */
  byte[] get(K value, Function<? super K, ?> wire) {
    return bodies.get(value, v -> Json.write(wire.apply(v), false));
  }
}
