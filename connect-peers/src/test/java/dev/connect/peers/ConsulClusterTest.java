package dev.connect.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Three real Consul servers: a leader, a CA, a new leader after the old one is killed. */
class ConsulClusterTest {
  @Test
  void killingTheLeaderElectsAnotherAndCloseStopsEveryServer() throws Exception {
    List<ConsulServer> servers;
    try (ConsulCluster cluster = ConsulCluster.start()) {
      System.out.println("measured: three-server cluster ready in "
          + cluster.startupTime().toMillis() + " ms");
      servers = cluster.servers();
      ConsulServer leader = cluster.leader();
      HttpResponse<String> roots =
          PeerHttpClient.get(leader.httpAddress().resolve("/v1/connect/ca/roots"));
      assertThat(roots.statusCode()).isEqualTo(200);
      assertThat(ConsulNode.hasActiveRoot(PeerHttp.parse(roots.body()))).isTrue();

      long killedAt = System.nanoTime();
      ConsulServer killed = cluster.killLeader();
      ConsulServer next = cluster.leader();
      System.out.println("measured: new leader " + next.node() + " after killing " + killed.node()
          + " in " + (System.nanoTime() - killedAt) / 1_000_000 + " ms");

      assertThat(killed).isSameAs(leader);
      assertThat(killed.isAlive()).isFalse();
      assertThat(next).isNotSameAs(killed);
      assertThat(next.isAlive()).isTrue();
      assertThat(PeerHttpClient.get(next.httpAddress().resolve("/v1/status/leader")).body())
          .isEqualTo("\"127.0.0.1:" + next.serverPort() + "\"");
    }

    assertThat(servers).hasSize(3).allSatisfy(s ->
        assertThat(ProcessHandle.of(s.pid()).filter(ProcessHandle::isAlive)).isEmpty());
  }
}
