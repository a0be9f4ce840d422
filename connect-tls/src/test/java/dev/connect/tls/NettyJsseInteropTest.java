package dev.connect.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.IntentionAction;
import dev.connect.tls.netty.ConnectNettyTls;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Netty contexts of either provider talk to the plain JSSE contexts both ways: a Netty server
 * with an {@code SSLSocket} client, and a JSSE server socket with a Netty client; allowed and
 * denied alike.
 */
class NettyJsseInteropTest extends NettyTestBase {
  private ConnectTls.ServerBuilder db() {
    return ConnectTls.forServer(f.identity("db"))
        .authorizeWith(DefaultIntentionPolicy.ACLS_DEFAULT_DENY).clock(f.time);
  }

  private ConnectTls.ClientBuilder client(String self) {
    return ConnectTls.forClient(f.identity(self)).expectPeer("db").clock(f.time);
  }

  @ParameterizedTest
  @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
  void nettyServerAndJsseSocketClient(SslProvider provider) throws Exception {
    assumeAvailable(provider);
    f.intention("web", "db", IntentionAction.ALLOW);
    f.intention("api", "db", IntentionAction.DENY);
    SslContext db = ConnectNettyTls.forServer(db()).provider(provider).build();
    try (NettyPeers.EchoServer server = new NettyPeers.EchoServer(group, db, "db")) {
      Peers.Reply reply = Peers.connect(client("web").sslContext(), server.port());
      assertThat(reply.line()).isEqualTo("hello from db");
      assertThat(reply.protocol()).isEqualTo("TLSv1.3");
      assertThat(reply.server().toString()).endsWith("/svc/db");
      assertThat(server.next().peer().toString()).endsWith("/svc/web");

      assertThatThrownBy(() -> Peers.connect(client("api").sslContext(), server.port()))
          .isInstanceOf(IOException.class);
      assertThat(Peers.messages(server.next().failure()))
          .contains("connect: authz denied: Matched L4 intention: default/api => default/db");
    }
  }

  @ParameterizedTest
  @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
  void jsseServerSocketAndNettyClient(SslProvider provider) throws Exception {
    assumeAvailable(provider);
    f.intention("web", "db", IntentionAction.ALLOW);
    f.intention("api", "db", IntentionAction.DENY);
    try (Peers.GreetingServer server = new Peers.GreetingServer(db().sslContext(), "db")) {
      SslContext web = ConnectNettyTls.forClient(client("web")).provider(provider).build();
      NettyPeers.Reply reply = NettyPeers.connect(group, web, server.port(), 1);
      assertThat(reply.lines()).containsExactly("hello from db");
      assertThat(reply.server().toString()).endsWith("/svc/db");
      Peers.Accepted accepted = server.next();
      assertThat(accepted.ok()).isTrue();
      assertThat(accepted.peer().toString()).endsWith("/svc/web");

      SslContext api = ConnectNettyTls.forClient(client("api")).provider(provider).build();
      assertThatThrownBy(() -> NettyPeers.connect(group, api, server.port(), 1))
          .isInstanceOf(IOException.class);
      assertThat(Peers.messages(server.next().failure())).contains("authz denied");
    }
  }

  /**
   * Netty's OpenSSL server reads {@code getAcceptedIssuers()} once, when the context is built;
   * Connect's trust manager returns none, so no CA names that a root rotation would make stale
   * are ever sent, and rotation still works (see {@code NettyRotationTest}).
   */
  @ParameterizedTest
  @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
  void serverSendsNoCaNamesInItsCertificateRequest(SslProvider provider) throws Exception {
    assumeAvailable(provider);
    ConnectTls.ClientBuilder web = client("web");
    RecordingKeyManager keys = new RecordingKeyManager(web.keyManager());
    SSLContext jsse = SSLContext.getInstance("TLS");
    jsse.init(new KeyManager[] {keys}, new TrustManager[] {web.trustManager()}, null);
    SslContext db = ConnectNettyTls.forServer(db()).provider(provider).build();
    f.intention("web", "db", IntentionAction.ALLOW);
    try (NettyPeers.EchoServer server = new NettyPeers.EchoServer(group, db, "db")) {
      javax.net.ssl.SSLParameters p = web.sslParameters();
      try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) jsse.getSocketFactory()
          .createSocket("127.0.0.1", server.port())) {
        s.setSoTimeout(Peers.TIMEOUT_MS);
        s.setSSLParameters(p);
        s.startHandshake();
        assertThat(s.getInputStream().read()).isEqualTo('h');
      }
      assertThat(server.next().ok()).isTrue();
    }
    assertThat(keys.issuersOffered).hasSize(1);
    assertThat(keys.issuersOffered.get(0)).as("CA names in the certificate request").isEmpty();
  }

  /** Records the issuers a server's certificate request named, then delegates. */
  static final class RecordingKeyManager extends X509ExtendedKeyManager {
    final X509ExtendedKeyManager delegate;
    final List<List<Principal>> issuersOffered = new CopyOnWriteArrayList<>();

    RecordingKeyManager(X509ExtendedKeyManager delegate) {
      this.delegate = delegate;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      issuersOffered.add(issuers == null ? List.of() : List.of(issuers));
      return delegate.chooseClientAlias(keyType, issuers, socket);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers,
        SSLEngine engine) {
      issuersOffered.add(issuers == null ? List.of() : List.of(issuers));
      return delegate.chooseEngineClientAlias(keyType, issuers, engine);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return delegate.getClientAliases(keyType, issuers);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return delegate.getServerAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return delegate.chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return delegate.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return delegate.getPrivateKey(alias);
    }
  }
}
