package dev.connect.testkit;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Time that stands still until a test moves it: one object that is both a {@link Clock} (for
 * certificate dates, PKIX validation, renewal points) and a Caffeine {@link Ticker} (for cache
 * expiry), so that one {@link #advance(Duration)} moves both and they never disagree.
 *
 * <pre>{@code
 * FakeTime time = FakeTime.at(Instant.parse("2030-01-01T00:00:00Z"));
 * Cache<String, String> cache = Caffeine.newBuilder().ticker(time.ticker())
 *     .expireAfterWrite(Duration.ofMinutes(5)).build();
 * BuiltInCaProvider ca = BuiltInCaProvider.generate(trustDomain, config, time.clock());
 * time.advance(Duration.ofHours(60));
 * }</pre>
 *
 * <p>The ticker reads nanoseconds elapsed since creation (starting at 0); the clock reads the
 * starting instant plus the same nanoseconds, in UTC unless {@link #withZone(ZoneId)} made a
 * view in another zone. The ticker never goes back; the clock goes back only when a test steps
 * it back ({@link #stepClockBack(Duration)}), as an NTP correction does to a real wall clock.
 * Thread-safe: any thread may read or advance it.
 *
 * <p>Sharp edge: advancing time runs nothing by itself. Code that schedules work on an executor
 * needs a {@link FakeScheduler} on the same {@code FakeTime}, whose {@link
 * FakeScheduler#advance(Duration)} runs each task when time reaches it.
 */
public final class FakeTime extends Clock implements Ticker {
  private final Instant origin;
  private final AtomicLong nanos;
  /** How far the clock has been stepped back behind the ticker: zero or negative. */
  private final AtomicLong clockStep;
  private final ZoneId zone;

  private FakeTime(Instant origin, AtomicLong nanos, AtomicLong clockStep, ZoneId zone) {
    this.origin = origin;
    this.nanos = nanos;
    this.clockStep = clockStep;
    this.zone = zone;
  }

  /**
   * Returns time standing at {@code start}, with the ticker at 0.
   *
   * @param start the instant the clock reads until advanced
   * @return the time
   */
  public static FakeTime at(Instant start) {
    return new FakeTime(requireNonNull(start, "start"), new AtomicLong(), new AtomicLong(),
        ZoneOffset.UTC);
  }

  /**
   * Returns time standing at {@code 2030-01-01T00:00:00Z}: far enough in the future that no
   * certificate made from the real clock is accidentally valid, fixed so that runs repeat.
   *
   * @return the time
   */
  public static FakeTime create() {
    return at(Instant.parse("2030-01-01T00:00:00Z"));
  }

  /**
   * Moves the clock and the ticker forward by {@code duration}.
   *
   * @param duration how far; zero is allowed
   * @return the instant now read
   * @throws IllegalArgumentException if {@code duration} is negative
   */
  public Instant advance(Duration duration) {
    requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("time does not go back: advance(" + duration + ")");
    }
    long by = duration.toNanos();
    nanos.accumulateAndGet(by, FakeTime::addNotOverflowing);
    return instant();
  }

  /**
   * Moves the clock, and only the clock, back by {@code duration}, as an NTP correction steps a
   * real wall clock back: the ticker (like {@link System#nanoTime()}) stays where it is, and
   * scheduled tasks stay due when they were. Later advances move both again, so the clock stays
   * behind by what was stepped back.
   *
   * @param duration how far back; zero is allowed
   * @return the instant now read
   * @throws IllegalArgumentException if {@code duration} is negative
   */
  public Instant stepClockBack(Duration duration) {
    requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("stepClockBack takes how far back, not a negative"
          + " duration: stepClockBack(" + duration + ")");
    }
    clockStep.addAndGet(-duration.toNanos());
    return instant();
  }

  /**
   * Moves time forward to {@code instant}, or leaves it where it is if it is already there or
   * later: several threads may race to the same point without one of them failing. The ticker
   * moves as far as the clock.
   *
   * @param instant the instant to reach
   * @return the instant now read, {@code instant} or later
   * @throws IllegalArgumentException if {@code instant} is before the starting instant
   */
  public Instant advanceTo(Instant instant) {
    requireNonNull(instant, "instant");
    if (instant.isBefore(origin)) {
      throw new IllegalArgumentException(
          "time does not go back: advanceTo(" + instant + ") is before the start " + origin);
    }
    advanceToTicks(Duration.between(origin, instant).toNanos() - clockStep.get());
    return instant();
  }

  /** Moves the ticker to {@code ticks} if that is later; returns the ticker reading. */
  long advanceToTicks(long ticks) {
    return nanos.accumulateAndGet(ticks, Math::max);
  }

  /**
   * Returns the ticker reading: nanoseconds since this time was created (by {@link #at}), moved
   * only by {@link #advance} and {@link #advanceTo}.
   */
  @Override
  public long read() {
    return nanos.get();
  }

  /**
   * Returns the current instant: the start plus {@link #read()} nanoseconds, less what {@link
   * #stepClockBack} took away.
   */
  @Override
  public Instant instant() {
    return origin.plusNanos(nanos.get() + clockStep.get());
  }

  /** Returns the current instant in milliseconds since the epoch. */
  @Override
  public long millis() {
    return instant().toEpochMilli();
  }

  /**
   * Returns this object as a {@link Clock}, for the places a clock is injected.
   *
   * @return this
   */
  public Clock clock() {
    return this;
  }

  /**
   * Returns this object as a Caffeine {@link Ticker}, for the places a ticker is injected.
   *
   * @return this
   */
  public Ticker ticker() {
    return this;
  }

  /** Returns the zone of this clock view: UTC unless made by {@link #withZone}. */
  @Override
  public ZoneId getZone() {
    return zone;
  }

  /**
   * Returns a view of the same time in another zone: advancing either moves both.
   *
   * @param zone the zone of the view
   * @return the view
   */
  @Override
  public FakeTime withZone(ZoneId zone) {
    requireNonNull(zone, "zone");
    return zone.equals(this.zone) ? this : new FakeTime(origin, nanos, clockStep, zone);
  }

  /** Returns the current instant and zone, such as {@code FakeTime[2030-01-01T00:00:00Z, Z]}. */
  @Override
  public String toString() {
    return "FakeTime[" + instant() + ", " + zone + "]";
  }

  private static long addNotOverflowing(long now, long by) {
    long sum = now + by;
    if (sum < now) {
      throw new IllegalArgumentException("advancing by " + Duration.ofNanos(by)
          + " passes the 292 years a ticker can count");
    }
    return sum;
  }
}
