package dev.connect.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.connect.ca.BuiltInCaProvider;
import dev.connect.ca.CaConfiguration;
import dev.connect.core.SigningId;
import dev.connect.testkit.FakeTime;
import dev.connect.testkit.TestCa;
import dev.connect.testkit.TestLeaf;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FakeTimeTest {
  static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

  @Test
  void standsStillUntilAdvancedThenMovesClockAndTickerTogether() {
    FakeTime time = FakeTime.at(START);
    assertThat(time.instant()).isEqualTo(START);
    assertThat(time.read()).isZero();
    assertThat(time.millis()).isEqualTo(START.toEpochMilli());

    assertThat(time.advance(Duration.ofMillis(1500))).isEqualTo(START.plusMillis(1500));

    assertThat(time.clock().instant()).isEqualTo(START.plusMillis(1500));
    assertThat(time.ticker().read()).isEqualTo(1_500_000_000L);
    assertThat(time.clock()).isSameAs(time);
    assertThat(time.ticker()).isSameAs(time);
    assertThat(time.getZone()).isEqualTo(java.time.ZoneOffset.UTC);
  }

  @Test
  void createStartsAtAFixedInstant() {
    assertThat(FakeTime.create().instant()).isEqualTo(START);
  }

  @Test
  void timeDoesNotGoBack() {
    FakeTime time = FakeTime.at(START);
    assertThatThrownBy(() -> time.advance(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("time does not go back: advance(PT-1S)");
    assertThatThrownBy(() -> time.advanceTo(START.minusSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("time does not go back: advanceTo(2029-12-31T23:59:59Z) is before the start"
            + " 2030-01-01T00:00:00Z");
    time.advance(Duration.ofHours(1));
    assertThat(time.advanceTo(START.plusSeconds(60))).isEqualTo(START.plus(Duration.ofHours(1)));
    assertThat(time.advanceTo(START.plus(Duration.ofHours(2))))
        .isEqualTo(START.plus(Duration.ofHours(2)));
    assertThat(time.read()).isEqualTo(Duration.ofHours(2).toNanos());
  }

  @Test
  void aZoneViewSharesTheSameTime() {
    FakeTime time = FakeTime.at(START);
    FakeTime paris = time.withZone(ZoneId.of("Europe/Paris"));
    time.advance(Duration.ofMinutes(5));
    assertThat(paris.instant()).isEqualTo(START.plusSeconds(300));
    paris.advance(Duration.ofMinutes(5));
    assertThat(time.instant()).isEqualTo(START.plusSeconds(600));
    assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
    assertThat(time.withZone(time.getZone())).isSameAs(time);
  }

  @Test
  void concurrentAdvancesAllCount() throws Exception {
    FakeTime time = FakeTime.at(START);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        done.add(pool.submit(() -> {
          for (int i = 0; i < 1000; i++) {
            time.advance(Duration.ofMillis(1));
          }
        }));
      }
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(time.instant()).isEqualTo(START.plusSeconds(4));
    assertThat(time.read()).isEqualTo(Duration.ofSeconds(4).toNanos());
  }

  @Test
  void drivesCaffeineExpiry() {
    FakeTime time = FakeTime.at(START);
    Cache<String, String> cache = Caffeine.newBuilder().ticker(time.ticker())
        .executor(Runnable::run).expireAfterWrite(Duration.ofMinutes(5)).build();
    cache.put("k", "v");
    time.advance(Duration.ofMinutes(5).minusNanos(1));
    assertThat(cache.getIfPresent("k")).isEqualTo("v");
    time.advance(Duration.ofNanos(1));
    assertThat(cache.getIfPresent("k")).isNull();
  }

  @Test
  void datesCertificatesOfTheBuiltInCa() {
    FakeTime time = FakeTime.at(START);
    BuiltInCaProvider ca = BuiltInCaProvider.generate(SigningId.of("7f3c.consul"),
        CaConfiguration.defaults(), time.clock());
    assertThat(ca.rootCertificate().getNotBefore().toInstant()).isEqualTo(START);
    time.advance(Duration.ofDays(1));
    TestLeaf leaf = TestCa.fromPem(ca.rootCertificatePem(), ca.exportPrivateKeyPkcs8Pem(), time)
        .leaf("web").build();
    assertThat(leaf.certificate().getNotBefore().toInstant())
        .isEqualTo(START.plus(Duration.ofDays(1)).minusSeconds(60));
  }

  @Test
  void overflowIsRefusedNamingTheAmount() {
    FakeTime time = FakeTime.at(START);
    time.advance(Duration.ofNanos(Long.MAX_VALUE - 10));
    assertThatThrownBy(() -> time.advance(Duration.ofNanos(11)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("advancing by PT0.000000011S passes the 292 years");
  }
}
