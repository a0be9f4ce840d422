package dev.connect.it;

import dev.connect.agent.ConnectAgent;
import dev.connect.consul.ConsulBackend;
import dev.connect.peers.ConsulAgent;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The agent's behaviour contract on a real Consul 1.10.4 dev agent (ACLs on, default deny),
 * through {@link ConsulBackend}; {@link #MANAGEMENT} is made a management token in Consul.
 */
class AgentBehaviourOnConsulTest extends AgentBehaviourContract {
  private ConsulAgent consul;
  private ConsulBackend backend;

  @Override
  void startServer(Path dir) throws Exception {
    consul = ConsulAgent.builder().aclsDefaultDeny().start();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            consul.httpAddress().resolve("/v1/acl/token")).timeout(Duration.ofSeconds(30))
        .header("X-Consul-Token", consul.managementToken().orElseThrow())
        .PUT(HttpRequest.BodyPublishers.ofString("{\"SecretID\":\"" + MANAGEMENT + "\","
            + "\"Policies\":[{\"ID\":\"00000000-0000-0000-0000-000000000001\"}]}",
            StandardCharsets.UTF_8)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("Consul refused the management token: " + r.statusCode()
          + " " + r.body());
    }
    backend = ConsulBackend.builder().environment(Map.of())
        .address(consul.httpAddress().toString()).build();
  }

  @Override
  ConnectAgent newAgent() throws Exception {
    return ConnectAgent.builder().consul(backend).build();
  }

  @Override
  void stopServer() throws Exception {
    try (AutoCloseable c = consul; AutoCloseable b = backend) {
      // the backend, then Consul; each also when the other fails
    }
  }
}
