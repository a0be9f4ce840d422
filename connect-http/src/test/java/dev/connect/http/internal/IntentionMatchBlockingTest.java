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
 * {@code GET /v1/connect/intentions/match?index=N} blocks as Consul's (a blocking query there);
 * it ignored {@code index} and answered at once, so a watcher polling with the index it got
 * spun (found by {@link HttpLoadTest}, and in parallel by issue 14's PropagationBenchmark, whose
 * fix on main this tests).
 */
class IntentionMatchBlockingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MATCH = "/v1/connect/intentions/match?by=destination&name=db";

  @TempDir Path dir;

  private static long index(HttpResponse<String> r) {
    return Long.parseLong(r.headers().firstValue("X-Consul-Index").orElseThrow());
  }

  @Test
  void matchWithTheCurrentIndexWaitsForAWriteInsteadOfAnsweringAtOnce() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      f.send("PUT", "/v1/connect/intentions/exact?source=api&destination=db",
          "{\"Action\":\"deny\"}");
      HttpResponse<String> first = f.get(MATCH);
      long index = index(first);

      CompletableFuture<HttpResponse<String>> waiting =
          f.sendAsync("GET", MATCH + "&index=" + index, null);
      f.server.waiters().whenWaiting(1).get(20, TimeUnit.SECONDS);
      assertThat(waiting).isNotDone();

      f.send("PUT", "/v1/connect/intentions/exact?source=web&destination=db",
          "{\"Action\":\"allow\"}");
      f.scheduler.runDue(); // the server completes waiting queries on its scheduler
      HttpResponse<String> woken = waiting.get(20, TimeUnit.SECONDS);
      assertThat(woken.statusCode()).isEqualTo(200);
      assertThat(index(woken)).isGreaterThan(index);
      assertThat(JSON.readTree(woken.body()).get("db")).hasSize(2);

      // The index it answered with is one to wait on again: no spin.
      CompletableFuture<HttpResponse<String>> again =
          f.sendAsync("GET", MATCH + "&index=" + index(woken), null);
      f.server.waiters().whenWaiting(1).get(20, TimeUnit.SECONDS);
      assertThat(again).isNotDone();
      f.scheduler.advance(Duration.ofMinutes(6));
      HttpResponse<String> elapsed = again.get(20, TimeUnit.SECONDS);
      assertThat(index(elapsed)).isEqualTo(index(woken));
    }
  }

  @Test
  void matchWithAnOlderIndexAnswersAtOnce() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      f.send("PUT", "/v1/connect/intentions/exact?source=api&destination=db",
          "{\"Action\":\"deny\"}");
      long index = index(f.get(MATCH));
      HttpResponse<String> r = f.get(MATCH + "&index=" + (index - 1));
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(index(r)).isEqualTo(index);
    }
  }
}
