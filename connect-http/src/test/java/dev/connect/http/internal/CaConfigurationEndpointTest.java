package dev.connect.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code PUT /v1/connect/ca/configuration} rotates the root as Consul's does (issue 13). */
class CaConfigurationEndpointTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void putRotatesToANewCrossSignedRootAndKeepsTheOldOne() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      JsonNode before = JSON.readTree(f.get("/v1/connect/ca/roots").body());

      HttpResponse<String> put = f.send("PUT", "/v1/connect/ca/configuration",
          "{\"Provider\":\"consul\",\"Config\":{\"LeafCertTTL\":\"24h\"}}");

      assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
      assertThat(put.body()).isEmpty();
      assertThat(put.headers().firstValue("Content-Type")).isEmpty();
      JsonNode after = JSON.readTree(f.get("/v1/connect/ca/roots").body());
      assertThat(after.get("ActiveRootID").asText())
          .isNotEqualTo(before.get("ActiveRootID").asText());
      assertThat(after.get("Roots")).hasSize(2);
      for (JsonNode root : after.get("Roots")) {
        if (root.get("Active").asBoolean()) {
          assertThat(root.get("IntermediateCerts")).hasSize(1);
        } else {
          assertThat(root.get("ID").asText()).isEqualTo(before.get("ActiveRootID").asText());
        }
      }
      JsonNode config = JSON.readTree(f.get("/v1/connect/ca/configuration").body());
      assertThat(config.get("Provider").asText()).isEqualTo("consul");
      assertThat(config.get("Config").get("LeafCertTTL").asText()).isEqualTo("24h");
    }
  }

  @Test
  void anUnknownProviderIsA400NamingIt() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      HttpResponse<String> put = f.send("PUT", "/v1/connect/ca/configuration",
          "{\"Provider\":\"vault-ish\"}");
      assertThat(put.statusCode()).isEqualTo(400);
      assertThat(put.body()).isEqualTo("could not initialize provider: unknown CA provider"
          + " \"vault-ish\"");
    }
  }
}
