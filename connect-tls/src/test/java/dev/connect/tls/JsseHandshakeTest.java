package dev.connect.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.IntentionAction;
import java.io.IOException;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** JSSE client and server with live Connect contexts: allowed, denied, and the parameters. */
class JsseHandshakeTest extends TlsFixtureTestBase {
  TlsStack stack;
  final RecordingListener serverEvents = new RecordingListener();
  final RecordingListener clientEvents = new RecordingListener();

  private SSLContext db(DefaultIntentionPolicy policy) {
    return ConnectTls.forServer(f.identity("db")).authorizeWith(policy).stack(stack).clock(f.time)
        .listener(serverEvents).sslContext();
  }

  private SSLContext client(String self, String expected) {
    return ConnectTls.forClient(f.identity(self)).expectPeer(expected).stack(stack).clock(f.time)
        .listener(clientEvents).sslContext();
  }

  @ParameterizedTest
  @EnumSource(TlsStack.class)
  void allowedClientGetsInAndBothSidesSeeTheirPeer(TlsStack stack) throws Exception {
    this.stack = stack;
    f.intention("web", "db", IntentionAction.ALLOW);
    try (Peers.GreetingServer server =
        new Peers.GreetingServer(db(DefaultIntentionPolicy.ACLS_DEFAULT_DENY), "db")) {
      Peers.Reply reply = Peers.connect(client("web", "db"), server.port());
      assertThat(reply.line()).isEqualTo("hello from db");
      assertThat(reply.protocol()).isEqualTo("TLSv1.3");
      assertThat(reply.server().toString()).isEqualTo(
          "spiffe://" + f.trustDomain() + "/ns/default/dc/dc1/svc/db");
      Peers.Accepted accepted = server.next();
      assertThat(accepted.ok()).isTrue();
      assertThat(accepted.peer().toString()).endsWith("/svc/web");
    }
    HandshakeEvent event = serverEvents.last();
    assertThat(event.role()).isEqualTo(HandshakeEvent.Role.SERVER);
    assertThat(event.allowed()).isTrue();
    assertThat(event.service()).isEqualTo("db");
    assertThat(event.peer().orElseThrow().toString()).endsWith("/svc/web");
    assertThat(event.reason()).startsWith("Matched L4 intention: default/web => default/db");
    assertThat(clientEvents.last().allowed()).isTrue();
    assertThat(clientEvents.last().role()).isEqualTo(HandshakeEvent.Role.CLIENT);
  }

  @ParameterizedTest
  @EnumSource(TlsStack.class)
  void deniedClientGetsAnAlertAndNothingReachesTheApplication(TlsStack stack) throws Exception {
    this.stack = stack;
    f.intention("web", "db", IntentionAction.DENY);
    try (Peers.GreetingServer server =
        new Peers.GreetingServer(db(DefaultIntentionPolicy.ACLS_DISABLED), "db")) {
      assertThatThrownBy(() -> Peers.connect(client("web", "db"), server.port()))
          .isInstanceOf(IOException.class);
      Peers.Accepted accepted = server.next();
      assertThat(accepted.ok()).isFalse();
      assertThat(Peers.messages(accepted.failure()))
          .contains("connect: authz denied: Matched L4 intention: default/web => default/db")
          .contains("Action: DENY");
    }
    HandshakeEvent event = serverEvents.last();
    assertThat(event.allowed()).isFalse();
    assertThat(event.peer().orElseThrow().toString()).endsWith("/svc/web");
    assertThat(event.reason()).contains("authz denied");
  }

  @ParameterizedTest
  @EnumSource(TlsStack.class)
  void defaultPolicyDecidesWhenNoIntentionMatches(TlsStack stack) throws Exception {
    this.stack = stack;
    try (Peers.GreetingServer server =
        new Peers.GreetingServer(db(DefaultIntentionPolicy.ACLS_DEFAULT_DENY), "db")) {
      assertThatThrownBy(() -> Peers.connect(client("web", "db"), server.port()))
          .isInstanceOf(IOException.class);
      assertThat(Peers.messages(server.next().failure()))
          .contains("authz denied: Default behavior configured by ACLs");
    }
    try (Peers.GreetingServer server =
        new Peers.GreetingServer(db(DefaultIntentionPolicy.ACLS_DISABLED), "db")) {
      assertThat(Peers.connect(client("web", "db"), server.port()).line())
          .isEqualTo("hello from db");
      assertThat(serverEvents.last().reason())
          .isEqualTo("ACLs disabled, access is allowed by default");
    }
  }

