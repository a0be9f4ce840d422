package dev.connect.proxy;

import static dev.connect.proxy.ProxyFixture.ANY_LOOPBACK;
import static dev.connect.proxy.ProxyFixture.exchange;
import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.consul.ConsulBackend;
import dev.connect.http.ConnectHttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our proxies on {@code connect agent} (issue 15), over its HTTPS listener as {@code
 * CONSUL_HTTP_ADDR=https://... CONSUL_CACERT=ca.pem} configure them: db registers with a sidecar
 * ({@code PUT /v1/agent/service/register}); db's proxy reads its configuration from that
 * sidecar (as {@code --sidecar-for db-1}); web's upstream finds db's instance through {@code
 * /v1/health/connect/db}, and an application speaking plain TCP to it reaches db's application.
 */
class ProxyOnConnectAgentOverHttpsTest {
  @TempDir
  Path dir;
  ProxyFixture f;
  ConnectHttpServer server;

  @BeforeEach
  void open() throws Exception {
    f = new ProxyFixture(dir.resolve("data"));
    InetAddress loopback = InetAddress.getLoopbackAddress();
    server = ConnectHttpServer.builder(f.agent).address(new InetSocketAddress(loopback, 0))
        .https(new InetSocketAddress(loopback, 0)).start();
  }

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
    f.close();
  }

  @Test
  void anUpstreamFoundThroughServiceRegistrationOverHttpsReachesItsApplication()
      throws Exception {
    HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    URI http = URI.create("http://127.0.0.1:" + server.address().getPort());
    Path ca = dir.resolve("ca.pem");
    Files.writeString(ca, send(plain, HttpRequest.newBuilder(
        http.resolve("/v1/connect/ca/roots?pem=true")).GET()));

    EchoApp dbApp = f.app(false);
    int sidecarPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      sidecarPort = s.getLocalPort();
    }
    send(plain, HttpRequest.newBuilder(http.resolve("/v1/agent/service/register"))
        .PUT(HttpRequest.BodyPublishers.ofString("{\"ID\":\"db-1\",\"Name\":\"db\",\"Port\":"
            + dbApp.address().getPort() + ",\"Connect\":{\"SidecarService\":{\"Port\":"
            + sidecarPort + ",\"Proxy\":{\"Config\":{\"bind_address\":\"127.0.0.1\"}}}}}")));

    String https = "https://127.0.0.1:" + server.httpsAddress().orElseThrow().getPort();
    try (ConsulBackend backend = ConsulBackend.builder().environment(Map.of(
            "CONSUL_HTTP_ADDR", https, "CONSUL_CACERT", ca.toString())).build();
        ConsulDiscovery discovery = ConsulDiscovery.over(backend)) {
      assertThat(backend.address().getScheme()).isEqualTo("https");

      SidecarConfiguration sidecar = SidecarConfiguration.fetch(backend, "db-1");
      assertThat(sidecar.service()).isEqualTo("db");
      assertThat(sidecar.listen())
          .isEqualTo(new InetSocketAddress(InetAddress.getLoopbackAddress(), sidecarPort));
      assertThat(sidecar.application()).isEqualTo(dbApp.address());
      f.open(ConnectProxy.builder(f.agent.service(sidecar.service()))
          .publicListener(sidecar.listen(), sidecar.application()).start());

      ConnectProxy web = f.open(ConnectProxy.builder(f.agent.service("web"))
          .discovery(discovery).upstream(new Upstream("db", ANY_LOOPBACK, Optional.empty()))
          .start());
      assertThat(discovery.instances("db"))
          .containsExactly(new InetSocketAddress("127.0.0.1", sidecarPort));
      assertThat(discovery.lastError("db")).isEmpty();

      assertThat(exchange(web.upstreamAddress("db"), "found over https"))
          .isEqualTo("found over https");
      assertThat(dbApp.accepted).hasValue(1);
      assertThat(web.metrics().handshakesAllowed()).isEqualTo(1);
    }
  }

  private static String send(HttpClient client, HttpRequest.Builder request) throws Exception {
    HttpResponse<String> r = client.send(request.timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }
}
