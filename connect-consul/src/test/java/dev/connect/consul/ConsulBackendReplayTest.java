package dev.connect.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.connect.core.AclNotFoundException;
import dev.connect.core.CaRoots;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.Intention;
import dev.connect.core.IssuedLeaf;
import dev.connect.core.PermissionDeniedException;
import dev.connect.core.QueryOptions;
import dev.connect.core.QueryResult;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ConsulBackend} against answers recorded from a real Consul 1.10.4 ({@code
 * ../shared/consul-samples/}), replayed by a tiny HTTP server on 127.0.0.1 with their headers
 * and bodies, then altered: the index missing, reset, going backwards, zero; error statuses;
 * malformed bodies (issue 14).
 */
class ConsulBackendReplayTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private HttpServer server;
  private ConsulBackend backend;
  private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
  private final List<String> requests = new ArrayList<>();

  /** One canned answer: status, headers, body. */
  record Answer(int status, Map<String, String> headers, byte[] body) {}

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      synchronized (requests) {
        requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " token="
            + exchange.getRequestHeaders().getFirst("X-Consul-Token"));
      }
      Answer a = answers.poll();
      if (a == null) {
        a = new Answer(599, Map.of(), "no answer queued".getBytes(StandardCharsets.UTF_8));
      }
      a.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
      exchange.sendResponseHeaders(a.status(), a.body().length == 0 ? -1 : a.body().length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(a.body());
      }
    });
    server.start();
    backend = ConsulBackend.builder().environment(Map.of("CONSUL_HTTP_ADDR",
        "http://127.0.0.1:" + server.getAddress().getPort(), "CONSUL_HTTP_TOKEN", "s3cr3t"))
        .build();
  }

  @AfterEach
  void stop() {
    backend.close();
    server.stop(0);
  }

  /** Queues the recorded answer of a sample, with its headers and body byte for byte. */
  private void replay(String sample) throws IOException {
    replay(sample, Map.of());
  }

  private void replay(String sample, Map<String, String> headerChanges) throws IOException {
    JsonNode response = JSON.readTree(Files.readString(
        ConsulSamplesReplayTest.samples().resolve(sample))).path("response");
    Map<String, String> headers = new java.util.LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = response.path("headers").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> h = it.next();
      if (!h.getKey().equalsIgnoreCase("Content-Length") && !h.getKey().equalsIgnoreCase("Date")) {
        headers.put(h.getKey(), h.getValue().asText());
      }
    }
    headerChanges.forEach((k, v) -> {
      if (v == null) {
        headers.remove(k);
      } else {
        headers.put(k, v);
      }
    });
    JsonNode body = response.path("body");
    byte[] bytes = response.has("body_raw")
        ? response.path("body_raw").asText().getBytes(StandardCharsets.UTF_8)
        : body.isTextual() ? body.asText().getBytes(StandardCharsets.UTF_8)
        : JSON.writeValueAsBytes(body);
    answers.add(new Answer(response.path("status").asInt(), headers, bytes));
  }

  private void answer(int status, String body, Map<String, String> headers) {
    answers.add(new Answer(status, headers, body.getBytes(StandardCharsets.UTF_8)));
  }

  static <T> T get(CompletableFuture<T> f) throws Exception {
    try {
      return f.get(30, TimeUnit.SECONDS); // guards against a hang only
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  @Test
  void recordedRootsLeafAndMatchParseWithTheirIndexes() throws Exception {
    replay("agent-ca-roots.json");
    replay("agent-ca-leaf-web.json");
    replay("intentions-match-destination-db.json");
    replay("acl-leaf-web-with-web-token.json");
    replay("nondev-rsa-agent-ca-leaf-web.json");

    QueryResult<CaRoots> roots = get(backend.roots(QueryOptions.defaults()));
    QueryResult<IssuedLeaf> leaf = get(backend.issueLeaf("web", QueryOptions.defaults()));
    QueryResult<List<Intention>> match =
        get(backend.matchIntentions("db", QueryOptions.defaults()));
    IssuedLeaf aclLeaf = get(backend.issueLeaf("web", QueryOptions.defaults())).value();
    IssuedLeaf rsaLeaf = get(backend.issueLeaf("web", QueryOptions.defaults())).value();

    assertThat(roots.index()).isEqualTo(9);
    assertThat(roots.value().trustDomain())
        .isEqualTo("5f7a0ac5-b175-3daf-ea2e-20ddcc74d1c0.consul");
    assertThat(leaf.value().certificate().service().service()).isEqualTo("web");
    assertThat(leaf.value().privateKey().getAlgorithm()).isEqualTo("EC");
    assertThat(match.value()).isNotEmpty().allSatisfy(
        i -> assertThat(i.destination().matches("default", "db")).isTrue());
    assertThat(aclLeaf.certificate().service().service()).isEqualTo("web");
    assertThat(rsaLeaf.privateKey().getAlgorithm()) // an RSA CA (run D) still signs EC leaves
        .isEqualTo(rsaLeaf.certificate().certificate().getPublicKey().getAlgorithm());
    assertThat(requests).first().asString()
        .isEqualTo("GET /v1/agent/connect/ca/roots token=s3cr3t");
  }

  @Test
  void aBlockingQuerySendsIndexAndWaitInMilliseconds() throws Exception {
    replay("agent-ca-roots-blocking-2s.json");

    get(backend.roots(QueryOptions.builder().minIndex(9)
        .maxWait(java.time.Duration.ofSeconds(2)).build()));

    assertThat(requests).containsExactly(
        "GET /v1/agent/connect/ca/roots?index=9&wait=2000ms token=s3cr3t");
  }

  @Test
  void anIndexThatGoesBackwardsIsReturnedAsItIsSoTheCallerRestartsFromIt() throws Exception {
    replay("agent-ca-roots.json", Map.of("X-Consul-Index", "3"));

    QueryResult<CaRoots> r = get(backend.roots(QueryOptions.builder().minIndex(50).build()));

    assertThat(r.index()).isEqualTo(3);
  }

  @Test
  void anIndexOfZeroCountsAsOneSoTheNextQueryBlocks() throws Exception {
    replay("agent-ca-roots.json", Map.of("X-Consul-Index", "0"));

    assertThat(get(backend.roots(QueryOptions.defaults())).index()).isEqualTo(1);
  }

  @Test
  void aMissingOrMalformedIndexFailsNamingTheEndpoint() throws Exception {
    java.util.HashMap<String, String> missing = new java.util.HashMap<>();
    missing.put("X-Consul-Index", null);
    replay("agent-ca-roots.json", missing);
    replay("agent-ca-roots.json", Map.of("X-Consul-Index", "nine"));
    replay("agent-ca-roots.json", Map.of("X-Consul-Index", "-4"));

    assertThatThrownBy(() -> get(backend.roots(QueryOptions.defaults())))
        .isInstanceOf(ConsulHttpException.class)
        .hasMessageEndingWith("/v1/agent/connect/ca/roots answered 200: no X-Consul-Index header");
    assertThatThrownBy(() -> get(backend.roots(QueryOptions.defaults())))
        .isInstanceOf(ConsulHttpException.class)
        .hasMessageEndingWith("answered 200: malformed X-Consul-Index \"nine\"");
    assertThatThrownBy(() -> get(backend.roots(QueryOptions.defaults())))
        .hasMessageEndingWith("answered 200: malformed X-Consul-Index \"-4\"");
  }

  @Test
  void refusalsBecomeThePermissionExceptions() throws Exception {
    replay("acl-leaf-web-no-token.json");
    replay("acl-leaf-web-bogus-token.json");

    assertThatThrownBy(() -> get(backend.issueLeaf("web", QueryOptions.defaults())))
        .isInstanceOf(PermissionDeniedException.class)
        .hasMessageStartingWith("Permission denied: GET http://127.0.0.1:")
        .hasMessageEndingWith("/v1/agent/connect/ca/leaf/web answered 403 \"Permission denied\"")
        .hasMessageNotContaining("s3cr3t");
    assertThatThrownBy(() -> get(backend.issueLeaf("web", QueryOptions.defaults())))
        .isInstanceOf(AclNotFoundException.class);
  }

  @Test
  void errorStatusesNameTheEndpointTheStatusAndConsulsText() throws Exception {
    replay("agent-ca-leaf-web-dc-bad.json");
    answer(404, "Unknown service \"nosuch\"", Map.of());
    answer(429, "Your IP is issuing too many concurrent connections, please rate limit your"
        + " calls", Map.of());
    answer(500, "CA is uninitialized and unable to sign certificates yet: provider is nil",
        Map.of());
    answer(502, "", Map.of());

    assertThatThrownBy(() -> get(backend.issueLeaf("web", QueryOptions.defaults())))
        .isInstanceOf(ConsulHttpException.class).hasMessageContaining("answered 500");
    for (int status : new int[] {404, 429, 500, 502}) {
      assertThatThrownBy(() -> get(backend.roots(QueryOptions.defaults())))
          .isInstanceOfSatisfying(ConsulHttpException.class,
              e -> assertThat(e.status()).hasValue(status))
          .hasMessageContaining("/v1/agent/connect/ca/roots answered " + status);
    }
  }

  @Test
  void malformedBodiesNeverShowARawParseError() throws Exception {
    answer(200, "{\"ActiveRootID\": ", Map.of("X-Consul-Index", "5"));
    answer(200, "{\"Roots\": []}", Map.of("X-Consul-Index", "5"));
    answer(200, "{\"SerialNumber\":\"0b\",\"CertPEM\":\"junk\",\"PrivateKeyPEM\":\"junk\"}",
        Map.of("X-Consul-Index", "5"));

    assertThatThrownBy(() -> get(backend.roots(QueryOptions.defaults())))
        .isInstanceOf(ConsulHttpException.class)
        .hasMessageEndingWith("answered 200: malformed body: unexpected EOF");
    assertThatThrownBy(() -> get(backend.roots(QueryOptions.defaults())))
        .isInstanceOf(ConsulHttpException.class).hasMessageContaining("malformed body: ")
        .hasMessageContaining("TrustDomain");
    assertThatThrownBy(() -> get(backend.issueLeaf("web", QueryOptions.defaults())))
        .isInstanceOf(ConsulHttpException.class).hasMessageContaining("malformed body: ");
  }

  @Test
  void theDefaultPolicyComesFromTheHeaderOrTheAclsDisabledAnswer() throws Exception {
    replay("acl-token-self-no-token.json");
    replay("acl-token-self-master.json");
    answer(401, "ACL support disabled", Map.of("X-Consul-Default-Acl-Policy", "allow"));
    answer(403, "ACL not found", Map.of());

    assertThat(backend.defaultIntentionPolicy())
        .isEqualTo(DefaultIntentionPolicy.ACLS_DEFAULT_DENY);
    assertThat(backend.defaultIntentionPolicy())
        .isEqualTo(DefaultIntentionPolicy.ACLS_DEFAULT_DENY);
    assertThat(backend.defaultIntentionPolicy())
        .isEqualTo(DefaultIntentionPolicy.ACLS_DISABLED);
    assertThatThrownBy(backend::defaultIntentionPolicy)
        .isInstanceOf(ConsulHttpException.class)
        .hasMessageEndingWith("/v1/acl/token/self answered 403: no X-Consul-Default-Acl-Policy"
            + " header");
  }

  @Test
  void aBodyAboveTheLimitFailsTheRequest() throws Exception {
    answers.add(new Answer(200, Map.of("X-Consul-Index", "5"),
        new byte[ConsulHttp.MAX_BODY_BYTES + 1]));

    assertThatThrownBy(() -> get(backend.roots(QueryOptions.defaults())))
        .isInstanceOf(ConsulHttpException.class)
        .hasMessageContaining("longer than " + ConsulHttp.MAX_BODY_BYTES + " bytes");
  }

  /** Consul 1.10 echoes a refused CA key in its 500; the exception must not carry it. */
  @Test
  void aPrivateKeyEchoedInAnErrorIsRedacted() throws Exception {
    answer(500, "error generating CA root certificate: error parsing private key \"-----BEGIN"
        + " EC PRIVATE KEY-----\\nMCUCAQEEIEctWKJsbucE5wKY4BMytX5ytGtHsE2yZHoW0C5JaIcZ\\n-----END"
        + " EC PRIVATE KEY-----\\n\": x509: unknown elliptic curve", Map.of());

    assertThatThrownBy(() -> get(backend.roots(QueryOptions.defaults())))
        .isInstanceOf(ConsulHttpException.class)
        .hasMessageContaining("error parsing private key \\\"<redacted private key>")
        .hasMessageContaining("unknown elliptic curve")
        .hasMessageNotContaining("MCUCAQEE");
  }
}