  @ParameterizedTest
  @EnumSource(TlsStack.class)
  void clientRefusesAServerThatIsNotTheExpectedService(TlsStack stack) throws Exception {
    this.stack = stack;
    try (Peers.GreetingServer server =
        new Peers.GreetingServer(db(DefaultIntentionPolicy.ACLS_DISABLED), "db")) {
      assertThatThrownBy(() -> Peers.connect(client("web", "api"), server.port()))
          .isInstanceOf(IOException.class)
          .satisfies(e -> assertThat(Peers.messages(e)).contains("peer certificate mismatch"));
    }
    assertThat(clientEvents.last().allowed()).isFalse();
    assertThat(clientEvents.last().peer().orElseThrow().toString()).endsWith("/svc/db");
  }

  @ParameterizedTest
  @EnumSource(TlsStack.class)
  void tls12OnlyWhenAllowedOnBothSides(TlsStack stack) throws Exception {
    this.stack = stack;
    SSLContext server12 = ConnectTls.forServer(f.identity("db"))
        .authorizeWith(DefaultIntentionPolicy.ACLS_DISABLED).stack(stack).tls12Allowed().clock(f.time)
        .sslContext();
    SSLContext client12 = ConnectTls.forClient(f.identity("web")).expectPeer("db").stack(stack)
        .tls12Allowed().clock(f.time).sslContext();
    try (Peers.GreetingServer server = new Peers.GreetingServer(server12, "db")) {
      assertThat(Peers.connect(client12, server.port(), "TLSv1.2").protocol())
          .isEqualTo("TLSv1.2");
      assertThat(Peers.connect(client12, server.port()).protocol()).isEqualTo("TLSv1.3");
    }
    try (Peers.GreetingServer server =
        new Peers.GreetingServer(db(DefaultIntentionPolicy.ACLS_DISABLED), "db")) {
      assertThatThrownBy(() -> Peers.connect(client12, server.port(), "TLSv1.2"))
          .isInstanceOf(IOException.class);
    }
  }

  @ParameterizedTest
  @EnumSource(TlsStack.class)
  void contextsStartEveryEngineAndSocketWithConnectParameters(TlsStack stack) throws Exception {
    this.stack = stack;
    SSLContext server = db(DefaultIntentionPolicy.ACLS_DISABLED);
    assertThat(server.getProvider().getName())
        .isEqualTo(stack == TlsStack.JDK ? "SunJSSE" : "BCJSSE");
    SSLParameters defaults = server.getDefaultSSLParameters();
    assertThat(defaults.getNeedClientAuth()).isTrue();
    assertThat(defaults.getProtocols()).containsExactly("TLSv1.3");
    assertThat(defaults.getEndpointIdentificationAlgorithm()).isNull();
    assertThat(server.createSSLEngine().getNeedClientAuth()).isTrue();
    assertThat(server.createSSLEngine().getEnabledProtocols()).containsExactly("TLSv1.3");
    try (javax.net.ssl.SSLServerSocket s = (javax.net.ssl.SSLServerSocket)
        server.getServerSocketFactory().createServerSocket(0, 1, Peers.LOOPBACK)) {
      assertThat(s.getNeedClientAuth()).isTrue();
      assertThat(s.getEnabledProtocols()).containsExactly("TLSv1.3");
    }
    SSLParameters client = ConnectTls.forClient(f.identity("web")).expectPeer("db").stack(stack)
        .tls12Allowed().sslParameters();
    assertThat(client.getProtocols()).containsExactly("TLSv1.3", "TLSv1.2");
    assertThat(client.getNeedClientAuth()).isFalse();
    assertThat(List.of(client.getCipherSuites())).allMatch(
        s -> s.startsWith("TLS_AES_") || s.startsWith("TLS_CHACHA20")
            || s.startsWith("TLS_ECDHE_"));
    assertThatThrownBy(() -> server.init(null, null, null))
        .isInstanceOf(java.security.KeyManagementException.class);
  }
}
