package dev.connect.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.AclDefaultPolicy;
import dev.connect.core.AclToken;
import dev.connect.core.PermissionDeniedException;
import dev.connect.testkit.EchoServer;
import dev.connect.tls.HandshakeEvent;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/**
 * Issue #11, item 2: a service handle whose token lost its policy (the token kept) went on
 * authorizing clients from the intention match cached before, so a deny written afterwards let
 * the denied caller's real TLS handshake through. The server context now fails closed, with a
 * reason naming the refused permission.
 */
class PermissionRemovedFromTokenHandshakeTest extends AgentTestBase {
  static final String MANAGEMENT = "5e0b7c1d-9a2f-4c3e-8b1a-00000000mgmt";

  @Override
  ConnectAgent.Builder configure(ConnectAgent.Builder builder) {
    return builder.aclsEnabled(true).aclDefaultPolicy(AclDefaultPolicy.DENY)
        .initialManagementToken(MANAGEMENT);
  }

  @Test
  void theDeniedCallersHandshakeIsRefusedNamingTheMissingPermission() throws Exception {
    AgentAcl admin = f.agent.acl(MANAGEMENT);
    admin.createPolicy("db", "", "service \"db\" {\n policy = \"write\"\n intentions = \"read\"\n}");
    admin.createPolicy("web", "", "service \"web\" { policy = \"write\" }");
    AclToken dbToken = admin.createToken("db", List.of("db"));
    AclToken webToken = admin.createToken("web", List.of("web"));
    f.agent.intentions(MANAGEMENT).allow("web", "db");

    ConnectService db = f.agent.service("db", dbToken.revealSecretId());
    ConnectService web = f.agent.service("web", webToken.revealSecretId());
    List<HandshakeEvent> events = new CopyOnWriteArrayList<>();
    db.onHandshake(events::add);
    SSLContext client = web.clientSslContext("db");

    try (EchoServer server = new EchoServer(db.serverSslContext())) {
      assertThat(EchoServer.echo(client, server.port(), "before")).isEqualTo("before");
      assertThat(server.next()).isInstanceOf(EchoServer.Ok.class);
      f.runDue(); // the blocking query on db's intentions waits

      admin.updateToken(dbToken.accessorId(), "db", List.of()); // the token stays
      f.agent.intentions(MANAGEMENT).deny("web", "db");
      f.runDue(); // the query returns, refused

      assertThatThrownBy(() -> EchoServer.echo(client, server.port(), "after"))
          .isInstanceOf(IOException.class);
      assertThat(EchoServer.messages(server.next()))
          .contains("lacks permission 'intention:read'");
    }
    assertThat(events).hasSize(2);
    assertThat(events.get(1).allowed()).isFalse();
    assertThat(events.get(1).reason()).contains("intentions of db unavailable")
        .contains("lacks permission 'intention:read'")
        .doesNotContain(dbToken.revealSecretId());
    assertThatThrownBy(() -> db.authorize(web.id().spiffeId()))
        .isInstanceOf(PermissionDeniedException.class)
        .hasMessageContaining("lacks permission 'intention:read'");
  }
}
