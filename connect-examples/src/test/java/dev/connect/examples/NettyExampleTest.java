package dev.connect.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.connect.agent.ConnectService;
import dev.connect.tls.HandshakeEvent;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Runs {@link NettyExample} with both providers: db answers with the caller's identity; after a
 * deny, web's next connection is refused in its handshake, even though web's context could
 * offer the earlier session for resumption.
 */
class NettyExampleTest extends ExampleTestBase {
  @ParameterizedTest
  @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
  void dbAnswersWithTheCallersIdentityAndADenyRefusesTheNextConnection(SslProvider provider)
      throws Exception {
    assumeTrue(provider == SslProvider.JDK || OpenSsl.isAvailable(), "BoringSSL not loadable");
    ConnectService db = connect.service("db");
    ConnectService web = connect.service("web");
    List<HandshakeEvent> dbSaw = handshakesOf(db);

    try (NettyExample.DbServer server = NettyExample.DbServer.start(db, provider);
        NettyExample.WebClient client = NettyExample.WebClient.create(web, provider)) {
      assertThat(client.call(server.address(), "ping"))
          .isEqualTo(web.id().spiffeId() + " said: ping");

      connect.deny("web", "db");
      assertThatThrownBy(() -> client.call(server.address(), "ping again"))
          .isInstanceOf(IOException.class);
    }

    assertThat(dbSaw).extracting(HandshakeEvent::allowed).containsExactly(true, false);
    assertThat(dbSaw.get(1).reason()).startsWith(WEB_TO_DB_DENIED);
  }

  @Test
  void mainRunsWithARealAgent() throws Exception {
    assumeTrue(OpenSsl.isAvailable(), "BoringSSL not loadable");
    assertThat(Mains.stdout(NettyExample::main, dir.toString())).matches(
        "db answered: spiffe://[0-9a-f-]+\\.consul/ns/default/dc/dc1/svc/web said: hello\n");
  }
}
