package dev.connect.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Go durations, blocking-query parameters, tokens, header names and multi-error text. */
class HttpRulesTest {

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
      "9999999999h|time: invalid duration \"9999999999h\""})
  void refusesBadDurationsWithGoText(String text, String message) {
    assertThatThrownBy(() -> GoDuration.parse(text == null ? "" : text))
        .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @ParameterizedTest
  @CsvSource({"PT72H,72h0m0s,72h", "PT1H30M,1h30m0s,1h30m", "PT1.5S,1.5s,1.5s",
      "PT0.3S,300ms,300ms", "PT0S,0s,0s", "PT0.000000001S,1ns,1ns", "PT-90S,-1m30s,-1m30s"})
  void formatsAsGo(Duration d, String go, String compact) {
    assertThat(GoDuration.format(d)).isEqualTo(go);
    assertThat(GoDuration.formatCompact(d)).isEqualTo(compact);
    assertThat(GoDuration.parse(compact)).isEqualTo(d);
  }

  @Test
  void blockingQueryDefaultsCapsAndJitter() {
    BlockingQuery none = BlockingQuery.parse(Map.of());
    assertThat(none.blocks()).isFalse();
    assertThat(none.effectiveWait()).isEqualTo(Duration.ofMinutes(5));

    BlockingQuery q = BlockingQuery.parse(Map.of("index", List.of("32"), "wait", List.of("2s")));
    assertThat(q).isEqualTo(new BlockingQuery(32, Duration.ofSeconds(2)));
    assertThat(q.waitWithJitter(bound -> bound - 1))
        .isEqualTo(Duration.ofSeconds(2).plusNanos(Duration.ofSeconds(2).toNanos() / 16 - 1));
    assertThat(q.waitWithJitter(bound -> 0)).isEqualTo(Duration.ofSeconds(2));

    assertThat(BlockingQuery.parse(Map.of("index", List.of("1"), "wait", List.of("1h")))
        .effectiveWait()).isEqualTo(Duration.ofMinutes(10));
    assertThat(BlockingQuery.parse(Map.of("index", List.of("18446744073709551615"))).index())
        .isEqualTo(-1L); // uint64 max, as Consul's index is unsigned
  }

  @Test
  void badBlockingParametersGetConsulsText() {
    assertThatThrownBy(() -> BlockingQuery.parse(Map.of("wait", List.of("abc"))))
        .hasMessage("Invalid wait time");
    assertThatThrownBy(() -> BlockingQuery.parse(Map.of("index", List.of("abc"))))
        .hasMessage("Invalid index");
    assertThatThrownBy(() -> BlockingQuery.parse(Map.of("index", List.of("-1"))))
        .hasMessage("Invalid index");
  }

  @Test
  void tokenComesFromQueryThenHeaderThenBearer() {
    Map<String, String> headers = Map.of(ConsulHeaders.TOKEN, "header",
        ConsulHeaders.AUTHORIZATION, "Bearer bearer");
    assertThat(ConsulTokens.fromRequest(Map.of("token", List.of("query")), headers::get))
        .contains("query");
    assertThat(ConsulTokens.fromRequest(Map.of(), headers::get)).contains("header");
    assertThat(ConsulTokens.fromRequest(Map.of(),
        Map.of(ConsulHeaders.AUTHORIZATION, "bearer   abc def ")::get)).contains("abc");
    assertThat(ConsulTokens.fromRequest(Map.of(),
        Map.of(ConsulHeaders.AUTHORIZATION, "Basic dXNlcjpwdw==")::get)).isEmpty();
    assertThat(ConsulTokens.fromRequest(Map.of(),
        Map.of(ConsulHeaders.AUTHORIZATION, "Bearer")::get)).isEmpty();
    assertThat(ConsulTokens.fromRequest(Map.of("token", List.of("")), Map.<String, String>of()::get))
        .isEmpty();
  }

  @Test
  void headerNamesAreGoCanonical() {
    assertThat(ConsulHeaders.canonical("x-consul-knownleader")).isEqualTo(ConsulHeaders.KNOWN_LEADER);
    assertThat(ConsulHeaders.canonical("X-Consul-Default-ACL-Policy"))
        .isEqualTo(ConsulHeaders.DEFAULT_ACL_POLICY);
    assertThat(ConsulHeaders.canonical("x-cache")).isEqualTo(ConsulHeaders.CACHE);
    assertThat(ConsulHeaders.canonical("bad header")).isEqualTo("bad header");
  }

  @Test
  void multiErrorTextIsGoMultierror() {
    assertThat(GoMultiError.of("Action must be set to 'allow' or 'deny'"))
        .isEqualTo("1 error occurred:\n\t* Action must be set to 'allow' or 'deny'\n\n");
    assertThat(GoMultiError.format(List.of("Action must be set to 'allow' or 'deny'",
        "Permissions must not be set when using the legacy APIs")))
        .isEqualTo("2 errors occurred:\n\t* Action must be set to 'allow' or 'deny'\n"
            + "\t* Permissions must not be set when using the legacy APIs\n\n");
    assertThatThrownBy(() -> GoMultiError.format(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void goTimesFormatAsRfc3339Nano() {
    assertThat(GoTime.format(java.time.Instant.parse("2026-11-27T08:25:41.481832744Z")))
        .isEqualTo("2026-11-27T08:25:41.481832744Z");
    assertThat(GoTime.format(java.time.Instant.parse("2026-11-27T08:27:03.121784810Z")))
        .isEqualTo("2026-11-27T08:27:03.12178481Z");
    assertThat(GoTime.formatSeconds(java.time.Instant.parse("2026-11-27T08:24:24.9Z")))
        .isEqualTo("2026-11-27T08:24:24Z");
    assertThat(GoTime.parse("2026-11-27T09:24:24+01:00"))
        .isEqualTo(java.time.Instant.parse("2026-11-27T08:24:24Z"));
    assertThatThrownBy(() -> GoTime.parse("yesterday")).hasMessageContaining("\"yesterday\"");
  }
}
