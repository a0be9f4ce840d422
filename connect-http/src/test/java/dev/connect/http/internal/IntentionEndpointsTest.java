package dev.connect.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Intentions written and read over HTTP as with Consul (issue 13). */
class IntentionEndpointsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void aWriteWakesAWaitingListAndEveryReadSeesIt() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      HttpResponse<String> empty = f.get("/v1/connect/intentions");
      assertThat(empty.body()).isEqualTo("[]");
      String index = empty.headers().firstValue("X-Consul-Index").orElseThrow();
      CompletableFuture<HttpResponse<String>> waiting =
          f.sendAsync("GET", "/v1/connect/intentions?index=" + index + "&wait=1m", null);
      f.server.waiters().whenWaiting(1).get(20, TimeUnit.SECONDS);

      HttpResponse<String> created = f.send("POST", "/v1/connect/intentions",
          "{\"SourceName\":\"web\",\"DestinationName\":\"db\",\"Action\":\"allow\"}");
      assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
      String id = JSON.readTree(created.body()).get("ID").asText();
      f.scheduler.runDue(); // the server completes waiting queries on its scheduler

      HttpResponse<String> woken = waiting.get(20, TimeUnit.SECONDS);
      assertThat(Long.parseLong(woken.headers().firstValue("X-Consul-Index").orElseThrow()))
          .isGreaterThan(Long.parseLong(index));
      JsonNode list = JSON.readTree(woken.body());
      assertThat(list).hasSize(1);
      assertThat(list.get(0).get("ID").asText()).isEqualTo(id);
      assertThat(list.get(0).get("Precedence").asInt()).isEqualTo(9);

      assertThat(JSON.readTree(f.get("/v1/connect/intentions/" + id).body())
          .get("SourceName").asText()).isEqualTo("web");
      assertThat(f.get("/v1/connect/intentions/check?source=web&destination=db").body())
          .isEqualTo("{\"Allowed\":true}");
      JsonNode match = JSON.readTree(f.get(
          "/v1/connect/intentions/match?by=destination&name=db&name=nomatch").body());
      assertThat(match.get("db")).hasSize(1);
      assertThat(match.get("nomatch")).isEmpty();
      assertThat(JSON.readTree(f.get("/v1/connect/intentions/match?by=source&name=web").body())
          .get("web")).hasSize(1);

      assertThat(f.send("PUT", "/v1/connect/intentions/exact?source=web&destination=db",
          "{\"Action\":\"deny\"}").body()).isEqualTo("true");
      assertThat(f.get("/v1/connect/intentions/check?source=web&destination=db").body())
          .isEqualTo("{\"Allowed\":false}");
      assertThat(JSON.readTree(f.get("/v1/connect/intentions/exact?source=web&destination=db")
          .body()).get("Action").asText()).isEqualTo("deny");

      assertThat(f.send("DELETE", "/v1/connect/intentions/exact?source=web&destination=db", null)
          .body()).isEqualTo("true");
      assertThat(f.get("/v1/connect/intentions/" + id).statusCode()).isEqualTo(404);
      assertThat(f.get("/v1/connect/intentions").body()).isEqualTo("[]");
    }
  }

  /**
   * Issue 14: agents over {@code connect agent} watch their intention match with {@code
   * ?index=&wait=}; the match answered at once instead, so each cache asked again once a second
   * and a deny reached it 0.5 to 1 s late. Now the match waits until a write wakes it, for both
   * {@code by=destination} and {@code by=source}, and a wait that runs out answers the same index.
   */
  @Test
  void matchIsABlockingQueryWokenByAnIntentionWrite() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      String byDestination = "/v1/connect/intentions/match?by=destination&name=db";
      String bySource = "/v1/connect/intentions/match?by=source&name=web";
      HttpResponse<String> before = f.get(byDestination);
      String index = before.headers().firstValue("X-Consul-Index").orElseThrow();
      CompletableFuture<HttpResponse<String>> destination =
          f.sendAsync("GET", byDestination + "&index=" + index + "&wait=1m", null);
      CompletableFuture<HttpResponse<String>> source =
          f.sendAsync("GET", bySource + "&index=" + index + "&wait=1m", null);
      f.server.waiters().whenWaiting(2).get(20, TimeUnit.SECONDS);
      assertThat(destination).as("a match at the current index waits").isNotDone();
      assertThat(source).as("a match at the current index waits").isNotDone();

      assertThat(f.send("PUT", "/v1/connect/intentions/exact?source=web&destination=db",
          "{\"Action\":\"deny\"}").body()).isEqualTo("true");
      f.scheduler.runDue(); // the server completes waiting queries on its scheduler

      for (CompletableFuture<HttpResponse<String>> woken : List.of(destination, source)) {
        HttpResponse<String> r = woken.get(20, TimeUnit.SECONDS);
        assertThat(Long.parseLong(r.headers().firstValue("X-Consul-Index").orElseThrow()))
            .isGreaterThan(Long.parseLong(index));
        JsonNode match = JSON.readTree(r.body());
        JsonNode intention = match.has("db") ? match.get("db").get(0) : match.get("web").get(0);
        assertThat(intention.get("Action").asText()).isEqualTo("deny");
      }

      String after = f.get(byDestination).headers().firstValue("X-Consul-Index").orElseThrow();
      CompletableFuture<HttpResponse<String>> quiet =
          f.sendAsync("GET", byDestination + "&index=" + after + "&wait=10s", null);
      f.server.waiters().whenWaiting(1).get(20, TimeUnit.SECONDS);
      assertThat(quiet).isNotDone();
      f.scheduler.advance(Duration.ofSeconds(10)); // the fixture's jitter is 0
      HttpResponse<String> timedOut = quiet.get(20, TimeUnit.SECONDS);
      assertThat(timedOut.statusCode()).isEqualTo(200);
      assertThat(timedOut.headers().firstValue("X-Consul-Index")).contains(after);
    }
  }
}
