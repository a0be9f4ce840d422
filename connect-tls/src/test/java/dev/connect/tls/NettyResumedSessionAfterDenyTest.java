package dev.connect.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.IntentionAction;
import dev.connect.tls.netty.ConnectNettyTls;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.util.stream.Stream;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A client allowed, then denied by a new intention, cannot resume its way back into a Netty
 * server, with either provider and TLS 1.3 or 1.2 (issue 6; STYLE.md "TLS session resumption
 * must not skip authorization").
 *
 * <p>The controls prove the test's clients do resume when a server lets them, and that on
 * OpenSSL invalidating the session in the trust manager (all the JSSE contexts need) is not
 * enough: BoringSSL still resumes (from tickets with TLS 1.3, from Netty's session cache with TLS
 * 1.2), which is why Connect's OpenSSL server contexts have no session cache and no tickets.
 */
class NettyResumedSessionAfterDenyTest extends NettyTestBase {
  static Stream<Arguments> matrix() {
    return Stream.of(SslProvider.JDK, SslProvider.OPENSSL).flatMap(p ->
        Stream.of(Arguments.of(p, "TLSv1.3"), Arguments.of(p, "TLSv1.2")));
  }

  /** A Connect client that offers only {@code protocol}, so that both versions are tested. */
  private SslContext client(SslProvider provider, String protocol) throws Exception {
    ConnectTls.ClientBuilder web = ConnectTls.forClient(f.identity("web")).expectPeer("db")
        .tls12Allowed().clock(f.time);
    return SslContextBuilder.forClient().sslProvider(provider).keyManager(web.keyManager())
        .trustManager(web.trustManager()).protocols(protocol)
        .endpointIdentificationAlgorithm(null).build();
  }

  @ParameterizedTest
  @MethodSource("matrix")
  void deniedClientCannotResumeItsWayIn(SslProvider provider, String protocol) throws Exception {
    assumeAvailable(provider);
    RecordingListener events = new RecordingListener();
    SslContext db = ConnectNettyTls.forServer(ConnectTls.forServer(f.identity("db"))
        .authorizeWith(DefaultIntentionPolicy.ACLS_DEFAULT_DENY).tls12Allowed().clock(f.time)
        .listener(events)).provider(provider).build();
    SslContext web = client(provider, protocol);
    f.intention("web", "db", IntentionAction.ALLOW);
    try (NettyPeers.EchoServer server = new NettyPeers.EchoServer(group, db, "db")) {
      for (int i = 1; i <= 3; i++) {
        NettyPeers.Reply reply = NettyPeers.connect(group, web, server.port(), 2);
        assertThat(reply.lines()).containsExactly("hello from db", "ping");
        assertThat(reply.protocol()).isEqualTo(protocol);
        assertThat(server.next().ok()).isTrue();
        assertThat(events.events).as("every connection was a full handshake").hasSize(i);
      }
      long allowedBytes = server.applicationBytes.get();

      f.intention("web", "db", IntentionAction.DENY);

      assertThatThrownBy(() -> NettyPeers.connect(group, web, server.port(), 2))
          .as("the client that was allowed").isInstanceOf(IOException.class);
      assertThat(Peers.messages(server.next().failure())).contains("authz denied")
          .contains("Action: DENY");
      assertThatThrownBy(() -> NettyPeers.connect(group, client(provider, protocol),
          server.port(), 2)).as("a fresh client").isInstanceOf(IOException.class);
      assertThat(server.next().ok()).isFalse();
      assertThat(server.applicationBytes.get()).isEqualTo(allowedBytes);
      assertThat(events.events).hasSize(5);
      assertThat(events.events.subList(3, 5)).noneMatch(HandshakeEvent::allowed);
    }
  }

  @ParameterizedTest
  @MethodSource("matrix")
  void controlTheSameClientResumesWhenTheServerAllowsIt(SslProvider provider, String protocol)
      throws Exception {
    assumeAvailable(provider);
    ConnectTls.ServerBuilder builder = ConnectTls.forServer(f.identity("db"))
        .authorizeWith(DefaultIntentionPolicy.ACLS_DISABLED).tls12Allowed().clock(f.time);
    CountingTrustManager counting = new CountingTrustManager(builder.trustManager(), false);
    assertThat(fullHandshakesOfThree(plainServer(provider, builder, counting), counting,
        client(provider, protocol))).as("later connections resumed").isEqualTo(1);
  }

  @ParameterizedTest
  @MethodSource("matrix")
  void controlInvalidatingTheSessionAloneStopsJsseButNotBoringSslTickets(SslProvider provider,
      String protocol) throws Exception {
    assumeAvailable(provider);
    ConnectTls.ServerBuilder builder = ConnectTls.forServer(f.identity("db"))
        .authorizeWith(DefaultIntentionPolicy.ACLS_DISABLED).tls12Allowed().clock(f.time);
    CountingTrustManager invalidating = new CountingTrustManager(builder.trustManager(), true);
    int full = fullHandshakesOfThree(plainServer(provider, builder, invalidating), invalidating,
        client(provider, protocol));
    // JSSE honours the invalidation; BoringSSL resumes anyway (tickets in 1.3, its cache in 1.2).
    assertThat(full).isEqualTo(provider == SslProvider.JDK ? 3 : 1);
  }

  /** A Netty server around Connect's managers without the OpenSSL no-resumption settings. */
  private static SslContext plainServer(SslProvider provider, ConnectTls.ServerBuilder builder,
      TrustManager trust) throws Exception {
    return SslContextBuilder.forServer(builder.keyManager()).sslProvider(provider)
        .trustManager(trust).clientAuth(ClientAuth.REQUIRE)
        .protocols(builder.sslParameters().getProtocols()).build();
  }

  private static int fullHandshakesOfThree(SslContext server, CountingTrustManager counting,
      SslContext client) throws Exception {
    try (NettyPeers.EchoServer s = new NettyPeers.EchoServer(group, server, "db")) {
      for (int i = 0; i < 3; i++) {
        assertThat(NettyPeers.connect(group, client, s.port(), 2).lines())
            .containsExactly("hello from db", "ping");
        assertThat(s.next().ok()).isTrue();
      }
    }
    return counting.checks.get();
  }
}
