package dev.connect.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.agent.LeaderKilledWhileHandshakesRunTest.Handshakes;
import dev.connect.cache.CacheListener;
import dev.connect.cache.CacheRequest;
import dev.connect.cache.Leaf;
import dev.connect.consul.ConsulBackend;
import dev.connect.core.CaRoot;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.peers.ConsulCluster;
import dev.connect.peers.ConsulServer;
import dev.connect.testkit.EchoServer;
import java.math.BigInteger;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: leaves that must be re-issued while the Consul leader dies. An agent over {@link
 * ConsulBackend} talks to a follower of a three-server cluster; the CA is rotated with a new key
 * (both leaves are then due for re-issue under the new root) and the leader is killed at once,
 * while {@code web} handshakes with {@code db} continuously. Consul's agent cannot sign during
 * the election, and a new leader answers {@code 500 CA is uninitialized} for a while: no
 * handshake fails (the old leaves and both roots are served meanwhile), and after the election
 * both leaves are new certificates (new serials) signed by the new root, within {@link #BOUND}.
 *
 * <p>Unlike {@link LeaderKilledWhileHandshakesRunTest}, whose renewal is made due by a fake clock
 * and returns Consul's cached certificate, this one sees Consul really sign new leaves across
 * the election.
 */
class LeavesReissuedAcrossLeaderElectionTest {
  /** The election (about 15 s), Consul's re-issue spread (up to 20 s) and the cache's backoff. */
  static final Duration BOUND = Duration.ofSeconds(150);

  @Test
  void noHandshakeFailsAndBothLeavesAreReissuedUnderTheNewRootAfterTheElection()
      throws Exception {
    try (ConsulCluster cluster = ConsulCluster.start()) {
      ConsulServer leader = cluster.leader();
      ConsulServer follower = cluster.servers().stream().filter(s -> s != leader).findFirst()
          .orElseThrow();
      try (ConsulBackend backend = ConsulBackend.builder().environment(Map.of())
              .address(follower.httpAddress().toString()).build();
          ConnectAgent agent = ConnectAgent.builder().backend(backend)
              .defaultIntentionPolicy(DefaultIntentionPolicy.ACLS_DISABLED)
              .caChangeJitter(Duration.ofSeconds(1)).build()) {
        ConnectService db = agent.service("db");
        ConnectService web = agent.service("web");
        BigInteger dbBefore = db.leaf().certificate().serialNumber();
        BigInteger webBefore = web.leaf().certificate().serialNumber();
        BlockingQueue<String> changed = new LinkedBlockingQueue<>();
        CacheListener.Registration listening = agent.cache().addListener(new CacheListener() {
          @Override
          public void leafChanged(String service, CacheRequest request, Leaf leaf) {
            changed.add(service);
          }
        });
        try (listening; EchoServer echo = new EchoServer(db.serverSslContext());
            Handshakes handshakes = new Handshakes(web.clientSslContext("db"), echo)) {
          handshakes.awaitSome(10);

          CaRoot active = agent.ca().rotate().active();
          cluster.killLeader();
          long start = System.nanoTime();
          long deadline = start + BOUND.toNanos();
          while (!signedBy(db.leaf(), active) || !signedBy(web.leaf(), active)) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || changed.poll(left, TimeUnit.NANOSECONDS) == null) {
              throw new AssertionError("the leaves were not re-issued under " + active.id()
                  + " within " + BOUND + "; db: " + agent.cache().leafStatus("db",
                  CacheRequest.anonymous()) + ", web: " + agent.cache().leafStatus("web",
                  CacheRequest.anonymous()));
            }
          }
          System.out.println("leaves under the new root across the election: "
              + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms; web: "
              + agent.cache().leafStatus("web", CacheRequest.anonymous()).orElseThrow());
          assertThat(cluster.leader()).isNotSameAs(leader);
          handshakes.awaitSome(10);
          handshakes.stop();
          assertThat(handshakes.failures()).as("failed handshakes, first: %s",
              handshakes.firstFailure()).isZero();
          assertThat(db.leaf().certificate().serialNumber()).isNotEqualTo(dbBefore);
          assertThat(web.leaf().certificate().serialNumber()).isNotEqualTo(webBefore);
        }
      }
    }
  }

  private static boolean signedBy(Leaf leaf, CaRoot root) {
    byte[] akid = leaf.certificate().certificate().getExtensionValue("2.5.29.35");
    return HexFormat.of().formatHex(akid)
        .endsWith(root.signingKeyId().replace(":", "").toLowerCase());
  }
}
