package dev.connect.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link HttpFuzzTest} found, one test each, named after the problem: each request got a
 * 500, or an answer quoting Java exception classes, before its fix.
 */
class FuzzFindingsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void intentionMetaWithANullValueIsStoredEmptyAsConsulDoesNotA500() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      HttpResponse<String> created = f.send("POST", "/v1/connect/intentions",
          "{\"SourceName\":\"web\",\"DestinationName\":\"db\",\"Action\":\"allow\","
              + "\"Meta\":{\"owner\":null,\"team\":\"a\"}}");
      assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
      String id = JSON.readTree(created.body()).get("ID").asText();
      JsonNode read = JSON.readTree(f.get("/v1/connect/intentions/" + id).body());
      assertThat(read.get("Meta").get("owner").asText()).isEmpty();
      assertThat(read.get("Meta").get("team").asText()).isEqualTo("a");

      HttpResponse<String> exact = f.send("PUT",
          "/v1/connect/intentions/exact?source=api&destination=db",
          "{\"Action\":\"deny\",\"Meta\":{\"k\":null}}");
      assertThat(exact.statusCode()).as(exact.body()).isLessThan(500);
    }
  }

  @Test
  void aCaConfigurationWithACorruptRootPemIsRefusedWithoutJavaClassNames() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      // Seed 26033230649331: a byte of the root's base64 turned to '?'.
      String pem = "-----BEGIN CERTIFICATE-----\nMIIB?jCCASSgAwIBAgIBATAKBggqhkjOPQQDAjAA\n"
          + "-----END CERTIFICATE-----\n";
      HttpResponse<String> r = f.send("PUT", "/v1/connect/ca/configuration",
          "{\"Provider\":\"consul\",\"Config\":{\"RootCert\":" + JSON.writeValueAsString(pem)
              + ",\"PrivateKey\":\"x\"}}");
      assertThat(r.statusCode()).as(r.body()).isBetween(400, 499);
      assertThat(r.body()).contains("malformed certificate PEM: Illegal base64 character 3f")
          .doesNotContain("Exception");
    }
  }
}
