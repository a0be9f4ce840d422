package dev.connect.ca.vault;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connect.agent.ConnectAgent;
import dev.connect.ca.CaConfiguration;
import dev.connect.consul.ConsulBackend;
import dev.connect.core.CaRoots;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.QueryOptions;
import dev.connect.http.ConnectHttpServer;
import dev.connect.peers.VaultDev;
import dev.connect.server.EmbeddedServer;
import dev.connect.testkit.FakeScheduler;
import dev.connect.testkit.FakeTime;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET|PUT /v1/connect/ca/configuration} of {@code connect agent} when Vault signs: GET
 * names the vault provider with Consul's {@code Config} keys and never the token (Consul
 * documents {@code Token} as write-only); a PUT naming vault with another {@code RootPKIPath}
 * rotates to a new root cross-signed by the old one; a PUT naming the consul provider, or another
 * token, is refused with 400 naming it. Against a real Vault dev server.
 */
class VaultCaConfigurationOverHttpTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();

  @TempDir Path dir;
  private VaultDev vault;
  private FakeScheduler scheduler;
  private EmbeddedServer server;
  private ConnectAgent agent;
  private ConnectHttpServer http;

  @BeforeEach
  void start() throws Exception {
    vault = VaultDev.start();
    FakeTime time = FakeTime.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    scheduler = FakeScheduler.on(time);
    VaultConfiguration c = VaultConfiguration.builder().address(vault.address().toString())
        .token(vault.rootToken()).rootPkiPath("connect-root")
        .intermediatePkiPath("connect-intermediate").build();
    server = EmbeddedServer.builder().dataDirectory(dir.resolve("data")).clock(time)
        .scheduler(scheduler).caProvider(VaultCaProvider.factory(c)).open();
    agent = ConnectAgent.builder().backend(server)
        .defaultIntentionPolicy(DefaultIntentionPolicy.ACLS_DISABLED).clock(time).ticker(time)
        .scheduler(scheduler).build();
    http = ConnectHttpServer.builder(agent)
        .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).start();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (http != null) {
        http.close();
      }
      if (agent != null) {
        agent.close();
      }
      if (server != null) {
        server.close();
      }
    } finally {
      scheduler.shutdownNow();
      vault.close();
    }
  }

  @Test
  void getNamesTheVaultProviderWithConsulsKeysAndNeverTheToken() throws Exception {
    HttpResponse<String> got = call("GET", "/v1/connect/ca/configuration", null);
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.body()).doesNotContain(vault.rootToken());
    JsonNode body = MAPPER.readTree(got.body());
    assertThat(body.path("Provider").asText()).isEqualTo("vault");
    JsonNode config = body.path("Config");
    assertThat(config.path("Address").asText()).isEqualTo(vault.address().toString());
    assertThat(config.path("RootPKIPath").asText()).isEqualTo("connect-root");
    assertThat(config.path("IntermediatePKIPath").asText()).isEqualTo("connect-intermediate");
    assertThat(config.path("LeafCertTTL").asText()).isEqualTo("72h");
    assertThat(config.has("Token")).isFalse();
  }

  @Test
  void putWithAnotherRootPkiPathRotatesToANewRootCrossSignedByTheOld() throws Exception {
    JsonNode before = MAPPER.readTree(call("GET", "/v1/connect/ca/roots", null).body());
    String oldRoot = before.path("ActiveRootID").asText();

    HttpResponse<String> put = call("PUT", "/v1/connect/ca/configuration",
        "{\"Provider\":\"vault\",\"Config\":{\"Address\":\"" + vault.address()
            + "\",\"RootPKIPath\":\"connect-root-2\",\"IntermediatePKIPath\":"
            + "\"connect-intermediate\",\"LeafCertTTL\":\"72h\"}}");
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);

    JsonNode after = MAPPER.readTree(call("GET", "/v1/connect/ca/roots", null).body());
    String newRoot = after.path("ActiveRootID").asText();
    assertThat(newRoot).isNotEqualTo(oldRoot);
    assertThat(after.path("Roots")).hasSize(2);
    for (JsonNode r : after.path("Roots")) {
      if (r.path("ID").asText().equals(newRoot)) {
        // The intermediate under the new root, then the new root cross-signed by the old.
        assertThat(r.path("IntermediateCerts")).hasSize(2);
      }
    }
    JsonNode config = MAPPER.readTree(call("GET", "/v1/connect/ca/configuration", null).body());
    assertThat(config.path("Config").path("RootPKIPath").asText()).isEqualTo("connect-root-2");
  }

  @Test
  void putNamingTheConsulProviderOrAnotherTokenIsRefusedNamingIt() throws Exception {
    HttpResponse<String> consul = call("PUT", "/v1/connect/ca/configuration",
        "{\"Provider\":\"consul\",\"Config\":{\"LeafCertTTL\":\"72h\"}}");
    assertThat(consul.statusCode()).isEqualTo(400);
    assertThat(consul.body())
        .contains("switching the CA provider from vault to consul is not supported");

    HttpResponse<String> token = call("PUT", "/v1/connect/ca/configuration",
        "{\"Provider\":\"vault\",\"Config\":{\"Token\":\"s.not-the-configured-one\"}}");
    assertThat(token.statusCode()).isEqualTo(400);
    assertThat(token.body()).contains("Vault Token cannot be changed")
        .doesNotContain("s.not-the-configured-one").doesNotContain(vault.rootToken());
  }

  /**
   * A client that changes only the common settings ({@code ConsulBackend.caSetConfig}, what
   * {@code connect ca rotate} and {@code set-config} send over HTTP) keeps the vault provider and
   * its mounts: it used to name the consul provider, which the agent now refuses as a switch.
   */
  @Test
  void aConsulClientSettingTheCommonConfigurationKeepsTheVaultProvider() throws Exception {
    JsonNode before = MAPPER.readTree(call("GET", "/v1/connect/ca/roots", null).body());
    try (ConsulBackend client = ConsulBackend.builder().environment(Map.of())
        .address("http://127.0.0.1:" + http.address().getPort()).build()) {
      CaConfiguration config = client.caGetConfig(QueryOptions.defaults()).get(30, SECONDS);
      CaRoots roots = client.caSetConfig(CaConfiguration.builder()
          .leafCertTtl(Duration.ofHours(24)).keySpec(config.keySpec()).build(),
          QueryOptions.defaults()).get(30, SECONDS);

      assertThat(roots.activeRootId()).isEqualTo(before.path("ActiveRootID").asText());
      assertThat(client.caGetConfig(QueryOptions.defaults()).get(30, SECONDS).leafCertTtl())
          .isEqualTo(Duration.ofHours(24));
    }
    JsonNode config = MAPPER.readTree(call("GET", "/v1/connect/ca/configuration", null).body());
    assertThat(config.path("Provider").asText()).isEqualTo("vault");
    assertThat(config.path("Config").path("RootPKIPath").asText()).isEqualTo("connect-root");
  }

  private HttpResponse<String> call(String method, String path, String body) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + http.address().getPort() + path);
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body)).build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
