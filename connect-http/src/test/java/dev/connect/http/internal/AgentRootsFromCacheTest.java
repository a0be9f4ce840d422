package dev.connect.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/agent/connect/ca/roots}, blocking reads included, is served from the agent cache
 * as Consul's agent serves it (issue 13): blocking reads were forwarded to the backend and always
 * answered {@code X-Cache: MISS}, even when the cached roots were already past their index.
 */
class AgentRootsFromCacheTest {
  private static final String ROOTS = "/v1/agent/connect/ca/roots";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void repeatedReadsAreCacheHitsWithAnAge() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      HttpResponse<String> first = f.get(ROOTS);
      HttpResponse<String> second = f.get(ROOTS);

      assertThat(first.headers().firstValue("X-Cache")).hasValue("MISS");
      assertThat(second.headers().firstValue("X-Cache")).hasValue("HIT");
      assertThat(second.headers().firstValue("Age")).hasValue("0");
      assertThat(second.headers().firstValue("X-Consul-Index"))
          .isEqualTo(first.headers().firstValue("X-Consul-Index"));
    }
  }

  @Test
  void blockingReadPastAnOlderIndexIsAnsweredAtOnceFromTheCache() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      f.agent.ca().rotate();
      f.scheduler.runDue();
      long index = index(f.get(ROOTS));
      assertThat(index).isGreaterThan(1); // so that index - 1 is a blocking read

      HttpResponse<String> r = f.get(ROOTS + "?index=" + (index - 1) + "&wait=10m");

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(index(r)).isEqualTo(index);
      assertThat(r.headers().firstValue("X-Cache")).hasValue("HIT");
      assertThat(r.headers().firstValue("Age")).isPresent();
      assertThat(f.server.waitingQueries()).isZero();
    }
  }

  @Test
  void blockingReadWakesOnARotationWithTheNewRoots() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      HttpResponse<String> first = f.get(ROOTS);
      long index = index(first);
      CompletableFuture<HttpResponse<String>> waiting =
          f.sendAsync("GET", ROOTS + "?index=" + index, null); // Consul's default wait
      f.server.waiters().whenWaiting(1).get(20, TimeUnit.SECONDS);
      assertThat(waiting).isNotDone();

      f.agent.ca().rotate();
      f.scheduler.runDue(); // the cache's roots query returns with the rotation

      HttpResponse<String> woken = waiting.get(20, TimeUnit.SECONDS);
      assertThat(woken.statusCode()).isEqualTo(200);
      assertThat(index(woken)).isGreaterThan(index);
      assertThat(activeRoot(woken)).isNotEqualTo(activeRoot(first));
      assertThat(woken.headers().firstValue("X-Cache")).hasValue("MISS");
      assertThat(f.server.waitingQueries()).isZero();
      // The cache holds the rotated roots: the next read is a HIT with them.
      HttpResponse<String> after = f.get(ROOTS);
      assertThat(after.headers().firstValue("X-Cache")).hasValue("HIT");
      assertThat(activeRoot(after)).isEqualTo(activeRoot(woken));
    }
  }

  @Test
  void blockingReadWithTheIndexUnchangedReturnsAfterTheWait() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      HttpResponse<String> first = f.get(ROOTS);
      long index = index(first);
      CompletableFuture<HttpResponse<String>> waiting =
          f.sendAsync("GET", ROOTS + "?index=" + index + "&wait=2s", null);
      f.server.waiters().whenWaiting(1).get(20, TimeUnit.SECONDS);

      f.scheduler.advance(Duration.ofSeconds(1));
      assertThat(waiting).isNotDone();
      f.scheduler.advance(Duration.ofSeconds(1)); // no jitter on agent-cached reads

      HttpResponse<String> r = waiting.get(20, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(index(r)).isEqualTo(index);
      assertThat(activeRoot(r)).isEqualTo(activeRoot(first));
      assertThat(r.headers().firstValue("X-Cache")).hasValue("MISS");
      assertThat(f.server.waitingQueries()).isZero();
    }
  }

  private static long index(HttpResponse<String> r) {
    return Long.parseLong(r.headers().firstValue("X-Consul-Index").orElseThrow());
  }

  private static String activeRoot(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body()).get("ActiveRootID").asText();
  }
}
