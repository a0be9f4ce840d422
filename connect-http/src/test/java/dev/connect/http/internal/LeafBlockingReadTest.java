package dev.connect.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A blocking leaf read ({@code /v1/agent/connect/ca/leaf/<svc>?index=N}) waits as Consul's agent
 * does, so that {@code consul connect proxy} does not spin against us: it answered at once.
 */
class LeafBlockingReadTest {
  private static final String LEAF = "/v1/agent/connect/ca/leaf/web";
  private static final Pattern SERIAL = Pattern.compile("\"SerialNumber\":\"([^\"]+)\"");

  @TempDir Path dir;

  @Test
  void blockingLeafReadReturnsWhenTheLeafIsReissuedAfterARootRotation() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      HttpResponse<String> first = f.get(LEAF);
      long index = index(first);
      CompletableFuture<HttpResponse<String>> waiting =
          f.sendAsync("GET", LEAF + "?index=" + index, null); // no wait: Consul's default 5m
      f.server.waiters().whenWaiting(1).get(20, TimeUnit.SECONDS);
      assertThat(waiting).isNotDone();

      f.agent.ca().rotate();
      f.scheduler.runDue();                        // the roots query of the cache returns
      f.scheduler.advance(Duration.ofSeconds(31)); // the re-issue, within the 30 s CA jitter

      HttpResponse<String> woken = waiting.get(20, TimeUnit.SECONDS);
      assertThat(woken.statusCode()).isEqualTo(200);
      assertThat(index(woken)).isGreaterThan(index);
      assertThat(serial(woken)).isNotEqualTo(serial(first));
      assertThat(woken.headers().firstValue("X-Cache")).hasValue("MISS");
      assertThat(woken.headers().firstValue("Age")).isEmpty();
      assertThat(f.server.waitingQueries()).isZero();
    }
  }

  @Test
  void blockingLeafReadWithTheIndexUnchangedReturnsAfterTheWaitWithTheSameLeaf()
      throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      HttpResponse<String> first = f.get(LEAF);
      long index = index(first);
      CompletableFuture<HttpResponse<String>> waiting =
          f.sendAsync("GET", LEAF + "?index=" + index + "&wait=2s", null);
      f.server.waiters().whenWaiting(1).get(20, TimeUnit.SECONDS);

      f.scheduler.advance(Duration.ofSeconds(1));
      assertThat(waiting).isNotDone();
      f.scheduler.advance(Duration.ofSeconds(1)); // no jitter on agent-cached reads, as Consul's

      HttpResponse<String> r = waiting.get(20, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(index(r)).isEqualTo(index);
      assertThat(serial(r)).isEqualTo(serial(first));
      assertThat(r.headers().firstValue("X-Cache")).hasValue("MISS");
      assertThat(f.server.waitingQueries()).isZero();
    }
  }

  @Test
  void leafReadWithIndexZeroReturnsAtOnce() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      HttpResponse<String> first = f.get(LEAF);

      HttpResponse<String> r = f.get(LEAF + "?index=0&wait=10m"); // time does not move

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(index(r)).isEqualTo(index(first));
      assertThat(r.headers().firstValue("X-Cache")).hasValue("HIT");
      assertThat(f.server.waitingQueries()).isZero();
    }
  }

  private static long index(HttpResponse<String> r) {
    return Long.parseLong(r.headers().firstValue("X-Consul-Index").orElseThrow());
  }

  private static String serial(HttpResponse<String> r) {
    Matcher m = SERIAL.matcher(r.body());
    assertThat(m.find()).as("SerialNumber in %s", r.body()).isTrue();
    return m.group(1);
  }
}
