package dev.connect.peers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A real Consul dev agent: ready with a CA, ACLs enforced, stopped by PID, ports released. */
class ConsulAgentTest {
  @Test
  void devAgentServesItsRootsAndIsGoneWithItsPortsAfterClose() throws Exception {
    long pid;
    int[] ports;
    Path directory;
    try (ConsulAgent consul = ConsulAgent.start()) {
      System.out.println("measured: consul agent -dev ready in " + consul.startupTime().toMillis()
          + " ms (" + consul.attempts() + " start(s))");
      pid = consul.pid();
      ports = new int[] {consul.httpPort(), consul.grpcPort(), consul.serverPort(),
          consul.serfLanPort(), consul.serfWanPort()};
      directory = consul.directory();

      HttpResponse<String> roots =
          PeerHttpClient.get(consul.httpAddress().resolve("/v1/connect/ca/roots"));

      assertThat(roots.statusCode()).as(consul.logTail(20)).isEqualTo(200);
      JsonNode json = PeerHttp.parse(roots.body());
      assertThat(json.path("TrustDomain").asText()).endsWith(".consul");
      assertThat(json.path("Roots")).singleElement().satisfies(root -> {
        assertThat(root.path("Active").asBoolean()).isTrue();
        assertThat(root.path("RootCert").asText()).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(root.path("ID").asText()).isEqualTo(json.path("ActiveRootID").asText());
      });
      assertThat(ProcessHandle.of(pid)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
      assertThat(consul.toString()).contains("pid=" + pid).contains("acls=off");
    }

    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    for (int port : ports) {
      FreePortsTest.assertBindable(port);
    }
    assertThat(directory).doesNotExist();
  }

  @Test
  void withAclsOnAnAnonymousTokenListIsRefusedAndTheManagementTokenIsServed() throws Exception {
    try (ConsulAgent consul = ConsulAgent.builder().aclsDefaultDeny().start()) {
      System.out.println("measured: consul agent -dev with ACLs ready in "
          + consul.startupTime().toMillis() + " ms");
      String token = consul.managementToken().orElseThrow();

      HttpResponse<String> anonymous =
          PeerHttpClient.get(consul.httpAddress().resolve("/v1/acl/tokens"));
      HttpResponse<String> managed = PeerHttpClient.get(
          consul.httpAddress().resolve("/v1/acl/tokens"), "X-Consul-Token", token);

      assertThat(anonymous.statusCode()).isEqualTo(403);
      assertThat(anonymous.body()).contains("Permission denied");
      assertThat(managed.statusCode()).as(managed.body()).isEqualTo(200);
      assertThat(PeerHttp.parse(managed.body()))
          .anySatisfy(t -> assertThat(t.path("Policies").toString()).contains("global-management"));
      assertThat(consul.aclDefaultPolicy()).hasValue("deny");
      assertThat(consul.toString()).contains("acls=deny", "token=<redacted>").doesNotContain(token);
    }
  }

  @Test
  void aTakenPortMakesTheStartRetryOnFreshPorts() throws IOException {
    int[] picked = FreePorts.pick(5);
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), picked[0]));
      ConsulPorts first = new ConsulPorts(picked[0], picked[1], picked[2], picked[3], picked[4]);

      try (ConsulAgent consul = ConsulAgent.builder().firstPorts(first).start()) {
        assertThat(consul.attempts()).isEqualTo(2);
        assertThat(consul.httpPort()).isNotEqualTo(picked[0]);
        assertThat(consul.isAlive()).isTrue();
      }
    }
  }
}
