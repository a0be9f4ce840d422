package dev.connect.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.IntentionAction;
import dev.connect.tls.netty.ConnectNettyTls;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.util.List;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Netty server and client contexts, JDK and OpenSSL providers, real connections on loopback:
 * allowed, denied, wrong server, protocols, and the handshake events.
 */
class NettyHandshakeTest extends NettyTestBase {
  final RecordingListener serverEvents = new RecordingListener();
  final RecordingListener clientEvents = new RecordingListener();

  private SslContext db(SslProvider provider, DefaultIntentionPolicy policy) {
    return ConnectNettyTls.forServer(ConnectTls.forServer(f.identity("db")).authorizeWith(policy)
        .clock(f.time).listener(serverEvents)).provider(provider).build();
  }

  private SslContext client(SslProvider provider, String self, String expected) {
    return ConnectNettyTls.forClient(ConnectTls.forClient(f.identity(self)).expectPeer(expected)
        .clock(f.time).listener(clientEvents)).provider(provider).build();
  }

  @ParameterizedTest
  @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
  void allowedClientReachesTheEchoHandler(SslProvider provider) throws Exception {
    assumeAvailable(provider);
    f.intention("web", "db", IntentionAction.ALLOW);
    try (NettyPeers.EchoServer server = new NettyPeers.EchoServer(group,
        db(provider, DefaultIntentionPolicy.ACLS_DEFAULT_DENY), "db")) {
      NettyPeers.Reply reply =
          NettyPeers.connect(group, client(provider, "web", "db"), server.port(), 2);
      assertThat(reply.lines()).containsExactly("hello from db", "ping");
      assertThat(reply.protocol()).isEqualTo("TLSv1.3");
      assertThat(reply.server().toString())
          .isEqualTo("spiffe://" + f.trustDomain() + "/ns/default/dc/dc1/svc/db");
      Peers.Accepted accepted = server.next();
      assertThat(accepted.ok()).isTrue();
      assertThat(accepted.peer().toString()).endsWith("/svc/web");
      assertThat(server.applicationBytes.get()).isEqualTo("ping\n".length());
    }
    HandshakeEvent event = serverEvents.last();
    assertThat(event.role()).isEqualTo(HandshakeEvent.Role.SERVER);
    assertThat(event.allowed()).isTrue();
    assertThat(event.service()).isEqualTo("db");
    assertThat(event.peer().orElseThrow().toString()).endsWith("/svc/web");
    assertThat(event.reason()).startsWith("Matched L4 intention: default/web => default/db");
    assertThat(clientEvents.last().role()).isEqualTo(HandshakeEvent.Role.CLIENT);
    assertThat(clientEvents.last().allowed()).isTrue();
    assertThat(clientEvents.last().peer().orElseThrow().toString()).endsWith("/svc/db");
  }

  @ParameterizedTest
  @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
  void deniedClientGetsAnAlertAndTheApplicationNeverSeesAByte(SslProvider provider)
      throws Exception {
    assumeAvailable(provider);
    f.intention("web", "db", IntentionAction.DENY);
    try (NettyPeers.EchoServer server = new NettyPeers.EchoServer(group,
        db(provider, DefaultIntentionPolicy.ACLS_DISABLED), "db")) {
      SslContext web = client(provider, "web", "db");
      assertThatThrownBy(() -> NettyPeers.connect(group, web, server.port(), 2))
          .isInstanceOf(IOException.class);
      Peers.Accepted accepted = server.next();
      assertThat(accepted.ok()).isFalse();
      assertThat(Peers.messages(accepted.failure()))
          .contains("connect: authz denied: Matched L4 intention: default/web => default/db");
      // With TLS 1.3 the client sent "ping" before the server checked it: it never got through.
      assertThat(server.applicationBytes.get()).isZero();
    }
    HandshakeEvent event = serverEvents.last();
    assertThat(event.allowed()).isFalse();
    assertThat(event.peer().orElseThrow().toString()).endsWith("/svc/web");
    assertThat(event.reason()).contains("authz denied").contains("Action: DENY");
  }

  @ParameterizedTest
  @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
  void clientRefusesAServerThatIsNotTheExpectedService(SslProvider provider) throws Exception {
    assumeAvailable(provider);
    try (NettyPeers.EchoServer server = new NettyPeers.EchoServer(group,
        db(provider, DefaultIntentionPolicy.ACLS_DISABLED), "db")) {
      SslContext web = client(provider, "web", "api");
      assertThatThrownBy(() -> NettyPeers.connect(group, web, server.port(), 1))
          .isInstanceOf(IOException.class)
          .satisfies(e -> assertThat(Peers.messages(e)).contains("peer certificate mismatch"));
      assertThat(server.next().ok()).isFalse();
      assertThat(server.applicationBytes.get()).isZero();
    }
    assertThat(clientEvents.last().allowed()).isFalse();
    assertThat(clientEvents.last().peer().orElseThrow().toString()).endsWith("/svc/db");
    assertThat(clientEvents.last().reason()).contains("want service api");
  }

