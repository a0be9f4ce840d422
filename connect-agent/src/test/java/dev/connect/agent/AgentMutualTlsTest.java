package dev.connect.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.Decision;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.SpiffeId;
import dev.connect.testkit.EchoServer;
import dev.connect.tls.HandshakeEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/** Two services of one agent speak mutual TLS through the contexts the agent makes. */
class AgentMutualTlsTest extends AgentTestBase {
  @Test
  void webTalksToDbOverMutualTls() throws Exception {
    ConnectService db = f.agent.service("db");
    ConnectService web = f.agent.service("web");
    List<HandshakeEvent> dbEvents = new CopyOnWriteArrayList<>();
    List<HandshakeEvent> webEvents = new CopyOnWriteArrayList<>();
    db.onHandshake(dbEvents::add);
    web.onHandshake(webEvents::add);

    try (EchoServer server = new EchoServer(db.serverSslContext())) {
      assertThat(EchoServer.echo(web.clientSslContext("db"), server.port(), "ping"))
          .isEqualTo("ping");
      assertThat(server.next()).isInstanceOf(EchoServer.Ok.class);
    }

    String td = f.agent.trustDomain();
    assertThat(dbEvents).singleElement().satisfies(e -> {
      assertThat(e.role()).isEqualTo(HandshakeEvent.Role.SERVER);
      assertThat(e.allowed()).isTrue();
      assertThat(e.peer()).contains(SpiffeId.parse(
          "spiffe://" + td + "/ns/default/dc/dc1/svc/web"));
      assertThat(e.reason()).isEqualTo("ACLs disabled, access is allowed by default");
    });
    assertThat(webEvents).singleElement().satisfies(e -> {
      assertThat(e.role()).isEqualTo(HandshakeEvent.Role.CLIENT);
      assertThat(e.peer()).contains(db.id().spiffeId());
    });
  }

  @Test
  void theAgentNamesTheServersTrustDomainAndTheHandlesUseIt() {
    ConnectService web = f.agent.service("web");
    assertThat(f.agent.trustDomain()).endsWith(".consul")
        .isEqualTo(web.roots().trustDomain());
    assertThat(web.id().spiffeId().toString())
        .isEqualTo("spiffe://" + f.agent.trustDomain() + "/ns/default/dc/dc1/svc/web");
    assertThat(SpiffeId.fromCertificate(web.leaf().chain().get(0))).isEqualTo(web.id().spiffeId());
    assertThat(f.agent.defaultIntentionPolicy()).isEqualTo(DefaultIntentionPolicy.ACLS_DISABLED);
  }

  @Test
  void contextsAreBuiltOncePerHandleAndUpstream() {
    ConnectService web = f.agent.service("web");
    assertThat(f.agent.service("web")).isSameAs(web);
    SSLContext toDb = web.clientSslContext("db");
    assertThat(web.clientSslContext("db")).isSameAs(toDb);
    assertThat(web.clientSslContext("cache")).isNotSameAs(toDb);
    assertThat(web.serverSslContext()).isSameAs(web.serverSslContext());
    // A handle with another token is another partition, with contexts of its own.
    assertThat(f.agent.service("web", "some-token")).isNotSameAs(web);
  }

  @Test
  void ownBuildersGiveNewContextsWithTheOptionsTheSharedOnesLack() throws Exception {
    ConnectService db = f.agent.service("db");
    ConnectService web = f.agent.service("web");
    SSLContext tls12Server = db.serverTls().tls12Allowed().sslContext();
    assertThat(tls12Server).isNotSameAs(db.serverSslContext());
    assertThat(tls12Server.getDefaultSSLParameters().getProtocols())
        .containsExactly("TLSv1.3", "TLSv1.2");
    assertThat(db.serverSslContext().getDefaultSSLParameters().getProtocols())
        .containsExactly("TLSv1.3");
    try (EchoServer server = new EchoServer(tls12Server)) {
      SSLContext tls12Client = web.clientTls("db").tls12Allowed().sslContext();
      assertThat(EchoServer.echo(tls12Client, server.port(), "hi")).isEqualTo("hi");
    }
    // The clock and the listener are the agent's and the handle's.
    assertThatThrownBy(() -> db.serverTls().clock(f.time))
        .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("clock was already set");
  }

  @Test
  void authorizeDecidesAsTheServerContextWould() {
    ConnectService db = f.agent.service("db");
    String td = f.agent.trustDomain();
    Decision d = db.authorize(SpiffeId.parse("spiffe://" + td + "/ns/default/dc/dc1/svc/web"));
    assertThat(d.allowed()).isTrue();
    assertThat(d.reason()).isEqualTo("ACLs disabled, access is allowed by default");
    Decision foreign = db.authorize("spiffe://other.consul/ns/default/dc/dc1/svc/web");
    assertThat(foreign.allowed()).isFalse();
    assertThat(foreign.reason()).isEqualTo("Identity from an external trust domain: other.consul");
    Decision garbage = db.authorize("https://example.com/web");
    assertThat(garbage.allowed()).isFalse();
    assertThat(garbage.reason()).startsWith("ClientCertURI not a valid Connect identifier");
  }

  @Test
  void aFailingHandshakeListenerDoesNotSilenceTheOthers() throws Exception {
    ConnectService db = f.agent.service("db");
    List<HandshakeEvent> seen = new CopyOnWriteArrayList<>();
    db.onHandshake(e -> {
      throw new IllegalStateException("listener bug");
    });
    Registration second = db.onHandshake(seen::add);
    try (EchoServer server = new EchoServer(db.serverSslContext())) {
      SSLContext client = f.agent.service("web").clientSslContext("db");
      assertThat(EchoServer.echo(client, server.port(), "one")).isEqualTo("one");
      assertThat(server.next()).isInstanceOf(EchoServer.Ok.class);
      second.close();
      second.close(); // idempotent
      assertThat(EchoServer.echo(client, server.port(), "two")).isEqualTo("two");
      assertThat(server.next()).isInstanceOf(EchoServer.Ok.class);
    }
    assertThat(seen).hasSize(1);
  }
}
