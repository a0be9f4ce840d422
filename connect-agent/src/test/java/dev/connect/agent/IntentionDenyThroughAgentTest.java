package dev.connect.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.Decision;
import dev.connect.core.Intention;
import dev.connect.core.IntentionAction;
import dev.connect.testkit.EchoServer;
import dev.connect.tls.HandshakeEvent;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/** An intention written through the agent's admin view reaches the next handshake. */
class IntentionDenyThroughAgentTest extends AgentTestBase {
  @Test
  void aDenyMakesTheNextHandshakeFailAndAuthorizeGiveTheReason() throws Exception {
    ConnectService db = f.agent.service("db");
    ConnectService web = f.agent.service("web");
    List<HandshakeEvent> dbEvents = new CopyOnWriteArrayList<>();
    db.onHandshake(dbEvents::add);
    SSLContext client = web.clientSslContext("db");

    try (EchoServer server = new EchoServer(db.serverSslContext())) {
      assertThat(EchoServer.echo(client, server.port(), "before")).isEqualTo("before");
      assertThat(server.next()).isInstanceOf(EchoServer.Ok.class);

      f.runDue(); // the cache's blocking query on db's intentions is waiting
      Intention deny = f.agent.intentions().deny("web", "db");
      assertThat(deny.action()).isEqualTo(IntentionAction.DENY);
      f.runDue(); // ...and returns with the new intention

      assertThatThrownBy(() -> EchoServer.echo(client, server.port(), "after"))
          .isInstanceOf(IOException.class);
      assertThat(EchoServer.messages(server.next()))
          .contains("connect: authz denied: Matched L4 intention: default/web => default/db");
    }

    Decision d = db.authorize(web.id().spiffeId());
    assertThat(d.allowed()).isFalse();
    assertThat(d.reason()).startsWith("Matched L4 intention: default/web => default/db")
        .endsWith("Action: DENY)");
    assertThat(d.intention()).isPresent();
    assertThat(dbEvents).hasSize(2);
    assertThat(dbEvents.get(1).allowed()).isFalse();
    assertThat(dbEvents.get(1).reason()).endsWith(d.reason());
  }

  @Test
  void theViewListsChecksGetsAndDeletesWhatItWrote() {
    f.agent.intentions().allow("web", "db");
    Intention deny = f.agent.intentions().deny("*", "db");
    assertThat(f.agent.intentions().list()).hasSize(2);
    assertThat(f.agent.intentions().check("web", "db").allowed()).isTrue();
    assertThat(f.agent.intentions().check("api", "db").allowed()).isFalse();
    assertThat(f.agent.intentions().get("*", "db")).contains(deny);
    assertThat(f.agent.intentions().match("db")).hasSize(2);
    assertThat(f.agent.intentions().delete("*", "db")).isTrue();
    assertThat(f.agent.intentions().delete("*", "db")).isFalse();
    assertThat(f.agent.intentions().list()).singleElement()
        .satisfies(i -> assertThat(i.source().name()).isEqualTo("web"));
    Intention created = f.agent.intentions().create(Intention.of("api", "db", IntentionAction.DENY));
    assertThat(f.agent.intentions().get(created.id())).contains(created);
    assertThat(f.agent.intentions().delete(created.id())).isTrue();
    assertThatThrownBy(() -> f.agent.intentions().get("not-a-uuid"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not-a-uuid");
  }
}
