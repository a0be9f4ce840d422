package dev.connect.consul;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every exchange recorded from a real Consul 1.10.4 in {@code ../shared/consul-samples/} decodes
 * strictly into the shape of its endpoint and re-encodes to the same bytes ({@code body_raw}) or,
 * for longer bodies, to the same field names, order, types and values. A request whose body
 * Consul refused as undecodable is refused by our decoder with Consul's text.
 */
class ConsulSamplesReplayTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Files in the samples directory that record something other than one HTTP exchange. */
  private static final Set<String> NOT_EXCHANGES = Set.of(
      "agent-self-config.json",                     // a body: decoded as AgentSelfWire below
      "ca-rotation-timing.json",                    // the recorder's timings, not a Consul body
      "runE-timing.json",                           // the recorder's timings
      "intentions-precedence-observed.json",        // the recorder's summary table
      "connect-proxy-observed-agent-calls.json");   // the recorder's log of proxy calls

  private record Route(String method, Pattern path, Shape<?> shape) {}

  private static final String ID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

  private static final List<Route> RESPONSES = List.of(
      route("GET", "/v1/(agent/)?connect/ca/roots", Shape.of(CaRootsWire.class)),
      route("GET", "/v1/agent/connect/ca/leaf/[^/]+", Shape.of(LeafCertWire.class)),
      route("POST", "/v1/agent/connect/authorize", Shape.of(AuthorizeReplyWire.class)),
      route("GET", "/v1/connect/ca/configuration", Shape.of(CaConfigurationWire.class)),
      route("GET", "/v1/connect/intentions", Shape.listOf(IntentionWire.class)),
      route("POST", "/v1/connect/intentions", Shape.of(IntentionIdWire.class)),
      route("GET", "/v1/connect/intentions/exact", Shape.of(IntentionWire.class)),
      route("PUT", "/v1/connect/intentions/exact", Shape.of(Boolean.class)),
      route("DELETE", "/v1/connect/intentions/exact", Shape.of(Boolean.class)),
      route("GET", "/v1/connect/intentions/match", Shape.mapOfListsOf(IntentionWire.class)),
      route("GET", "/v1/connect/intentions/check", Shape.of(IntentionCheckWire.class)),
      route("GET", "/v1/connect/intentions/" + ID, Shape.of(IntentionWire.class)),
      route("PUT", "/v1/connect/intentions/" + ID, Shape.of(IntentionIdWire.class)),
      route("GET", "/v1/agent/services", Shape.mapOf(AgentServiceWire.class)),
      route("GET", "/v1/agent/service/[^/]+", Shape.of(AgentServiceWire.class)),
      route("GET", "/v1/agent/checks", Shape.mapOf(HealthCheckWire.class)),
      route("GET", "/v1/catalog/(connect|service)/[^/]+", Shape.listOf(CatalogServiceWire.class)),
      route("GET", "/v1/health/(connect|service)/[^/]+", Shape.listOf(ServiceEntryWire.class)),
      route("GET", "/v1/status/leader", Shape.of(String.class)),
      route("GET", "/v1/config/service-intentions",
          Shape.listOf(ServiceIntentionsConfigEntryWire.class)),
      route("GET", "/v1/config/service-intentions/[^/]+",
          Shape.of(ServiceIntentionsConfigEntryWire.class)),
      route("PUT", "/v1/config", Shape.of(Boolean.class)),
      route("GET", "/v1/acl/policies", Shape.listOf(AclPolicyListEntryWire.class)),
      route("PUT", "/v1/acl/policy", Shape.of(AclPolicyWire.class)),
      route("GET", "/v1/acl/policy/" + ID, Shape.of(AclPolicyWire.class)),
      route("GET", "/v1/acl/tokens", Shape.listOf(AclTokenWire.class)),
      route("GET", "/v1/acl/token/(self|" + ID + ")", Shape.of(AclTokenWire.class)),
      route("PUT", "/v1/acl/(token|bootstrap)", Shape.of(AclTokenWire.class)));

  private static final List<Route> REQUESTS = List.of(
      route("POST", "/v1/agent/connect/authorize", Shape.of(AuthorizeRequestWire.class)),
      route("POST", "/v1/connect/intentions", Shape.of(IntentionWire.class)),
      route("PUT", "/v1/connect/intentions/(exact|" + ID + ")", Shape.of(IntentionWire.class)),
      route("PUT", "/v1/connect/ca/configuration", Shape.of(CaConfigurationRequestWire.class)),
      route("PUT", "/v1/agent/service/register", Shape.of(AgentServiceRegistrationWire.class)),
      route("PUT", "/v1/acl/policy", Shape.of(AclPolicyWire.class)),
      route("PUT", "/v1/acl/token", Shape.of(AclTokenWire.class)),
      route("PUT", "/v1/config", Shape.of(ServiceDefaultsConfigEntryWire.class)));

  private static Route route(String method, String path, Shape<?> shape) {
    return new Route(method, Pattern.compile(path), shape);
  }

  static Path samples() {
    String root = System.getProperty("connect.repository.root");
    assertThat(root).as("system property connect.repository.root (set by the POM)").isNotNull();
    Path dir = Path.of(root).resolve("../shared/consul-samples").normalize();
    assertThat(dir).as("the recorded Consul samples").isDirectory();
    return dir;
  }

  static Stream<String> exchanges() throws IOException {
    try (Stream<Path> files = Files.list(samples())) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
          .filter(n -> !NOT_EXCHANGES.contains(n)).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("exchanges")
  void replays(String file) throws IOException {
    JsonNode exchange = JSON.readTree(samples().resolve(file).toFile());
    JsonNode request = exchange.get("request");
    JsonNode response = exchange.get("response");
    assertThat(request).as(file + " is an exchange").isNotNull();
    String method = request.get("method").asText();
    String rawPath = request.get("path").asText();
    String path = rawPath.replaceFirst("\\?.*", "");
    int status = response.get("status").asInt();

    replayRequest(file, method, path, request.get("body"), response);

    JsonNode headers = response.get("headers");
    String contentType = headers.path("Content-Type").asText("");
    String body = response.get("body").isTextual() ? response.get("body").asText() : null;
    if (headers.has("Content-Encoding") || method.equals("HEAD")) {
      return; // gzip'd or HEAD: the recorder kept no body bytes
    }
    if (!contentType.startsWith(ConsulHeaders.CONTENT_TYPE_JSON)) {
      // Errors are text/plain, PEM is a chain, successful PUTs have an empty body: not JSON.
      assertThat(status >= 400 || contentType.startsWith(ConsulHeaders.CONTENT_TYPE_PEM_CHAIN)
          || (body != null && body.isEmpty())).as(file + ": a non-JSON body is explained").isTrue();
      return;
    }
    Shape<?> shape = shapeOf(RESPONSES, method, path)
        .orElseGet(() -> fail(file + ": no shape covers the reply of " + method + " " + path));
    String bytes = JSON.writeValueAsString(response.get("body"));
    Object decoded = ConsulJson.decodeRequest(bytes.getBytes(UTF_8), shape);
    JsonStyle style = pretty(file, rawPath, response) ? JsonStyle.PRETTY : JsonStyle.COMPACT;
    String encoded = new String(ConsulJson.encode(decoded, style), UTF_8);
    if (response.has("body_raw")) {
      assertThat(encoded).as(file + ": re-encoded byte for byte").isEqualTo(
          response.get("body_raw").asText());
    } else {
      assertThat(JSON.readTree(encoded).toString()).as(file + ": names, order, types, values")
          .isEqualTo(response.get("body").toString());
    }
  }

  private static void replayRequest(String file, String method, String path, JsonNode body,
      JsonNode response) throws IOException {
    String reply = response.get("body").isTextual() ? response.get("body").asText() : "";
    String decodeFailure = reply.startsWith("Failed to decode request body: ")
        ? reply.substring("Failed to decode request body: ".length())
        : reply.startsWith("Bad request: Request decode failed: ")
            ? reply.substring("Bad request: Request decode failed: ".length()) : null;
    if (body == null || body.isNull()) {
      if (decodeFailure != null) {
        Shape<?> shape = shapeOf(REQUESTS, method, path).orElseThrow();
        assertThatThrownBy(() -> ConsulJson.decodeRequest(new byte[0], shape))
            .as(file).isInstanceOf(ConsulWireException.class).hasMessage(decodeFailure);
      }
      return;
    }
    Shape<?> shape = shapeOf(REQUESTS, method, path)
        .orElseGet(() -> fail(file + ": no shape covers the request of " + method + " " + path));
    byte[] bytes = body.isTextual() ? body.asText().getBytes(UTF_8)
        : JSON.writeValueAsBytes(body);
    if (decodeFailure != null) {
      assertThatThrownBy(() -> ConsulJson.decodeRequest(bytes, shape)).as(file)
          .isInstanceOf(ConsulWireException.class).hasMessage(decodeFailure);
      return;
    }
    Object decoded = ConsulJson.decodeRequest(bytes, shape);
    JsonNode again = JSON.readTree(ConsulJson.encode(decoded, JsonStyle.COMPACT));
    assertThat(sorted(again).toString()).as(file + ": request re-encoded")
        .isEqualTo(sorted(body).toString());
  }

  private static JsonNode sorted(JsonNode node) {
    if (node.isObject()) {
      Map<String, JsonNode> fields = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        fields.put(e.getKey(), sorted(e.getValue()));
      }
      ObjectNode out = JSON.createObjectNode();
      fields.forEach(out::set);
      return out;
    }
    if (node.isArray()) {
      List<JsonNode> items = new ArrayList<>();
      node.forEach(n -> items.add(sorted(n)));
      return JSON.createArrayNode().addAll(items);
    }
    return node;
  }

  private static boolean pretty(String file, String rawPath, JsonNode response) {
    if (response.has("body_raw")) {
      return response.get("body_raw").asText().endsWith("\n");
    }
    return !file.startsWith("nondev-") || rawPath.contains("pretty");
  }

  private static java.util.Optional<Shape<?>> shapeOf(List<Route> routes, String method,
      String path) {
    return routes.stream().filter(r -> r.method().equals(method))
        .filter(r -> r.path().matcher(path).matches()).map(Route::shape).findFirst();
  }

  @Test
  void agentSelfConnectPartsDecodeAndReencode() throws IOException {
    JsonNode self = JSON.readTree(samples().resolve("agent-self-config.json").toFile());
    AgentSelfWire decoded = ConsulJson.decodeRequest(JSON.writeValueAsBytes(self),
        Shape.of(AgentSelfWire.class));
    assertThat(decoded.config().datacenter()).isEqualTo("dc1");
    assertThat(decoded.config().version()).isEqualTo("1.10.4");
    assertThat(JSON.readTree(ConsulJson.encode(decoded, JsonStyle.COMPACT)).toString())
        .isEqualTo(self.toString());
  }

  @Test
  void everySampleFileIsAnExchangeOrListed() throws IOException {
    try (Stream<Path> files = Files.list(samples())) {
      for (Path p : files.filter(f -> f.toString().endsWith(".json")).toList()) {
        JsonNode node = JSON.readTree(p.toFile());
        boolean exchange = node.isObject() && node.has("request") && node.has("response");
        assertThat(exchange || NOT_EXCHANGES.contains(p.getFileName().toString()))
            .as(p.getFileName() + " is an exchange or listed in NOT_EXCHANGES").isTrue();
      }
    }
  }
}
