package dev.connect.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Go's {@code time.ParseDuration} and {@code time.Duration.String}, with Go's error texts: the
 * one codec connect-ca (its messages) and connect-consul (the wire) share.
 */
class GoDurationTest {
  private static final Duration GO_MIN = Duration.ofNanos(Long.MIN_VALUE);
  private static final Duration GO_MAX = Duration.ofNanos(Long.MAX_VALUE);

  @ParameterizedTest
  @CsvSource({"72h,PT72H", "8760h,PT8760H", "1h30m,PT1H30M", "1.5s,PT1.5S", "300ms,PT0.3S",
      "0,PT0S", "-2m,PT-2M", "+5s,PT5S", "1us,PT0.000001S", "2\u00b5s,PT0.000002S",
      ".5h,PT30M", "1h1m1s1ms1us1ns,PT1H1M1.001001001S"})
  void parsesGoDurations(String text, Duration expected) {
    assertThat(GoDuration.parse(text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "abc|time: invalid duration \"abc\"",
      "|time: invalid duration \"\"",
      "1|time: missing unit in duration \"1\"",
      "1d|time: unknown unit \"d\" in duration \"1d\"",
      ".|time: invalid duration \".\"",
      "9999999999h|time: invalid duration \"9999999999h\"",
      "2562047h47m16.854775808s|time: invalid duration \"2562047h47m16.854775808s\""})
  void refusesBadDurationsWithGoText(String text, String message) {
    assertThatThrownBy(() -> GoDuration.parse(text == null ? "" : text))
        .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  void quotesTheCallersTextEscapedAndCut() {
    assertThatThrownBy(() -> GoDuration.parse("1\"\n"))
        .hasMessage("time: unknown unit \"\\\"\\u000a\" in duration \"1\\\"\\u000a\"");
    assertThatThrownBy(() -> GoDuration.parse("x".repeat(10_000)))
        .hasMessage("time: invalid duration \"" + "x".repeat(64) + "...\"");
  }

  @ParameterizedTest
  @CsvSource({"PT72H,72h0m0s,72h", "PT1H30M,1h30m0s,1h30m", "PT1.5S,1.5s,1.5s",
      "PT0.3S,300ms,300ms", "PT0S,0s,0s", "PT0.000000001S,1ns,1ns", "PT-90S,-1m30s,-1m30s",
      "PT1H,1h0m0s,1h", "PT8760H,8760h0m0s,8760h", "PT30M,30m0s,30m", "PT0.000000012S,12ns,12ns",
      "PT0.0000015S,1.5\u00b5s,1.5\u00b5s", "PT-1H,-1h0m0s,-1h", "PT2H0.5S,2h0m0.5s,2h0m0.5s"})
  void formatsAsGo(Duration d, String go, String compact) {
    assertThat(GoDuration.format(d)).isEqualTo(go);
    assertThat(GoDuration.formatCompact(d)).isEqualTo(compact);
    assertThat(GoDuration.parse(compact)).isEqualTo(d);
  }

  @Test
  void goRangeEdgesRoundTrip() {
    assertThat(GoDuration.format(GO_MAX)).isEqualTo("2562047h47m16.854775807s");
    assertThat(GoDuration.formatCompact(GO_MIN)).isEqualTo("-2562047h47m16.854775808s");
    assertThat(GoDuration.parse("2562047h47m16.854775807s")).isEqualTo(GO_MAX);
    assertThat(GoDuration.parse("-2562047h47m16.854775808s")).isEqualTo(GO_MIN);
  }

  /**
   * connect-ca's messages name any TTL a caller passed, even one beyond Go's range, so {@code
   * format} writes every {@code Duration}; {@code formatCompact}, text for Go, refuses it.
   */
  @Test
  void durationBeyondGoRangeIsWrittenForMessagesButNotForGo() {
    Duration thousandYears = Duration.ofHours(8_766_000);
    assertThat(GoDuration.format(thousandYears)).isEqualTo("8766000h0m0s");
    assertThat(GoDuration.format(GO_MAX.plusNanos(1))).isEqualTo("2562047h47m16.854775808s");
    assertThat(GoDuration.format(Duration.ofSeconds(Long.MIN_VALUE)))
        .isEqualTo("-2562047788015215h30m8s");
    assertThatThrownBy(() -> GoDuration.formatCompact(thousandYears))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duration out of Go's range: PT8766000H");
  }
}
