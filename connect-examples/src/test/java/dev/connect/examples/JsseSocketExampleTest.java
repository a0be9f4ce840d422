package dev.connect.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.agent.ConnectService;
import dev.connect.tls.HandshakeEvent;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Runs {@link JsseSocketExample}: an allowed call is echoed; after a deny, the next one fails. */
class JsseSocketExampleTest extends ExampleTestBase {
  @Test
  void webCallsDbAndADenyRefusesTheNextCall() throws Exception {
    ConnectService db = connect.service("db");
    ConnectService web = connect.service("web");
    List<HandshakeEvent> dbSaw = handshakesOf(db);

    try (JsseSocketExample.EchoServer server = JsseSocketExample.EchoServer.start(db)) {
      assertThat(JsseSocketExample.call(web, server.address(), "ping")).isEqualTo("ping");

      connect.deny("web", "db");
      assertThatThrownBy(() -> JsseSocketExample.call(web, server.address(), "ping again"))
          .isInstanceOf(IOException.class);
    }

    assertThat(dbSaw).extracting(HandshakeEvent::allowed).containsExactly(true, false);
    assertThat(dbSaw.get(1).reason()).startsWith(WEB_TO_DB_DENIED);
  }

  @Test
  void mainRunsWithARealAgent() throws Exception {
    assertThat(Mains.stdout(JsseSocketExample::main, dir.toString()))
        .isEqualTo("db echoed: hello from web\n");
  }
}
