package dev.connect.cache;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link Clock} and a Caffeine {@link Ticker} that move together, only when told to. */
public final class FakeTime extends Clock implements Ticker {
  private final Instant origin;
  private final AtomicLong nanos = new AtomicLong();

  private FakeTime(Instant origin) {
    this.origin = origin;
  }

  public static FakeTime at(Instant origin) {
    return new FakeTime(origin);
  }

  /** Moves both the clock and the ticker forward. */
  public void advance(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("time does not go back: " + d);
    }
    nanos.addAndGet(d.toNanos());
  }

  /** Moves to {@code ticks} (a ticker reading) if that is later than now. */
  public void advanceTo(long ticks) {
    nanos.accumulateAndGet(ticks, Math::max);
  }

  @Override
  public long read() {
    return nanos.get();
  }

  @Override
  public Instant instant() {
    return origin.plusNanos(nanos.get());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("FakeTime is always UTC");
  }
}
