package dev.connect.http.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.http.ConnectHttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generic HTTP rules of a Consul agent (issue 13): status, headers, errors, limits, drain. */
class HttpServerBasicsTest {
  @TempDir Path dir;

  @Test
  void unknownPathIsA404WithNoBodyAndNoConsulHeaders() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      HttpResponse<String> r = f.get("/v1/agent/connect/nope");
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(r.body()).isEmpty();
      assertThat(r.headers().firstValue("X-Consul-Default-Acl-Policy")).isEmpty();
      assertThat(r.headers().firstValue("Content-Length")).hasValue("0");
    }
  }

  @Test
  void wrongMethodIsA405WithAllowAsConsulWritesIt() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      HttpResponse<String> r = f.send("DELETE", "/v1/agent/connect/ca/roots", null);
      assertThat(r.statusCode()).isEqualTo(405);
      assertThat(r.body()).isEqualTo("method DELETE not allowed");
      assertThat(r.headers().firstValue("Allow")).hasValue("OPTIONS,GET");
      assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
      assertThat(r.headers().firstValue("X-Consul-Default-Acl-Policy")).hasValue("allow");
      assertThat(r.headers().firstValue("Vary")).hasValue("Accept-Encoding");

      String head = f.raw(("HEAD /v1/agent/connect/ca/roots HTTP/1.1\r\nHost: x\r\n"
          + "Connection: close\r\n\r\n").getBytes(US_ASCII));
      assertThat(head).startsWith("HTTP/1.1 405").containsIgnoringCase("Content-Length: 23")
          .endsWith("\r\n\r\n");
    }
  }

  @Test
  void optionsAnswersWithAllow() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      HttpResponse<String> r = f.send("OPTIONS", "/v1/connect/ca/roots", null);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Allow")).hasValue("OPTIONS,GET");
    }
  }

  @Test
  void leaderIsCompactJsonAndPrettyOnRequest() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      HttpResponse<String> r = f.get("/v1/status/leader");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
      assertThat(r.body()).matches("\"127\\.0\\.0\\.1:\\d+\"");

      HttpResponse<String> roots = f.get("/v1/connect/ca/roots?pretty");
      assertThat(roots.body()).startsWith("{\n    \"ActiveRootID\": \"").endsWith("}\n");
      assertThat(f.get("/v1/connect/ca/roots").body()).startsWith("{\"ActiveRootID\":\"")
          .doesNotEndWith("\n");
    }
  }

  @Test
  void badWaitAndIndexAreConsuls400s() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      HttpResponse<String> w = f.get("/v1/connect/ca/roots?index=3&wait=abc");
      assertThat(w.statusCode()).isEqualTo(400);
      assertThat(w.body()).isEqualTo("Invalid wait time");
      HttpResponse<String> i = f.get("/v1/agent/connect/ca/roots?index=abc");
      assertThat(i.statusCode()).isEqualTo(400);
      assertThat(i.body()).isEqualTo("Invalid index");
      assertThat(i.headers().firstValue("X-Consul-Default-Acl-Policy")).hasValue("allow");
    }
  }

  @Test
  void malformedPercentEncodingIsA400NamingIt() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      String r = f.raw(("GET /v1/connect/ca/roots?x=%zz HTTP/1.1\r\nHost: x\r\n"
          + "Connection: close\r\n\r\n").getBytes(US_ASCII));
      assertThat(r).startsWith("HTTP/1.1 400").contains("%zz");
    }
  }

  @Test
  void aWriteWakesAWaitingQuery() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      HttpResponse<String> first = f.get("/v1/connect/ca/roots");
      long index = Long.parseLong(first.headers().firstValue("X-Consul-Index").orElseThrow());
      CompletableFuture<HttpResponse<String>> waiting =
          f.sendAsync("GET", "/v1/connect/ca/roots?index=" + index + "&wait=10m", null);
      f.server.waiters().whenWaiting(1).get(20, TimeUnit.SECONDS);
      assertThat(waiting).isNotDone();

      f.agent.ca().rotate();
      f.scheduler.runDue();   // the server completes waiting queries on its scheduler

      HttpResponse<String> woken = waiting.get(20, TimeUnit.SECONDS);
      assertThat(woken.statusCode()).isEqualTo(200);
      assertThat(Long.parseLong(woken.headers().firstValue("X-Consul-Index").orElseThrow()))
          .isGreaterThan(index);
      assertThat(woken.body()).isNotEqualTo(first.body());
    }
  }

  @Test
  void waitElapsesWithTheIndexUnchanged() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      HttpResponse<String> first = f.get("/v1/agent/connect/ca/roots");
      String index = first.headers().firstValue("X-Consul-Index").orElseThrow();
      CompletableFuture<HttpResponse<String>> waiting =
          f.sendAsync("GET", "/v1/agent/connect/ca/roots?index=" + index + "&wait=2s", null);
      f.server.waiters().whenWaiting(1).get(20, TimeUnit.SECONDS);

      f.scheduler.advance(Duration.ofSeconds(1));
      assertThat(waiting).isNotDone();
      f.scheduler.advance(Duration.ofSeconds(1));

      HttpResponse<String> r = waiting.get(20, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("X-Consul-Index")).hasValue(index);
    }
  }

  @Test
  void tooManyWaitingQueriesFromOneClientIsA429() throws Exception {
    try (AgentFixture f = new AgentFixture(dir, AgentFixture.settings(200, 1, 1 << 20,
        1 << 20))) {
      String index = f.get("/v1/connect/ca/roots").headers().firstValue("X-Consul-Index")
          .orElseThrow();
      CompletableFuture<HttpResponse<String>> one =
          f.sendAsync("GET", "/v1/connect/ca/roots?index=" + index, null);
      f.server.waiters().whenWaiting(1).get(20, TimeUnit.SECONDS);
      HttpResponse<String> two = f.get("/v1/connect/ca/roots?index=" + index);
      assertThat(two.statusCode()).isEqualTo(429);
      assertThat(two.body()).contains("127.0.0.1").contains("at most 1");
      assertThat(one).isNotDone();
    }
  }

  @Test
  void oversizedHeadersAreA431AndOversizedBodiesA413NamingTheLimit() throws Exception {
    try (AgentFixture f = new AgentFixture(dir, AgentFixture.settings(200, 200, 4096, 1000))) {
      String big = "x".repeat(8000);
      String h = f.raw(("GET /v1/status/leader HTTP/1.1\r\nHost: x\r\nX-Big: " + big
          + "\r\n\r\n").getBytes(US_ASCII));
      assertThat(h).startsWith("HTTP/1.1 431");

      String b = f.raw(("POST /v1/agent/connect/authorize HTTP/1.1\r\nHost: x\r\n"
          + "Content-Length: 5000\r\n\r\n" + "y".repeat(5000)).getBytes(US_ASCII));
      assertThat(b).startsWith("HTTP/1.1 413").contains("5000 bytes, the limit is 1000 bytes")
          .containsIgnoringCase("X-Consul-Default-Acl-Policy: allow");
    }
  }

  @Test
  void connectionsOverThePerClientLimitGetConsuls429() throws Exception {
    try (AgentFixture f = new AgentFixture(dir, AgentFixture.settings(1, 200, 1 << 20,
        1 << 20));
        Socket held = new Socket(InetAddress.getLoopbackAddress(), f.server.address().getPort())) {
      held.getOutputStream().write(("GET /v1/status/leader HTTP/1.1\r\nHost: x\r\n\r\n")
          .getBytes(US_ASCII));
      held.setSoTimeout(20_000);
      // The held connection is answered, so it is counted before the next one opens.
      assertThat(new String(held.getInputStream().readNBytes(12), US_ASCII))
          .isEqualTo("HTTP/1.1 200");
      String r = f.raw("GET /v1/status/leader HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(US_ASCII));
      assertThat(r).startsWith("HTTP/1.1 429 Too Many Requests")
          .contains(ConnectionLimiter.MESSAGE);
    }
  }

  @Test
  void drainAnswersWaitingQueriesAndStopsAccepting() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      String index = f.get("/v1/connect/ca/roots").headers().firstValue("X-Consul-Index")
          .orElseThrow();
      CompletableFuture<HttpResponse<String>> waiting =
          f.sendAsync("GET", "/v1/connect/ca/roots?index=" + index + "&wait=10m", null);
      f.server.waiters().whenWaiting(1).get(20, TimeUnit.SECONDS);
      int port = f.server.address().getPort();

      f.server.close();

      HttpResponse<String> r = waiting.get(20, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("X-Consul-Index")).hasValue(index);
      assertThat(r.body()).startsWith("{\"ActiveRootID\"");
      assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
          .isInstanceOf(java.net.ConnectException.class);
    }
  }

  @Test
  void plainHttpOnANonLoopbackAddressIsRefusedNamingIt() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      assertThatThrownBy(() -> ConnectHttpServer.builder(f.agent)
          .address(new InetSocketAddress("0.0.0.0", 8500)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("0.0.0.0:8500").hasMessageContaining("loopback");
    }
  }
}
