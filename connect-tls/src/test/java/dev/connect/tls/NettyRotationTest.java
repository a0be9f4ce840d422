package dev.connect.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.core.IntentionAction;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.math.BigInteger;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Netty contexts built once keep working across leaf renewals and a root rotation, and present
 * the new leaf on the very next handshake: with OpenSSL too, whose key material is cached per
 * alias (a new generation is a new alias, and only two generations stay cached).
 */
class NettyRotationTest extends NettyTestBase {
  /** The serials each side saw of the other in one connection. */
  private record Seen(BigInteger db, BigInteger web) {}

  private static Seen connect(NettyPeers.EchoServer server, SslContext client) throws Exception {
    NettyPeers.Reply reply = NettyPeers.connect(group, client, server.port(), 2);
    assertThat(reply.lines()).containsExactly("hello from db", "ping");
    Peers.Accepted accepted = server.next();
    assertThat(accepted.ok()).isTrue();
    return new Seen(reply.serial(), accepted.serial());
  }

  @ParameterizedTest
  @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
  void renewedLeavesAndRotatedRootsTakeEffectOnTheNextHandshake(SslProvider provider)
      throws Exception {
    assumeAvailable(provider);
    f.intention("web", "db", IntentionAction.ALLOW);
    SslContext db = dbServer(provider);
    SslContext web = webClient(provider);
    f.runDue();
    Set<BigInteger> dbSerials = new HashSet<>();
    Set<BigInteger> webSerials = new HashSet<>();
    try (NettyPeers.EchoServer server = new NettyPeers.EchoServer(group, db, "db")) {
      Seen first = connect(server, web);
      assertThat(connect(server, web)).isEqualTo(first);
      dbSerials.add(first.db());
      webSerials.add(first.web());

      // Three renewals (renewal falls at 60-90 % of the 72 h lifetime): a third generation
      // also makes the OpenSSL key cache evict the first.
      for (int renewal = 1; renewal <= 3; renewal++) {
        f.advance(Duration.ofHours(66));
        Seen renewed = connect(server, web);
        assertThat(dbSerials.add(renewed.db())).as("db presents its renewed leaf").isTrue();
        assertThat(webSerials.add(renewed.web())).as("web presents its renewed leaf").isTrue();
        assertThat(connect(server, web)).isEqualTo(renewed);
      }

      f.server.rotateRoot(TlsFixture.ROOT);
      f.runDue(); // the roots query returns; both leaves are re-issued within 30 s
      connect(server, web); // either generation: the old root is still trusted
      f.advance(Duration.ofSeconds(31));
      Seen rotated = connect(server, web);
      assertThat(dbSerials.add(rotated.db())).as("db presents a leaf of the new root").isTrue();
      assertThat(webSerials.add(rotated.web())).as("web presents a leaf of the new root")
          .isTrue();
      assertThat(f.cache.leaf("db", f.request).certificate().serialNumber())
          .isEqualTo(rotated.db());
    }
  }
}
