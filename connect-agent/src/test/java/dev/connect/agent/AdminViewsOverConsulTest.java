package dev.connect.agent;

import dev.connect.consul.ConsulBackend;
import dev.connect.peers.ConsulAgent;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Issue 14: the admin views over a real Consul 1.10.4 dev agent (ACLs on, default deny) through
 * {@link ConsulBackend}: intentions, the CA and the ACL system (policies, tokens, bootstrap,
 * unknown tokens) behave as they do over the embedded server. {@link #MANAGEMENT} is made a
 * management token in Consul with the agent's own.
 */
class AdminViewsOverConsulTest extends AdminViewsContract {
  private static ConsulAgent consul;
  private static ConsulBackend backend;

  @BeforeAll
  static void start() throws Exception {
    consul = ConsulAgent.builder().aclsDefaultDeny().start();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            consul.httpAddress().resolve("/v1/acl/token")).timeout(Duration.ofSeconds(30))
        .header("X-Consul-Token", consul.managementToken().orElseThrow())
        .PUT(HttpRequest.BodyPublishers.ofString("{\"SecretID\":\"" + MANAGEMENT + "\","
            + "\"Description\":\"the contract's management token\",\"Policies\":[{\"ID\":"
            + "\"00000000-0000-0000-0000-000000000001\"}]}", StandardCharsets.UTF_8)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("Consul refused the management token: " + r.statusCode()
          + " " + r.body());
    }
    backend = ConsulBackend.builder().environment(Map.of())
        .address(consul.httpAddress().toString()).build();
  }

  @AfterAll
  static void stop() {
    try (ConsulAgent c = consul; ConsulBackend b = backend) {
      // both closed, each also when the other fails
    }
  }

  @Override
  ConnectAgent agent(ConnectAgent.Builder builder) throws Exception {
    return builder.backend(backend).defaultIntentionPolicy(backend.defaultIntentionPolicy())
        .build();
  }

  @Override
  String duplicateIntentionWording() {
    return "Sources[1] defines \\\"api\\\" more than once";
  }
}
