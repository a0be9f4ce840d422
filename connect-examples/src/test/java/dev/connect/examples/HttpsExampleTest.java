package dev.connect.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.agent.ConnectService;
import dev.connect.tls.HandshakeEvent;
import java.io.IOException;
import java.net.http.HttpClient;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link HttpsExample}: db's handler names the caller; a denied caller gets no response, and
 * a connection authorized before the deny stays usable.
 */
class HttpsExampleTest extends ExampleTestBase {
  @Test
  void dbAnswersWithTheCallersIdentityAndADeniedCallerGetsNoResponse() throws Exception {
    ConnectService db = connect.service("db");
    ConnectService web = connect.service("web");
    List<HandshakeEvent> dbSaw = handshakesOf(db);

    try (HttpsExample.DbServer server = HttpsExample.DbServer.start(db)) {
      HttpClient client = HttpsExample.client(web);
      assertThat(HttpsExample.whoAmI(client, server.address()))
          .isEqualTo("you are " + web.id().spiffeId());

      connect.deny("web", "db");
      // Intentions are checked per connection: the client's kept-alive one was authorized
      // before the deny and still works...
      assertThat(HttpsExample.whoAmI(client, server.address()))
          .isEqualTo("you are " + web.id().spiffeId());
      // ...while a new connection is refused in its handshake, before any HTTP is read.
      assertThatThrownBy(() -> HttpsExample.whoAmI(HttpsExample.client(web), server.address()))
          .isInstanceOf(IOException.class);
    }

    // One allowed handshake (both requests on it); then the refused one, which HttpClient may
    // try a second time, since GET is idempotent.
    assertThat(dbSaw.get(0).allowed()).isTrue();
    assertThat(dbSaw.subList(1, dbSaw.size())).isNotEmpty().allSatisfy(e -> {
      assertThat(e.allowed()).isFalse();
      assertThat(e.reason()).startsWith(WEB_TO_DB_DENIED);
    });
  }

  @Test
  void mainRunsWithARealAgent() throws Exception {
    assertThat(Mains.stdout(HttpsExample::main, dir.toString())).matches(
        "db says: you are spiffe://[0-9a-f-]+\\.consul/ns/default/dc/dc1/svc/web\n");
  }
}
