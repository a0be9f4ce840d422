package dev.connect.proxy;

import static dev.connect.proxy.ProxyFixture.ANY_LOOPBACK;
import static dev.connect.proxy.ProxyFixture.exchange;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.peers.ConsulAgent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream instances discovered in a real Consul dev agent's catalog through {@code
 * /v1/health/connect/db?passing=1}: a critical instance is never dialed, a dead passing one is
 * skipped by retrying on the next, and every connection reaches the live one (issue 15).
 */
class ConsulDiscoveryAgainstConsulTest {
  private static ConsulAgent consul;
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();

  @TempDir
  Path dir;
  ProxyFixture f;

  @BeforeAll
  static void startConsul() {
    consul = ConsulAgent.start();
  }

  @AfterAll
  static void stopConsul() {
    if (consul != null) {
      consul.close();
    }
  }

  @BeforeEach
  void open() throws Exception {
    f = new ProxyFixture(dir);
  }

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void passingInstancesOnlyAndADeadOneIsSkipped() throws Exception {
    EchoApp app = f.app(false);
    ConnectProxy db = f.open(ConnectProxy.builder(f.agent.service("db"))
        .publicListener(ANY_LOOPBACK, app.address()).start());
    int dead = freePort();
    int critical = freePort();
    register("{\"ID\":\"db-live\",\"Name\":\"db\",\"Address\":\"127.0.0.1\",\"Port\":"
        + db.publicAddress().orElseThrow().getPort() + ",\"Connect\":{\"Native\":true}}");
    register("{\"ID\":\"db-dead\",\"Name\":\"db\",\"Address\":\"127.0.0.1\",\"Port\":" + dead
        + ",\"Connect\":{\"Native\":true}}");
    register("{\"ID\":\"db-critical\",\"Name\":\"db\",\"Address\":\"127.0.0.1\",\"Port\":"
        + critical + ",\"Connect\":{\"Native\":true},"
        + "\"Check\":{\"TTL\":\"10m\",\"Status\":\"critical\"}}");

    ConsulDiscovery discovery = f.open(ConsulDiscovery.create(consul.httpAddress(),
        Optional.empty()));
    ConnectProxy web = f.open(ConnectProxy.builder(f.agent.service("web"))
        .discovery(discovery).upstream(new Upstream("db", ANY_LOOPBACK, Optional.empty()))
        .start());

    assertThat(discovery.instances("db")).containsExactlyInAnyOrder(
        new InetSocketAddress("127.0.0.1", db.publicAddress().orElseThrow().getPort()),
        new InetSocketAddress("127.0.0.1", dead));
    for (int i = 0; i < 4; i++) {
      assertThat(exchange(web.upstreamAddress("db"), "call " + i)).isEqualTo("call " + i);
    }
    assertThat(app.accepted).hasValue(4);
    assertThat(discovery.lastError("db")).isEmpty();
  }

  @Test
  void aServiceNotWatchedIsAnErrorNamingIt() {
    try (ConsulDiscovery discovery = ConsulDiscovery.create(consul.httpAddress(),
        Optional.empty())) {
      assertThatThrownBy(() -> discovery.instances("billing"))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("billing");
    }
  }

  private static void register(String json) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
        consul.httpAddress().resolve("/v1/agent/service/register"))
        .timeout(Duration.ofSeconds(20))
        .PUT(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  private static int freePort() throws java.io.IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

}
