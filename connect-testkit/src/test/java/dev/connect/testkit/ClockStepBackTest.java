package dev.connect.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link FakeTime#stepClockBack}: the wall clock steps back as an NTP correction makes it, the
 * ticker does not (issue 12: the CA tests' own clock that could go back was folded into the one
 * FakeTime).
 */
class ClockStepBackTest {
  private static final Instant START = Instant.parse("2030-06-01T12:00:00Z");

  @Test
  void clockStepsBackWhileTheTickerAndTheSchedulerKeepGoing() {
    FakeTime time = FakeTime.at(START);
    FakeScheduler scheduler = FakeScheduler.on(time);
    List<Instant> ranAt = new ArrayList<>();
    scheduler.schedule(() -> ranAt.add(time.instant()), 2, TimeUnit.SECONDS);

    assertThat(time.stepClockBack(Duration.ofSeconds(1))).isEqualTo(START.minusSeconds(1));
    assertThat(time.read()).isZero();
    assertThat(time.withZone(java.time.ZoneId.of("Europe/Paris")).instant())
        .isEqualTo(START.minusSeconds(1));

    scheduler.advance(Duration.ofSeconds(1));
    assertThat(time.instant()).isEqualTo(START);
    assertThat(ranAt).isEmpty();
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(ranAt).as("due by the ticker, 2 s after scheduling")
        .containsExactly(START.plusSeconds(1));
    assertThat(time.read()).isEqualTo(Duration.ofSeconds(2).toNanos());
  }

  @Test
  void advanceToReachesTheInstantOnTheSteppedClock() {
    FakeTime time = FakeTime.at(START);
    time.stepClockBack(Duration.ofMinutes(1));

    assertThat(time.advanceTo(START)).isEqualTo(START);
    assertThat(time.read()).isEqualTo(Duration.ofMinutes(1).toNanos());
  }

  @Test
  void negativeStepIsRefusedNamingIt() {
    assertThatThrownBy(() -> FakeTime.at(START).stepClockBack(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("stepClockBack takes how far back, not a negative duration:"
            + " stepClockBack(PT-1S)");
  }
}
