package dev.connect.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 (one builder idiom): the {@link ConnectCache} and {@link CacheRequest} builders let
 * every option be set twice, the second call silently winning, and a cache built without a
 * {@link LeafKeyFactory} failed only at its first leaf read, possibly hours later in production.
 * Now a second setting fails as everywhere else ("x was already set to y"), and {@code build()}
 * refuses a cache without {@code leafKeys}.
 */
class CacheBuilderOptionsTest {
  private static final String SECRET = "5b1e9f47-0000-4000-8000-000000secret";

  @TempDir
  Path dir;

  @Test
  void aCacheWithoutLeafKeysFailsAtBuildNotAtTheFirstLeaf() throws Exception {
    try (Fixture f = Fixture.open(dir)) {
      assertThatThrownBy(() -> ConnectCache.builder(f.server).scheduler(f.scheduler)
          .ticker(f.time).clock(f.time).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("leafKeys is required");
    }
  }

  @Test
  void everyCacheOptionSetTwiceNamesTheFirstValue() throws Exception {
    try (Fixture f = Fixture.open(dir)) {
      assertThatThrownBy(() -> ConnectCache.builder(f.server).datacenter("dc1")
          .datacenter("dc2")).isInstanceOf(IllegalStateException.class)
          .hasMessage("datacenter was already set to dc1");
      assertThatThrownBy(() -> ConnectCache.builder(f.server).disuseTtl(Duration.ofHours(1))
          .disuseTtl(Duration.ofHours(2))).isInstanceOf(IllegalStateException.class)
          .hasMessage("disuseTtl was already set to PT1H");
      assertThatThrownBy(() -> ConnectCache.builder(f.server).blockingWait(Duration.ofMinutes(1))
          .blockingWait(Duration.ofMinutes(2))).isInstanceOf(IllegalStateException.class)
          .hasMessage("blockingWait was already set to PT1M");
      assertThatThrownBy(() -> ConnectCache.builder(f.server)
          .caChangeJitter(Duration.ofSeconds(5)).caChangeJitter(Duration.ofSeconds(6)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("caChangeJitter was already set to PT5S");
      assertThatThrownBy(() -> ConnectCache.builder(f.server).maximumSize(10).maximumSize(20))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("maximumSize was already set to 10");
      assertThatThrownBy(() -> ConnectCache.builder(f.server).clock(f.time)
          .clock(Clock.systemUTC())).isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("clock was already set to ");
      assertThatThrownBy(() -> ConnectCache.builder(f.server).ticker(f.time).ticker(f.time))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("ticker was already set to ");
      assertThatThrownBy(() -> ConnectCache.builder(f.server).scheduler(f.scheduler)
          .scheduler(f.scheduler)).isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("scheduler was already set to ");
      assertThatThrownBy(() -> ConnectCache.builder(f.server).random(new Random(1))
          .random(new Random(2))).isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("random was already set to ");
      assertThatThrownBy(() -> ConnectCache.builder(f.server).leafKeys(Fixture.KEYS)
          .leafKeys(Fixture.KEYS)).isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("leafKeys was already set to ");
    }
  }

  @Test
  void everyRequestOptionSetTwiceNamesTheFirstValueButNeverTheToken() {
    assertThatThrownBy(() -> CacheRequest.builder().datacenter("dc1").datacenter("dc2"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("datacenter was already set to dc1");
    assertThatThrownBy(() -> CacheRequest.builder().maxAge(Duration.ofSeconds(5))
        .maxAge(Duration.ZERO)).isInstanceOf(IllegalStateException.class)
        .hasMessage("maxAge was already set to PT5S");
    assertThatThrownBy(() -> CacheRequest.builder().token(SECRET).token("other"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("token was already set to <redacted>")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
    assertThatCode(() -> CacheRequest.builder().token(SECRET).datacenter("dc2")
        .maxAge(Duration.ZERO).build()).doesNotThrowAnyException();
  }
}
