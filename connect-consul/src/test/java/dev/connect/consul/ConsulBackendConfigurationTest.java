package dev.connect.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend's configuration, read as Consul's tools read it from an injected environment and
 * overridden in the builder (issue 14).
 */
class ConsulBackendConfigurationTest {
  @TempDir Path dir;

  private static ConsulBackend build(ConsulBackend.Builder b) throws Exception {
    return b.build();
  }

  @Test
  void theAddressDefaultsToLoopback8500AndTakesEveryFormConsulTakes() throws Exception {
    try (ConsulBackend d = build(ConsulBackend.builder().environment(Map.of()));
        ConsulBackend plain = build(ConsulBackend.builder()
            .environment(Map.of("CONSUL_HTTP_ADDR", "10.0.0.1:8501")));
        ConsulBackend https = build(ConsulBackend.builder()
            .environment(Map.of("CONSUL_HTTP_ADDR", "https://consul.example:8501")));
        ConsulBackend overridden = build(ConsulBackend.builder()
            .environment(Map.of("CONSUL_HTTP_ADDR", "10.0.0.1:8501")).address("127.0.0.2:1"))) {
      assertThat(d.address()).hasToString("http://127.0.0.1:8500/");
      assertThat(plain.address()).hasToString("http://10.0.0.1:8501/");
      assertThat(https.address()).hasToString("https://consul.example:8501/");
      assertThat(overridden.address()).hasToString("http://127.0.0.2:1/");
    }
  }

  @Test
  void anAddressConsulWouldNotTakeIsRefusedNamingIt() {
    assertThatThrownBy(() -> build(ConsulBackend.builder()
        .environment(Map.of("CONSUL_HTTP_ADDR", "unix:///var/run/consul.sock"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CONSUL_HTTP_ADDR").hasMessageContaining("unix:///var/run");
    assertThatThrownBy(() -> ConsulBackend.builder().address("http://h:1/v1/agent"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http://h:1/v1/agent");
  }

  @Test
  void theTokenFileWinsOverTheTokenAsInConsulsApiClientAndTheBuilderOverBoth() throws Exception {
    Path file = Files.writeString(dir.resolve("token"), "  from-file\n");
    assertThat(resolvedToken(Map.of("CONSUL_HTTP_TOKEN", "from-env",
        "CONSUL_HTTP_TOKEN_FILE", file.toString()), null)).isEqualTo("from-file");
    assertThat(resolvedToken(Map.of("CONSUL_HTTP_TOKEN", "from-env"), null))
        .isEqualTo("from-env");
    assertThat(resolvedToken(Map.of("CONSUL_HTTP_TOKEN", "from-env",
        "CONSUL_HTTP_TOKEN_FILE", file.toString()), "from-builder")).isEqualTo("from-builder");
    assertThat(resolvedToken(Map.of(), null)).isNull();
  }

  /** The token a query without one carries, seen on the wire by a local server. */
  private static String resolvedToken(Map<String, String> env, String builderToken)
      throws Exception {
    com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    String[] seen = new String[1];
    server.createContext("/", e -> {
      seen[0] = e.getRequestHeaders().getFirst("X-Consul-Token");
      e.sendResponseHeaders(599, -1);
      e.close();
    });
    server.start();
    try {
      java.util.HashMap<String, String> all = new java.util.HashMap<>(env);
      all.put("CONSUL_HTTP_ADDR", "127.0.0.1:" + server.getAddress().getPort());
      ConsulBackend.Builder b = ConsulBackend.builder().environment(all);
      if (builderToken != null) {
        b.token(builderToken);
      }
      try (ConsulBackend backend = b.build()) {
        assertThatThrownBy(() -> ConsulBackendReplayTest.get(
            backend.roots(dev.connect.core.QueryOptions.defaults())))
            .isInstanceOf(ConsulHttpException.class).hasMessageContaining("599");
        assertThat(backend.toString()).doesNotContain("from-");
      }
      return seen[0];
    } finally {
      server.stop(0);
    }
  }

  @Test
  void sslVerifyIsReadAsGoReadsBooleansAndNonsenseIsRefused() {
    assertThatThrownBy(() -> build(ConsulBackend.builder().environment(Map.of(
        "CONSUL_HTTP_ADDR", "https://127.0.0.1:8501", "CONSUL_HTTP_SSL_VERIFY", "nope"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("CONSUL_HTTP_SSL_VERIFY must be a boolean (true, false, 1, 0, ...): \"nope\"");
  }

  @Test
  void aClientCertificateWithoutItsKeyIsRefused() {
    assertThatThrownBy(() -> build(ConsulBackend.builder().environment(Map.of(
        "CONSUL_HTTP_ADDR", "https://127.0.0.1:8501", "CONSUL_CLIENT_CERT", "/x/cert.pem"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only CONSUL_CLIENT_CERT is set");
  }

  @Test
  void eachSettingIsGivenOnceAndTheTokenIsNeverShown() {
    ConsulBackend.Builder b = ConsulBackend.builder().token("t0ps3cret");
    assertThatThrownBy(() -> b.token("other")).isInstanceOf(IllegalStateException.class)
        .hasMessageNotContaining("t0ps3cret");
    ConsulBackend.Builder c = ConsulBackend.builder().datacenter("dc2");
    assertThatThrownBy(() -> c.datacenter("dc3")).hasMessageContaining("dc2");
  }
}
