package dev.connect.agent;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Instant;

/**
 * A ticker that reads a clock, so that the cache's idea of age and disuse moves with the clock
 * the agent was given rather than with {@link System#nanoTime()}.
 */
final class ClockTicker implements Ticker {
  private final Clock clock;

  ClockTicker(Clock clock) {
    this.clock = clock;
  }

  @Override
  public long read() {
    Instant now = clock.instant();
    // Epoch nanoseconds fit in a long until the year 2262.
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  @Override
  public String toString() {
    return "ClockTicker[" + clock + "]";
  }
}
