package dev.connect.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sample by sample (issue 13): the request a real Consul 1.10.4 agent answered, sent to ours,
 * compared on status, headers (names, and values where deterministic), JSON field names and
 * types, and error texts. Samples are in {@code ../shared/consul-samples/}; where Consul answers a
 * client's mistake with 500, ours answers 400 with the same text ({@code docs/http.md}).
 */
class ConsulSamplesTest {
  private static final Path SAMPLES = Path.of("..", "..", "shared", "consul-samples");
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Headers whose values are the same on every agent. */
  private static final Set<String> EXACT = Set.of("content-type", "allow", "vary",
      "x-consul-default-acl-policy", "x-cache", "x-consul-knownleader", "x-consul-lastcontact",
      "x-consul-query-backend");
  // Every 500 recorded in the samples below is a client's mistake: ours is 400, same text.
  /** Samples whose decision differs on purpose: ours denies a foreign trust domain. */
  private static final Set<String> FOREIGN_TRUST_DOMAIN_DENIED =
      Set.of("agent-authorize-foreign-trust-domain");
  /** The trust domain of the recorded run A, replaced by ours in request bodies. */
  private static final String RUN_A = "5f7a0ac5-b175-3daf-ea2e-20ddcc74d1c0.consul";

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"agent-ca-roots", "connect-ca-roots", "connect-ca-roots-pretty",
      "connect-ca-roots-pem", "headers-method-not-allowed", "headers-not-found-path",
      "headers-agent-roots-head", "status-leader", "agent-authorize-get",
      "agent-authorize-empty-body", "agent-authorize-missing-target",
      "agent-authorize-missing-uri", "agent-authorize-malformed-uri",
      "agent-authorize-non-spiffe-uri", "agent-authorize-spiffe-unknown-path",
      "agent-authorize-agent-uri", "agent-authorize-signing-uri",
      "agent-authorize-no-intention-acl-disabled", "agent-authorize-foreign-trust-domain",
      "agent-ca-leaf-web", "agent-ca-leaf-db", "agent-ca-leaf-unregistered",
      "agent-ca-leaf-web-bad-wait", "agent-ca-leaf-web-bad-index", "agent-ca-leaf-empty-name",
      "intention-create-post-web-db", "intention-put-exact-star-db",
      "intention-get-exact-missing", "intention-get-exact-no-params",
      "intention-invalid-bad-action", "intention-invalid-bad-json",
      "intention-invalid-missing-action", "intention-invalid-missing-source",
      "intention-invalid-missing-destination", "intention-invalid-source-type",
      "intention-invalid-unknown-field", "intention-invalid-with-id", "intentions-match-no-by",
      "intentions-match-bad-by", "intentions-match-no-name", "intention-get-by-id-malformed",
      "intention-get-by-id-missing", "intention-delete-by-id-missing",
      "intention-delete-exact-again", "intentions-check-missing-source",
      "intentions-check-no-intention-acl-disabled",
      "ca-config-invalid-provider"})
  void answersAsTheRecordedConsulAgent(String name) throws Exception {
    Path file = SAMPLES.resolve(name + ".json");
    Assumptions.assumeTrue(Files.exists(file), "samples not present: " + file.toAbsolutePath());
    JsonNode sample = JSON.readTree(file.toFile());
    JsonNode request = sample.get("request");
    JsonNode expected = sample.get("response");
    try (AgentFixture f = new AgentFixture(dir)) {
      JsonNode body = request.get("body");
      String text = body == null || body.isNull() ? null
          : body.isTextual() ? body.asText() : JSON.writeValueAsString(body);
      if (text != null) {
        text = text.replace(RUN_A, f.agent.trustDomain());
      }
      String method = request.get("method").asText();
      HttpResponse<String> actual;
      if (method.equals("HEAD")) {
        String raw = f.raw((method + " " + request.get("path").asText()
            + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(raw).startsWith("HTTP/1.1 " + expected.get("status").asInt());
        return;
      }
      if ("HIT".equals(expected.get("headers").path("X-Cache").asText())) {
        f.send(method, request.get("path").asText(), text); // Consul's was a repeated read
      }
      actual = f.send(method, request.get("path").asText(), text);

      int status = expected.get("status").asInt();
      assertThat(actual.statusCode()).as(name + ": " + actual.body())
          .isEqualTo(status == 500 ? 400 : status);
      Set<String> ours = new TreeSet<>();
      actual.headers().map().keySet().forEach(h -> ours.add(h.toLowerCase()));
      Set<String> theirs = new TreeSet<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = expected.get("headers").fields();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> h = it.next();
        String key = h.getKey().toLowerCase();
        theirs.add(key);
        if (key.equals("date") || key.equals("content-length")) {
          continue;
        }
        assertThat(actual.headers().firstValue(h.getKey())).as(name + ": header " + h.getKey())
            .isPresent();
        if (EXACT.contains(key)) {
          assertThat(actual.headers().firstValue(h.getKey())).as(name + ": " + h.getKey())
              .hasValue(h.getValue().asText());
        }
        if (key.equals("x-consul-index")) {
          assertThat(actual.headers().firstValue(h.getKey()).orElseThrow()).matches("\\d+");
        }
      }
      ours.removeIf(h -> !h.startsWith("x-") && !h.equals("age") && !h.equals("allow"));
      theirs.removeIf(h -> !h.startsWith("x-") && !h.equals("age") && !h.equals("allow"));
      assertThat(ours).as(name + ": Consul headers").isEqualTo(theirs);

      if (expected.get("body_is_json") != null && expected.get("body_is_json").asBoolean()) {
        JsonNode ourBody = JSON.readTree(actual.body());
        assertThat(shape(ourBody)).as(name + ": JSON fields and types")
            .isEqualTo(shape(expected.get("body")));
        if (FOREIGN_TRUST_DOMAIN_DENIED.contains(name)) {
          assertThat(ourBody.get("Authorized").asBoolean()).isFalse();
          assertThat(ourBody.get("Reason").asText())
              .startsWith("Identity from an external trust domain: ");
        } else if (ourBody.has("Reason")) {
          assertThat(ourBody.get("Reason")).isEqualTo(expected.get("body").get("Reason"));
          assertThat(ourBody.get("Authorized")).isEqualTo(expected.get("body").get("Authorized"));
        }
      } else if (status >= 400) {
        assertThat(actual.body()).as(name).isEqualTo(expected.get("body").asText());
      } else if (expected.get("body").asText().startsWith("-----BEGIN CERTIFICATE-----")) {
        assertThat(actual.body()).startsWith("-----BEGIN CERTIFICATE-----\n")
            .endsWith("-----END CERTIFICATE-----\n");
      }
    }
  }

  /** Field names and JSON types, recursively; an array by its first element. */
  private static List<String> shape(JsonNode n) {
    List<String> out = new ArrayList<>();
    shape("", n, out);
    return out;
  }

  private static void shape(String path, JsonNode n, List<String> out) {
    if (n.isObject()) {
      out.add(path + ":object");
      new TreeSet<String>(iterable(n.fieldNames())).forEach(k -> shape(path + "." + k,
          n.get(k), out));
    } else if (n.isArray()) {
      out.add(path + ":array");
      if (n.size() > 0) {
        shape(path + "[]", n.get(0), out);
      }
    } else if (n.isNull()) {
      out.add(path + ":null");
    } else {
      out.add(path + ":" + (n.isNumber() ? "number" : n.isBoolean() ? "boolean" : "string"));
    }
  }

  private static List<String> iterable(Iterator<String> it) {
    List<String> l = new ArrayList<>();
    it.forEachRemaining(l::add);
    return l;
  }
}
