package dev.connect.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.peers.ConsulAgent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code --sidecar-for}: the proxy's configuration read from the sidecar service a real Consul
 * agent registered for {@code web} (issue 15), and a clear error naming an ID without one.
 */
class SidecarForAgainstConsulTest {
  private static ConsulAgent consul;

  @BeforeAll
  static void start() throws Exception {
    consul = ConsulAgent.start();
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        consul.httpAddress().resolve("/v1/agent/service/register"))
        .timeout(Duration.ofSeconds(20)).PUT(HttpRequest.BodyPublishers.ofString(
            "{\"ID\":\"web-1\",\"Name\":\"web\",\"Port\":8080,\"Connect\":{\"SidecarService\":"
                + "{\"Port\":21000,\"Proxy\":{\"Upstreams\":[{\"DestinationName\":\"db\","
                + "\"LocalBindPort\":9191}]}}}}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    if (consul != null) {
      consul.close();
    }
  }

  @Test
  void theRegisteredSidecarGivesServiceListenerApplicationAndUpstreams() throws Exception {
    SidecarConfiguration c = SidecarConfiguration.fetch(consul.httpAddress(), Optional.empty(),
        "web-1");
    assertThat(c.service()).isEqualTo("web");
    assertThat(c.listen()).isEqualTo(new InetSocketAddress("0.0.0.0", 21000));
    assertThat(c.application().getPort()).isEqualTo(8080);
    assertThat(c.application().getAddress().isLoopbackAddress()).isTrue();
    assertThat(c.upstreams()).containsExactly(new Upstream("db",
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 9191), Optional.empty()));
  }

  @Test
  void anIdWithoutSidecarIsNamed() {
    assertThatThrownBy(() -> SidecarConfiguration.fetch(consul.httpAddress(), Optional.empty(),
        "billing-1")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no sidecar proxy is registered for service ID billing-1");
  }
}
