package dev.connect.consul;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.LongUnaryOperator;

/**
 * The blocking-query parameters of a Consul read: {@code ?index=} (wait until the data's index
 * passes it) and {@code ?wait=} (a Go duration, at most {@link #MAX_WAIT}, {@link #DEFAULT_WAIT}
 * when absent). Consul adds up to {@code wait/16} of random jitter to RPC-backed waits.
 *
 * @param index the index to wait past; 0 answers at once
 * @param requestedWait the wait as requested, zero when {@code wait} was absent
 */
public record BlockingQuery(long index, Duration requestedWait) {
  /** Consul's wait when a query gives an index and no {@code wait}: 5 minutes. */
  public static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
  /** Consul's longest wait: 10 minutes; longer requests are cut to it. */
  public static final Duration MAX_WAIT = Duration.ofMinutes(10);
  /** The divisor of Consul's jitter: up to {@code wait / 16} is added. */
  public static final int JITTER_FRACTION = 16;

  /** Checks the values. */
  public BlockingQuery {
    requireNonNull(requestedWait, "requestedWait");
    if (requestedWait.isNegative()) {
      throw new IllegalArgumentException("requestedWait must not be negative: " + requestedWait);
    }
  }

  /**
   * Reads {@code index} and {@code wait} from a decoded query string, as Consul's {@code
   * parseWait}: an empty or absent value is ignored.
   *
   * @param query the query parameters, each with its values in order
   * @return the parameters
   * @throws IllegalArgumentException with Consul's 400 text, {@code Invalid wait time} or {@code
   *     Invalid index}
   */
  public static BlockingQuery parse(Map<String, List<String>> query) {
    requireNonNull(query, "query");
    Duration wait = Duration.ZERO;
    String w = first(query, "wait");
    if (!w.isEmpty()) {
      try {
        wait = GoDuration.parse(w);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("Invalid wait time", e);
      }
      if (wait.isNegative()) {
        // Go's time.Duration accepts "-1s"; Consul then waits for its default.
        wait = Duration.ZERO;
      }
    }
    long index = 0;
    String i = first(query, "index");
    if (!i.isEmpty()) {
      try {
        index = Long.parseUnsignedLong(i);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Invalid index", e);
      }
    }
    return new BlockingQuery(index, wait);
  }

  /**
   * Tells whether the read blocks: an index greater than 0 was given.
   *
   * @return {@code true} when the read waits for a change
   */
  public boolean blocks() {
    return index != 0;
  }

  /**
   * Returns the wait Consul applies before jitter: {@code wait} cut to {@link #MAX_WAIT}, or
   * {@link #DEFAULT_WAIT} when none was given.
   *
   * @return the wait
   */
  public Duration effectiveWait() {
    if (requestedWait.isZero()) {
      return DEFAULT_WAIT;
    }
    return requestedWait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : requestedWait;
  }

  /**
   * Returns the effective wait plus Consul's jitter, drawn by {@code random} from 0 (inclusive)
   * to {@code effectiveWait / 16} (exclusive) in nanoseconds.
   *
   * @param random given a bound {@code n > 0}, returns a value in {@code [0, n)}, for example
   *     {@code ThreadLocalRandom.current()::nextLong}
   * @return the wait with jitter
   * @throws IllegalArgumentException when {@code random} returns a value outside the bound
   */
  public Duration waitWithJitter(LongUnaryOperator random) {
    requireNonNull(random, "random");
    Duration base = effectiveWait();
    long bound = base.toNanos() / JITTER_FRACTION;
    if (bound <= 0) {
      return base;
    }
    long jitter = random.applyAsLong(bound);
    if (jitter < 0 || jitter >= bound) {
      throw new IllegalArgumentException("jitter " + jitter + " outside [0, " + bound + ")");
    }
    return base.plusNanos(jitter);
  }

  private static String first(Map<String, List<String>> query, String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() || values.get(0) == null ? "" : values.get(0);
  }
}
