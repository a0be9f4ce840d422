package dev.connect.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.connect.core.IssuedCertificate;
import dev.connect.core.QueryOptions;
import dev.connect.core.QueryResult;
import dev.connect.core.UnsupportedByBackendException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: over {@code connect agent} the leaf's private key must stay in the application's
 * JVM, so {@link ConsulBackend} signs CSRs where {@code GET /v1/agent/self} advertises the
 * endpoint, and keeps Consul's {@code /v1/agent/connect/ca/leaf/<service>} where it does not. A
 * token without {@code agent:read} (403 on self) probes the CSR path itself: 405 from our agent,
 * 404 from Consul (both recorded from the real servers).
 */
class CsrEndpointProbeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CSR = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n"
      + "-----END CERTIFICATE REQUEST-----\n";

  private HttpServer server;
  private ConsulBackend backend;
  private final ConcurrentLinkedQueue<ConsulBackendReplayTest.Answer> answers =
      new ConcurrentLinkedQueue<>();
  private final List<String> requests = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      synchronized (requests) {
        requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath()
            + (body.isEmpty() ? "" : " " + body));
      }
      ConsulBackendReplayTest.Answer a = answers.poll();
      if (a == null) {
        a = new ConsulBackendReplayTest.Answer(599, Map.of(), "no answer queued".getBytes());
      }
      a.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
      exchange.sendResponseHeaders(a.status(), a.body().length == 0 ? -1 : a.body().length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(a.body());
      }
    });
    server.start();
    backend = ConsulBackend.builder().environment(Map.of("CONSUL_HTTP_ADDR",
        "http://127.0.0.1:" + server.getAddress().getPort())).build();
  }

  @AfterEach
  void stop() {
    backend.close();
    server.stop(0);
  }

  private void answer(int status, byte[] body) {
    answers.add(new ConsulBackendReplayTest.Answer(status,
        Map.of("Content-Type", "application/json", "X-Consul-Index", "12"), body));
  }

  /** Consul's recorded {@code /v1/agent/self} with our agent's {@code Meta} entry added. */
  private static byte[] selfAdvertising(String path) throws IOException {
    ObjectNode self = (ObjectNode) JSON.readTree(
        ConsulSamplesReplayTest.samples().resolve("agent-self-config.json").toFile());
    ((ObjectNode) self.path("Meta")).put(ConsulBackend.CSR_SIGN_META, path);
    return JSON.writeValueAsBytes(self);
  }

  /** A recorded leaf reply without its key: what our CSR endpoint answers. */
  private static byte[] leafWithoutKey() throws IOException {
    ObjectNode leaf = (ObjectNode) JSON.readTree(Files.readString(
        ConsulSamplesReplayTest.samples().resolve("agent-ca-leaf-web.json")))
        .path("response").path("body");
    leaf.remove("PrivateKeyPEM");
    return JSON.writeValueAsBytes(leaf);
  }

  @Test
  void agentAdvertisingItsCsrEndpointGetsTheCsrAndNeverSendsAKey() throws Exception {
    answer(200, selfAdvertising("/v1/agent/connect/ca/sign"));
    answer(200, leafWithoutKey());
    answer(200, leafWithoutKey());

    assertThat(ConsulBackendReplayTest.get(backend.signsCsrs(QueryOptions.defaults()))).isTrue();
    QueryResult<IssuedCertificate> signed =
        ConsulBackendReplayTest.get(backend.signLeaf(CSR, QueryOptions.defaults()));
    ConsulBackendReplayTest.get(backend.signLeaf(CSR, QueryOptions.defaults()));

    assertThat(signed.value().service().service()).isEqualTo("web");
    assertThat(signed.index()).isEqualTo(12);
    assertThat(requests).as("asked once, then the CSR alone goes out").containsExactly(
        "GET /v1/agent/self", "POST /v1/agent/connect/ca/sign " + CSR,
        "POST /v1/agent/connect/ca/sign " + CSR);
  }

  @Test
  void consulsAgentSelfWithoutTheEntryKeepsTheLeafEndpoint() throws Exception {
    answer(200, Files.readAllBytes(
        ConsulSamplesReplayTest.samples().resolve("agent-self-config.json")));

    assertThat(ConsulBackendReplayTest.get(backend.signsCsrs(QueryOptions.defaults())))
        .isFalse();
    assertThatThrownBy(() -> ConsulBackendReplayTest.get(
        backend.signLeaf(CSR, QueryOptions.defaults())))
        .isInstanceOf(UnsupportedByBackendException.class).hasMessageContaining("CSR signing");
    assertThat(requests).containsExactly("GET /v1/agent/self");
  }

  @Test
  void selfRefusedAndTheCsrPathAnswering405MeansOurAgent() throws Exception {
    answer(403, "Permission denied".getBytes(StandardCharsets.UTF_8));
    answer(405, "method GET not allowed".getBytes(StandardCharsets.UTF_8));

    assertThat(ConsulBackendReplayTest.get(backend.signsCsrs(QueryOptions.defaults()))).isTrue();
    assertThat(requests).containsExactly("GET /v1/agent/self",
        "GET /v1/agent/connect/ca/sign");
  }

  @Test
  void selfRefusedAndTheCsrPathAnswering404MeansConsul() throws Exception {
    answer(403, "Permission denied".getBytes(StandardCharsets.UTF_8));
    answer(404, new byte[0]);

    assertThat(ConsulBackendReplayTest.get(backend.signsCsrs(QueryOptions.defaults())))
        .isFalse();
  }

  @Test
  void aFailedProbeIsNotRememberedAndNamesTheEndpoint() throws Exception {
    answer(500, "rpc error: No cluster leader".getBytes(StandardCharsets.UTF_8));
    answer(200, selfAdvertising("/v1/agent/connect/ca/sign"));

    assertThatThrownBy(() -> ConsulBackendReplayTest.get(
        backend.signsCsrs(QueryOptions.defaults())))
        .isInstanceOf(ConsulHttpException.class).hasMessageContaining("/v1/agent/self")
        .hasMessageContaining("500").matches(e -> ((ConsulHttpException) e).isTransient());
    assertThat(ConsulBackendReplayTest.get(backend.signsCsrs(QueryOptions.defaults()))).isTrue();
  }

  @Test
  void anAdvertisedPathOutsideTheApiIsRefusedNamingIt() throws Exception {
    answer(200, selfAdvertising("http://evil.example/steal"));

    assertThatThrownBy(() -> ConsulBackendReplayTest.get(
        backend.signsCsrs(QueryOptions.defaults())))
        .isInstanceOf(ConsulHttpException.class)
        .hasMessageContaining("http://evil.example/steal");
  }

  @Test
  void aKeyInTheAnswerToACsrIsRefused() throws Exception {
    answer(200, selfAdvertising("/v1/agent/connect/ca/sign"));
    answers.add(new ConsulBackendReplayTest.Answer(200,
        Map.of("Content-Type", "application/json", "X-Consul-Index", "12"),
        JSON.readTree(Files.readString(ConsulSamplesReplayTest.samples()
            .resolve("agent-ca-leaf-web.json"))).path("response").path("body").toString()
            .getBytes(StandardCharsets.UTF_8)));

    assertThatThrownBy(() -> ConsulBackendReplayTest.get(
        backend.signLeaf(CSR, QueryOptions.defaults())))
        .isInstanceOf(ConsulHttpException.class).hasMessageContaining("PrivateKeyPEM")
        .hasMessageNotContaining("BEGIN");
  }
}
