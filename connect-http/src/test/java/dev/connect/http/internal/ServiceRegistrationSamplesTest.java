package dev.connect.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Service registration against the recorded Consul 1.10.4 agent (issue 13): the five
 * registrations of run A replayed in their recorded order, then every read Consul answered after
 * them, compared on status and, where the values are deterministic, on the whole body: Consul's
 * services, ports (the sidecar range and its rules), tagged addresses, proxies and Connect blocks.
 */
class ServiceRegistrationSamplesTest {
  private static final Path SAMPLES = Path.of("..", "..", "shared", "consul-samples");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> REGISTRATIONS = List.of("agent-service-register-web-native",
      "agent-service-register-db-sidecar", "agent-service-register-api-sidecar-upstreams",
      "agent-service-register-bad-native-and-sidecar", "agent-service-register-bad-proxy-no-dest");

  @TempDir Path dir;

  @BeforeEach
  void samplesPresent() {
    Assumptions.assumeTrue(Files.exists(SAMPLES.resolve("agent-services.json")),
        "samples not present: " + SAMPLES.toAbsolutePath());
  }

  private static JsonNode sample(String name) throws Exception {
    return JSON.readTree(SAMPLES.resolve(name + ".json").toFile());
  }

  /** Replays the recorded registrations; each answers with the recorded status and body. */
  private static void registerAsRecorded(AgentFixture f) throws Exception {
    for (String name : REGISTRATIONS) {
      JsonNode s = sample(name);
      HttpResponse<String> r = f.send("PUT", s.get("request").get("path").asText(),
          JSON.writeValueAsString(s.get("request").get("body")));
      JsonNode expected = s.get("response");
      assertThat(r.statusCode()).as(name + ": " + r.body())
          .isEqualTo(expected.get("status").asInt());
      assertThat(r.body()).as(name).isEqualTo(expected.get("body").asText());
      if (r.statusCode() == 200) {
        assertThat(r.headers().firstValue("Content-Type")).as(name).isEmpty();
      }
    }
  }

  @Test
  void agentServicesListsTheRegisteredServicesAndTheirSidecarsAsConsulDoes() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      registerAsRecorded(f);
      HttpResponse<String> r = f.get("/v1/agent/services");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("X-Consul-Index")).isEmpty();
      assertThat(JSON.readTree(r.body()))
          .isEqualTo(sample("agent-services").get("response").get("body"));
    }
  }

  @Test
  void agentServiceReadsOneServiceWithItsContentHash() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      registerAsRecorded(f);
      for (String name : List.of("agent-service-web-1", "agent-service-db-sidecar-proxy")) {
        JsonNode expected = sample(name).get("response");
        HttpResponse<String> r = f.get(sample(name).get("request").get("path").asText());
        assertThat(r.statusCode()).as(name).isEqualTo(200);
        ObjectNode ours = (ObjectNode) JSON.readTree(r.body());
        String hash = ours.get("ContentHash").asText();
        assertThat(hash).matches("[0-9a-f]{16}");
        assertThat(r.headers().firstValue("X-Consul-Contenthash")).hasValue(hash);
        ObjectNode theirs = ((ObjectNode) expected.get("body")).deepCopy();
        theirs.put("ContentHash", hash); // Consul hashes its Go struct; ours differs (docs)
        assertThat(ours).as(name).isEqualTo(theirs);
      }
      HttpResponse<String> missing = f.get("/v1/agent/service/nope");
      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(missing.body()).isEqualTo(sample("agent-service-missing").get("response")
          .get("body").asText());
    }
  }

  @Test
  void healthAndCatalogConnectReturnTheProxiesOfAServiceAndNativeServicesThemselves()
      throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      registerAsRecorded(f);
      for (String svc : List.of("db", "web", "api", "nosuch")) {
        JsonNode health = sample("health-connect-" + svc).get("response");
        HttpResponse<String> h = f.get("/v1/health/connect/" + svc);
        assertThat(h.statusCode()).isEqualTo(200);
        assertThat(h.headers().firstValue("X-Consul-Index").orElseThrow()).matches("\\d+");
        assertThat(h.headers().firstValue("X-Consul-Knownleader")).hasValue("true");
        assertThat(h.headers().firstValue("X-Consul-Effective-Consistency")).hasValue("leader");
        ArrayNode ours = (ArrayNode) JSON.readTree(h.body());
        ArrayNode theirs = (ArrayNode) health.get("body");
        assertThat(ours.size()).as(svc).isEqualTo(theirs.size());
        for (int i = 0; i < ours.size(); i++) {
          assertThat(withoutIndexes(ours.get(i).get("Service")))
              .as(svc).isEqualTo(withoutIndexes(theirs.get(i).get("Service")));
          assertThat(ours.get(i).get("Node").get("Address"))
              .isEqualTo(theirs.get(i).get("Node").get("Address"));
          assertThat(ours.get(i).get("Checks").get(0).get("Status").asText())
              .isEqualTo("passing");
        }
        JsonNode catalog = sample("catalog-connect-" + svc).get("response");
        HttpResponse<String> c = f.get("/v1/catalog/connect/" + svc);
        ArrayNode ourCatalog = (ArrayNode) JSON.readTree(c.body());
        ArrayNode theirCatalog = (ArrayNode) catalog.get("body");
        assertThat(ourCatalog.size()).as(svc).isEqualTo(theirCatalog.size());
        for (int i = 0; i < ourCatalog.size(); i++) {
          ObjectNode o = withoutIndexes(ourCatalog.get(i));
          ObjectNode t = withoutIndexes(theirCatalog.get(i));
          for (String node : List.of("ID", "Node")) {
            o.remove(node);
            t.remove(node);
          }
          assertThat(o).as(svc).isEqualTo(t);
        }
      }
    }
  }

  private static ObjectNode withoutIndexes(JsonNode n) {
    ObjectNode copy = ((ObjectNode) n).deepCopy();
    copy.remove("CreateIndex");
    copy.remove("ModifyIndex");
    return copy;
  }
}
