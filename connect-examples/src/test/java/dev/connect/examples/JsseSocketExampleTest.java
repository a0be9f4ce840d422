package dev.connect.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.agent.ConnectService;
import dev.connect.tls.HandshakeEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import dev.connect.test.ConnectExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@link JsseSocketExample}: an allowed call is echoed; after a deny, the next one fails. */
class JsseSocketExampleTest {
  @RegisterExtension
  final ConnectExtension connect = ConnectExtension.builder().build();

  @TempDir
  Path dir;

  @Test
  void webCallsDbAndADenyRefusesTheNextCall() throws Exception {
    ConnectService db = connect.service("db");
    ConnectService web = connect.service("web");
    List<HandshakeEvent> dbSaw = new CopyOnWriteArrayList<>();
    db.onHandshake(dbSaw::add);

    try (JsseSocketExample.EchoServer server = JsseSocketExample.EchoServer.start(db)) {
      assertThat(JsseSocketExample.call(web, server.address(), "ping")).isEqualTo("ping");

      connect.deny("web", "db");
      assertThatThrownBy(() -> JsseSocketExample.call(web, server.address(), "ping again"))
          .isInstanceOf(IOException.class);
    }

    assertThat(dbSaw).extracting(HandshakeEvent::allowed).containsExactly(true, false);
    assertThat(dbSaw.get(1).reason())
        .startsWith("connect: authz denied: Matched L4 intention: default/web => default/db");
  }

  @Test
  void mainRunsWithARealAgent() throws Exception {
    assertThat(Mains.stdout(JsseSocketExample::main, dir.toString()))
        .isEqualTo("db echoed: hello from web\n");
  }
}
