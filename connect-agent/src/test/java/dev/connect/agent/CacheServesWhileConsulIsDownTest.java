package dev.connect.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.consul.ConsulBackend;
import dev.connect.peers.ConsulAgent;
import dev.connect.testkit.EchoServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, riding over outages: with the Consul agent gone, an agent over {@link ConsulBackend}
 * keeps serving its cached roots, leaves and intention matches, and its services keep completing
 * mutual-TLS handshakes.
 */
class CacheServesWhileConsulIsDownTest {
  @Test
  void handshakesKeepWorkingFromTheCacheAfterConsulStops() throws Exception {
    ConsulAgent consul = ConsulAgent.start();
    try (consul;
        ConsulBackend backend = ConsulBackend.builder().environment(Map.of())
            .address(consul.httpAddress().toString()).build();
        ConnectAgent agent = ConnectAgent.builder().backend(backend)
            .defaultIntentionPolicy(backend.defaultIntentionPolicy()).build()) {
      ConnectService db = agent.service("db");
      ConnectService web = agent.service("web");
      try (EchoServer echo = new EchoServer(db.serverSslContext())) {
        assertThat(EchoServer.echo(web.clientSslContext("db"), echo.port(), "before"))
            .isEqualTo("before");
        assertThat(echo.next()).isInstanceOf(EchoServer.Ok.class);
        String serial = web.leaf().certificate().serialNumberHex();

        consul.close();
        assertThat(consul.isAlive()).isFalse();

        assertThat(EchoServer.echo(web.clientSslContext("db"), echo.port(), "during"))
            .isEqualTo("during");
        assertThat(echo.next()).isInstanceOf(EchoServer.Ok.class);
        assertThat(web.leaf().certificate().serialNumberHex()).isEqualTo(serial);
        assertThat(db.authorize(web.id().spiffeId()).allowed()).isTrue();
      }
    }
  }
}
