package dev.connect.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.connect.consul.ConsulBackend;
import dev.connect.consul.ConsulHttpException;
import dev.connect.core.DefaultIntentionPolicy;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: over Consul's HTTP API a user had to write {@code .backend(consul)
 * .defaultIntentionPolicy(consul.defaultIntentionPolicy())}, and nothing stopped a guessed
 * policy. {@link ConnectAgent.Builder#consul(ConsulBackend)} reads it from the server ({@code
 * X-Consul-Default-Acl-Policy}, or ACLs disabled) and refuses one stated by hand. The server here
 * answers {@code GET /v1/acl/token/self} as Consul 1.10.4 does (recorded in
 * ../shared/consul-samples/acl-token-self-no-token.json and the ACLs-off answer).
 */
class DefaultPolicyReadFromConsulTest {
  private HttpServer server;
  private final AtomicReference<String> policyHeader = new AtomicReference<>("deny");
  /** When set, token/self is not served (404) and agent/self carries this {@code acls} tag. */
  private final AtomicReference<String> aclsTagOnly = new AtomicReference<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/agent/self", exchange -> {
      byte[] body = ("{\"Config\":{\"Datacenter\":\"dc1\"},\"Meta\":{},\"Member\":{\"Tags\":"
          + "{\"acls\":\"" + aclsTagOnly.get() + "\"}}}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("X-Consul-Default-Acl-Policy", policyHeader.get());
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.createContext("/v1/acl/token/self", exchange -> {
      if (aclsTagOnly.get() != null) {
        exchange.sendResponseHeaders(404, -1);
        exchange.close();
        return;
      }
      String header = policyHeader.get();
      byte[] body;
      int status;
      if (header == null) {
        status = 401;
        body = "ACL support disabled".getBytes(StandardCharsets.UTF_8);
      } else {
        status = 403;
        body = "ACL not found".getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("X-Consul-Default-Acl-Policy", header);
      }
      exchange.sendResponseHeaders(status, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private ConsulBackend backend() throws IOException {
    return ConsulBackend.builder().environment(Map.of())
        .address("127.0.0.1:" + server.getAddress().getPort()).build();
  }

  @Test
  void defaultDenyOnTheServerDecidesUnmatchedConnections() throws Exception {
    try (ConsulBackend consul = backend();
        ConnectAgent agent = ConnectAgent.builder().consul(consul).build()) {
      assertThat(agent.defaultIntentionPolicy())
          .isEqualTo(DefaultIntentionPolicy.ACLS_DEFAULT_DENY);
      assertThat(agent.backend()).isSameAs(consul);
    }
  }

  @Test
  void aclsDisabledOnTheServerAllowUnmatchedConnections() throws Exception {
    policyHeader.set(null);
    try (ConsulBackend consul = backend();
        ConnectAgent agent = ConnectAgent.builder().consul(consul).build()) {
      assertThat(agent.defaultIntentionPolicy()).isEqualTo(DefaultIntentionPolicy.ACLS_DISABLED);
    }
  }

  @Test
  void anAgentWithoutTheTokenEndpointIsAskedItsSelf() throws Exception {
    // connect agent before its ACL endpoints: 404 on token/self, "acls" tag in agent/self.
    aclsTagOnly.set("1");
    try (ConsulBackend consul = backend();
        ConnectAgent agent = ConnectAgent.builder().consul(consul).build()) {
      assertThat(agent.defaultIntentionPolicy())
          .isEqualTo(DefaultIntentionPolicy.ACLS_DEFAULT_DENY);
    }
    aclsTagOnly.set("0");
    policyHeader.set("allow");
    try (ConsulBackend consul = backend();
        ConnectAgent agent = ConnectAgent.builder().consul(consul).build()) {
      assertThat(agent.defaultIntentionPolicy()).isEqualTo(DefaultIntentionPolicy.ACLS_DISABLED);
    }
  }

  @Test
  void aPolicyStatedByHandIsRefusedNamingIt() throws Exception {
    try (ConsulBackend consul = backend()) {
      assertThatThrownBy(() -> ConnectAgent.builder().consul(consul)
          .defaultIntentionPolicy(DefaultIntentionPolicy.ACLS_DEFAULT_ALLOW).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("ACLS_DEFAULT_ALLOW")
          .hasMessageContaining("read from the server");
    }
  }

  @Test
  void embeddedOnlyOptionsAreRefused(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    try (ConsulBackend consul = backend()) {
      assertThatThrownBy(() -> ConnectAgent.builder().dataDirectory(dir).consul(consul))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("dataDirectory");
      assertThatThrownBy(() -> ConnectAgent.builder().dataDirectory(dir).consul())
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("dataDirectory");
      assertThatThrownBy(() -> ConnectAgent.builder().consul().consul(consul))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("backend");
    }
  }

  @Test
  void anUnreachableServerFailsTheBuildNamingTheEndpoint() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    try (ConsulBackend consul = ConsulBackend.builder().environment(Map.of())
        .address("127.0.0.1:" + closed).build()) {
      assertThatThrownBy(() -> ConnectAgent.builder().consul(consul).build())
          .isInstanceOf(ConsulHttpException.class)
          .hasMessageContaining("/v1/acl/token/self")
          .hasMessageContaining("connection refused");
    }
  }
}