  @ParameterizedTest
  @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
  void tls12OnlyWhenTheBuilderOptedIn(SslProvider provider) throws Exception {
    assumeAvailable(provider);
    SslContext server12 = ConnectNettyTls.forServer(ConnectTls.forServer(f.identity("db"))
        .authorizeWith(DefaultIntentionPolicy.ACLS_DISABLED).tls12Allowed().clock(f.time))
        .provider(provider).build();
    SslContext client12only = tls12OnlyClient(provider);
    try (NettyPeers.EchoServer server = new NettyPeers.EchoServer(group, server12, "db")) {
      assertThat(NettyPeers.connect(group, client12only, server.port(), 2).protocol())
          .isEqualTo("TLSv1.2");
      assertThat(NettyPeers.connect(group, client(provider, "web", "db"), server.port(), 2)
          .protocol()).isEqualTo("TLSv1.3");
    }
    try (NettyPeers.EchoServer server = new NettyPeers.EchoServer(group,
        db(provider, DefaultIntentionPolicy.ACLS_DISABLED), "db")) {
      assertThatThrownBy(() -> NettyPeers.connect(group, client12only, server.port(), 2))
          .isInstanceOf(IOException.class);
      assertThat(server.applicationBytes.get()).isZero();
    }
  }

  /** A client that offers TLS 1.2 only: a Connect client with 1.2 allowed, narrowed by hand. */
  private SslContext tls12OnlyClient(SslProvider provider) throws Exception {
    ConnectTls.ClientBuilder web = ConnectTls.forClient(f.identity("web")).expectPeer("db")
        .tls12Allowed().clock(f.time);
    return io.netty.handler.ssl.SslContextBuilder.forClient().sslProvider(provider)
        .keyManager(web.keyManager()).trustManager(web.trustManager())
        .protocols("TLSv1.2").endpointIdentificationAlgorithm(null).build();
  }

  /**
   * Netty 4.2 clients default to {@code HTTPS} endpoint identification. Connect clients turn it
   * off (see {@link #enginesCarryConnectParameters}); a client someone builds by hand around
   * Connect's managers keeps Netty's default, and still connects: with either provider the
   * Connect trust manager is the only verifier, and it checks the SPIFFE ID instead.
   */
  @ParameterizedTest
  @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
  void nettysDefaultHostnameCheckDoesNotApplyToConnectManagers(SslProvider provider)
      throws Exception {
    assumeAvailable(provider);
    ConnectTls.ClientBuilder web = ConnectTls.forClient(f.identity("web")).expectPeer("db")
        .clock(f.time).listener(clientEvents);
    SslContext byHand = io.netty.handler.ssl.SslContextBuilder.forClient().sslProvider(provider)
        .keyManager(web.keyManager()).trustManager(web.trustManager()).build();
    SSLEngine engine = byHand.newEngine(ByteBufAllocator.DEFAULT, "127.0.0.1", 443);
    assertThat(engine.getSSLParameters().getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");
    if (engine instanceof io.netty.util.ReferenceCounted rc) {
      rc.release();
    }
    try (NettyPeers.EchoServer server = new NettyPeers.EchoServer(group,
        db(provider, DefaultIntentionPolicy.ACLS_DISABLED), "db")) {
      assertThat(NettyPeers.connect(group, byHand, server.port(), 2).lines())
          .containsExactly("hello from db", "ping");
    }
    assertThat(clientEvents.last().allowed()).isTrue();
    assertThat(clientEvents.last().reason()).endsWith("/svc/db");
  }

  @ParameterizedTest
  @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
  void enginesCarryConnectParameters(SslProvider provider) {
    assumeAvailable(provider);
    SSLEngine server = db(provider, DefaultIntentionPolicy.ACLS_DISABLED)
        .newEngine(ByteBufAllocator.DEFAULT);
    assertThat(server.getNeedClientAuth()).isTrue();
    assertThat(protocols(server)).containsExactly("TLSv1.3");
    SSLEngine client = client(provider, "web", "db")
        .newEngine(ByteBufAllocator.DEFAULT, "127.0.0.1", 443);
    assertThat(client.getUseClientMode()).isTrue();
    assertThat(client.getSSLParameters().getEndpointIdentificationAlgorithm()).isNull();
    assertThat(protocols(client)).containsExactly("TLSv1.3");
    SslContext client12 = ConnectNettyTls.forClient(ConnectTls.forClient(f.identity("web"))
        .expectPeer("db").tls12Allowed()).provider(provider).build();
    SSLEngine engine12 = client12.newEngine(ByteBufAllocator.DEFAULT);
    assertThat(protocols(engine12)).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
    assertThat(List.of(engine12.getEnabledCipherSuites())).isNotEmpty().allMatch(
        s -> s.startsWith("TLS_AES_") || s.startsWith("TLS_CHACHA20")
            || s.startsWith("TLS_ECDHE_"));
    for (SSLEngine e : List.of(server, client, engine12)) {
      if (e instanceof io.netty.util.ReferenceCounted rc) {
        rc.release();
      }
    }
  }

  /**
   * The engine's enabled protocols without "SSLv2Hello", which Netty's OpenSSL engine always
   * lists although BoringSSL neither sends nor accepts an SSLv2 hello.
   */
  private static List<String> protocols(SSLEngine engine) {
    return List.of(engine.getEnabledProtocols()).stream().filter(p -> !p.equals("SSLv2Hello"))
        .toList();
  }
}
