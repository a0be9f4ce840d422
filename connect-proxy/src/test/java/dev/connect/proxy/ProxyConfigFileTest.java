package dev.connect.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JSON configuration file with {@code consul connect proxy}'s names (issue 15): Consul's
 * example reads as Consul reads it; what we do not support is refused naming its path, never
 * ignored; the builder's provider is set once.
 */
class ProxyConfigFileTest {
  private static ProxyConfigFile parse(String json) {
    return ProxyConfigFile.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void consulsNamesConfigureTheServiceListenerAndUpstreams() throws Exception {
    ProxyConfigFile c = parse("""
        {"proxied_service_name": "web", "proxied_service_namespace": "default",
         "public_listener": {"bind_port": 21000, "local_service_address": "127.0.0.1:8080",
                             "local_connect_timeout_ms": 1500},
         "upstreams": [
           {"destination_name": "db", "local_bind_port": 9191, "destination_type": "service"},
           {"destination_name": "cache", "local_bind_address": "127.0.0.2",
            "local_bind_port": 9192, "static_address": "127.0.0.1:21001"}]}
        """);
    assertThat(c.service()).hasValue("web");
    assertThat(c.listen()).hasValue(new InetSocketAddress(InetAddress.getByName("0.0.0.0"),
        21000));
    assertThat(c.application()).hasValue(new InetSocketAddress("127.0.0.1", 8080));
    assertThat(c.connectTimeout()).hasValue(Duration.ofMillis(1500));
    assertThat(c.upstreams()).containsExactly(
        new Upstream("db", new InetSocketAddress(InetAddress.getLoopbackAddress(), 9191),
            Optional.empty()),
        new Upstream("cache", new InetSocketAddress("127.0.0.2", 9192),
            Optional.of(new InetSocketAddress("127.0.0.1", 21001))));
  }

  @Test
  void anUpstreamOnlyFileHasNoListener() {
    ProxyConfigFile c = parse("{\"upstreams\":[{\"destination_name\":\"db\","
        + "\"local_bind_port\":0}]}");
    assertThat(c.service()).isEmpty();
    assertThat(c.listen()).isEmpty();
    assertThat(c.application()).isEmpty();
  }

  @Test
  void unsupportedOrInvalidSettingsAreRefusedNamingTheirPath() {
    assertThatThrownBy(() -> parse("{\"token\":\"s3cr3t\"}"))
        .hasMessageContaining("token is not supported").hasMessageNotContaining("s3cr3t");
    assertThatThrownBy(() -> parse("{\"public_listener\":{\"bind_port\":1,"
        + "\"local_service_address\":\"127.0.0.1:1\",\"handshake_timeout_ms\":5}}"))
        .hasMessageContaining("public_listener.handshake_timeout_ms is not supported");
    assertThatThrownBy(() -> parse("{\"upstreams\":[{\"destination_name\":\"db\","
        + "\"local_bind_port\":1,\"destination_type\":\"prepared_query\"}]}"))
        .hasMessageContaining("upstreams[0].destination_type prepared_query is not supported");
    assertThatThrownBy(() -> parse("{\"upstreams\":[{\"destination_name\":\"db\"}]}"))
        .hasMessageContaining("upstreams[0].local_bind_port is missing");
    assertThatThrownBy(() -> parse("{\"upstreams\":[{\"destination_name\":\"db\","
        + "\"local_bind_port\":70000}]}"))
        .hasMessageContaining("upstreams[0].local_bind_port must be a port")
        .hasMessageContaining("70000");
    assertThatThrownBy(() -> parse("{\"public_listener\":{\"bind_port\":1}}"))
        .hasMessageContaining("public_listener.local_service_address (host:port) is missing");
    assertThatThrownBy(() -> parse("{\"proxied_service_name\":\"Web!\"}"))
        .hasMessageContaining("proxied_service_name \"Web!\"");
    assertThatThrownBy(() -> parse("{\"upstreams\":[{\"destination_name\":\"db\","
        + "\"local_bind_port\":1,\"destination_namespace\":\"team\"}]}"))
        .hasMessageContaining("upstreams[0].destination_namespace team is not supported");
    assertThatThrownBy(() -> parse("[1]")).hasMessageContaining("must be a JSON object");
    assertThatThrownBy(() -> parse("{\"upstreams\":")).hasMessageContaining("malformed JSON");
  }

  @Test
  void theProviderIsSetOnceNamingTheFirst(@TempDir Path dir) throws Exception {
    try (ProxyFixture f = new ProxyFixture(dir)) {
      ConnectProxy.Builder b = ConnectProxy.builder(f.agent.service("web"))
          .provider(io.netty.handler.ssl.SslProvider.JDK);
      assertThatThrownBy(() -> b.provider(io.netty.handler.ssl.SslProvider.OPENSSL))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("provider was already set to JDK");
    }
  }
}
