package dev.connect.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load (issue 13): 1,000 blocking queries (agent roots, a leaf, an intention match) held open
 * while normal requests (authorize, agent roots) keep their latency; then one intention write
 * wakes the matches, and only them. The JDK client opens one connection per concurrent request.
 */
class HttpLoadTest {
  /** Blocking queries held open at once. */
  static final int WAITING = 1_000;
  /** Normal requests timed, before and while the queries wait. */
  static final int SAMPLES = 400;
  /**
   * How much slower normal requests may be while the queries wait: generous for a loaded
   * 2-core CI machine, where the idle p50 is well under a millisecond.
   */
  static final int RATIO = 10;
  static final long SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final Duration GUARD = Duration.ofSeconds(60);
  private static final String MATCH = "/v1/connect/intentions/match?by=destination&name=db";

  @TempDir Path dir;

  @Test
  void aThousandWaitingQueriesKeepNormalLatencyAndOneWriteWakesTheMatches() throws Exception {
    HttpServerCore.Settings settings = new HttpServerCore.Settings(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1 << 20, 1 << 20, 10_000,
        WAITING + 200, WAITING + 200, Duration.ofSeconds(5), bound -> 0L, 2);
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(GUARD).build();
    try (AgentFixture f = new AgentFixture(dir, settings)) {
      f.send("PUT", "/v1/connect/intentions/exact?source=api&destination=db",
          "{\"Action\":\"deny\"}");
      String authorize = "{\"Target\":\"db\",\"ClientCertURI\":\"spiffe://"
          + f.agent.trustDomain() + "/ns/default/dc/dc1/svc/web\",\"ClientCertSerial\":\"01\"}";
      long rootsIndex = index(f.get("/v1/agent/connect/ca/roots"));
      long leafIndex = index(f.get("/v1/agent/connect/ca/leaf/web"));
      long matchIndex = index(f.get(MATCH));

      long[] idle = timeNormal(client, f, authorize);

      List<CompletableFuture<HttpResponse<String>>> roots = new ArrayList<>();
      List<CompletableFuture<HttpResponse<String>>> leaves = new ArrayList<>();
      List<CompletableFuture<HttpResponse<String>>> matches = new ArrayList<>();
      for (int i = 0; i < WAITING; i++) {
        switch (i % 3) {
          case 0 -> roots.add(send(client, f, "GET",
              "/v1/agent/connect/ca/roots?index=" + rootsIndex, null));
          case 1 -> leaves.add(send(client, f, "GET",
              "/v1/agent/connect/ca/leaf/web?index=" + leafIndex, null));
          default -> matches.add(send(client, f, "GET", MATCH + "&index=" + matchIndex, null));
        }
      }
      f.server.waiters().whenWaiting(WAITING).get(GUARD.toSeconds(), TimeUnit.SECONDS);
      assertThat(f.server.waitingQueries()).isEqualTo(WAITING);

      long[] loaded = timeNormal(client, f, authorize);
      String report = String.format("normal requests idle p50 %.2f ms p99 %.2f ms; with %d"
          + " waiting p50 %.2f ms p99 %.2f ms", ms(idle, 50), ms(idle, 99), WAITING,
          ms(loaded, 50), ms(loaded, 99));
      System.out.println("HttpLoadTest: " + report);
      assertThat(pct(loaded, 50)).as(report).isLessThanOrEqualTo(pct(idle, 50) * RATIO
          + SLACK_NANOS);
      assertThat(pct(loaded, 99)).as(report).isLessThanOrEqualTo(pct(idle, 99) * RATIO
          + SLACK_NANOS);
      assertThat(f.server.waitingQueries()).as("the queries still wait").isEqualTo(WAITING);

      // One write wakes the intention matches, and nothing else.
      f.send("PUT", "/v1/connect/intentions/exact?source=web&destination=db",
          "{\"Action\":\"allow\"}");
      f.scheduler.runDue(); // the server completes waiting queries on its scheduler
      CompletableFuture.allOf(matches.toArray(CompletableFuture[]::new))
          .get(GUARD.toSeconds(), TimeUnit.SECONDS);
      for (CompletableFuture<HttpResponse<String>> m : matches) {
        assertThat(m.join().statusCode()).isEqualTo(200);
        assertThat(index(m.join())).isGreaterThan(matchIndex);
      }
      assertThat(roots).noneMatch(CompletableFuture::isDone);
      assertThat(leaves).noneMatch(CompletableFuture::isDone);
      assertThat(f.server.waitingQueries()).isEqualTo(WAITING - matches.size());

      // The rest are answered when the server drains, with the data they had.
      f.server.close();
      List<CompletableFuture<HttpResponse<String>>> rest = new ArrayList<>(roots);
      rest.addAll(leaves);
      CompletableFuture.allOf(rest.toArray(CompletableFuture[]::new))
          .get(GUARD.toSeconds(), TimeUnit.SECONDS);
      assertThat(rest).allSatisfy(r -> assertThat(r.join().statusCode()).isEqualTo(200));
    }
  }

  private static long[] timeNormal(HttpClient client, AgentFixture f, String authorize)
      throws Exception {
    long[] nanos = new long[SAMPLES];
    for (int i = 0; i < SAMPLES; i++) {
      long start = System.nanoTime();
      HttpResponse<String> r = i % 2 == 0
          ? send(client, f, "POST", "/v1/agent/connect/authorize", authorize)
              .get(GUARD.toSeconds(), TimeUnit.SECONDS)
          : send(client, f, "GET", "/v1/agent/connect/ca/roots", null)
              .get(GUARD.toSeconds(), TimeUnit.SECONDS);
      nanos[i] = System.nanoTime() - start;
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    Arrays.sort(nanos);
    return nanos;
  }

  private static CompletableFuture<HttpResponse<String>> send(HttpClient client, AgentFixture f,
      String method, String path, String body) {
    return client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + f.server.address().getPort() + path)).timeout(GUARD.multipliedBy(2))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static long index(HttpResponse<String> r) {
    return Long.parseLong(r.headers().firstValue("X-Consul-Index").orElseThrow());
  }

  private static long pct(long[] sorted, int p) {
    return sorted[Math.min(sorted.length - 1, sorted.length * p / 100)];
  }

  private static double ms(long[] sorted, int p) {
    return pct(sorted, p) / 1e6;
  }
}
