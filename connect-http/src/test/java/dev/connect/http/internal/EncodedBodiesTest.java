package dev.connect.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leaf and roots replies are encoded once per cached value ({@link EncodedBodies}): what a
 * client reads must still be the value the cache holds now, after a renewal or a rotation, and
 * the same whether pretty-printed or not.
 */
class EncodedBodiesTest {
  private static final String LEAF = "/v1/agent/connect/ca/leaf/web";
  private static final String ROOTS = "/v1/agent/connect/ca/roots";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void oneValueIsEncodedOnceAndAnotherInstanceWithEqualContentAgain() {
    EncodedBodies<List<String>> bodies = new EncodedBodies<>(16);
    AtomicInteger encodings = new AtomicInteger();
    List<String> value = List.of("a");

    byte[] first = bodies.get(value, v -> {
      encodings.incrementAndGet();
      return Map.of("Value", v);
    });
    byte[] second = bodies.get(value, v -> {
      encodings.incrementAndGet();
      return Map.of("Value", v);
    });
    // Identity, not equality: a renewed leaf equal in content is still a new entry.
    byte[] other = bodies.get(List.of("a"), v -> {
      encodings.incrementAndGet();
      return Map.of("Value", v);
    });

    assertThat(second).isSameAs(first);
    assertThat(other).isNotSameAs(first).isEqualTo(first);
    assertThat(new String(first, java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("{\"Value\":[\"a\"]}");
    assertThat(encodings).hasValue(2);
  }

  @Test
  void leafReadsFollowTheReissueAfterARotationAndPrettyHasTheSameContent() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      HttpResponse<String> first = f.get(LEAF);
      HttpResponse<String> again = f.get(LEAF);
      assertThat(again.headers().firstValue("X-Cache")).hasValue("HIT");
      assertThat(again.body()).isEqualTo(first.body());
      assertThat(JSON.readTree(f.get(LEAF + "?pretty").body()))
          .isEqualTo(JSON.readTree(first.body()));

      f.agent.ca().rotate();
      f.scheduler.runDue();                        // the roots query of the cache returns
      f.scheduler.advance(Duration.ofSeconds(31)); // the re-issue, within the 30 s CA jitter
      f.scheduler.runDue();

      JsonNode before = JSON.readTree(first.body());
      JsonNode after = JSON.readTree(f.get(LEAF).body());
      assertThat(after.get("SerialNumber")).isNotEqualTo(before.get("SerialNumber"));
      assertThat(after.get("CertPEM")).isNotEqualTo(before.get("CertPEM"));
      assertThat(after.get("ModifyIndex").asLong())
          .isGreaterThan(before.get("ModifyIndex").asLong());
      assertThat(JSON.readTree(f.get(LEAF + "?pretty").body())).isEqualTo(after);
    }
  }

  @Test
  void rootsReadsFollowARotation() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      JsonNode before = JSON.readTree(f.get(ROOTS).body());
      assertThat(JSON.readTree(f.get(ROOTS + "?pretty").body())).isEqualTo(before);

      f.agent.ca().rotate();
      f.scheduler.runDue(); // the cache's roots query returns with the rotation

      JsonNode after = JSON.readTree(f.get(ROOTS).body());
      assertThat(after.get("ActiveRootID")).isNotEqualTo(before.get("ActiveRootID"));
      assertThat(after.get("Roots")).hasSize(2);
      assertThat(JSON.readTree(f.get(ROOTS + "?pretty").body())).isEqualTo(after);
    }
  }
}
