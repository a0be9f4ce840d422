package dev.connect.proxy;

import static dev.connect.proxy.ProxyFixture.ANY_LOOPBACK;
import static dev.connect.proxy.ProxyFixture.READ_TIMEOUT_MS;
import static dev.connect.proxy.ProxyFixture.exchange;
import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.core.CaRoots;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CA's root rotates while a connection through two proxies is open: the connection keeps
 * flowing both ways, and a new connection handshakes with the leaves of the new root (issue
 * 15).
 */
class RootRotationDuringLongLivedConnectionTest {
  @TempDir
  Path dir;
  ProxyFixture f;

  @BeforeEach
  void open() throws Exception {
    f = new ProxyFixture(dir);
  }

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void theEstablishedConnectionKeepsFlowingAndNewOnesUseTheNewRoot() throws Exception {
    EchoApp app = f.app(false);
    ConnectProxy db = f.open(ConnectProxy.builder(f.agent.service("db"))
        .publicListener(ANY_LOOPBACK, app.address()).start());
    ConnectProxy web = f.open(ConnectProxy.builder(f.agent.service("web"))
        .upstream(new Upstream("db", ANY_LOOPBACK, db.publicAddress())).start());
    InetSocketAddress upstream = web.upstreamAddress("db");
    BigInteger webSerialBefore = f.agent.service("web").leaf().chain().get(0).getSerialNumber();

    try (Socket s = new Socket(upstream.getAddress(), upstream.getPort())) {
      s.setSoTimeout(READ_TIMEOUT_MS);
      assertThat(roundTrip(s, "before rotation")).isEqualTo("before rotation");

      f.scheduler.runDue(); // the cache's blocking query on the roots is waiting
      CaRoots rotated = f.agent.ca().rotate();
      f.scheduler.runDue(); // ...returns with the new root
      f.scheduler.advance(Duration.ofSeconds(2)); // leaves re-issued within the 1s jitter

      X509Certificate webLeaf = f.agent.service("web").leaf().chain().get(0);
      assertThat(webLeaf.getSerialNumber()).isNotEqualTo(webSerialBefore);
      assertThat(f.agent.service("db").roots().activeRootId()).isEqualTo(rotated.activeRootId());

      for (int i = 0; i < 3; i++) {
        assertThat(roundTrip(s, "after rotation " + i)).isEqualTo("after rotation " + i);
      }
      assertThat(exchange(upstream, "a new connection")).isEqualTo("a new connection");
    }
    assertThat(web.metrics().handshakesAllowed()).isEqualTo(2);
    assertThat(db.metrics().handshakesAllowed()).isEqualTo(2);
    assertThat(app.accepted).hasValue(2);
    assertThat(Optional.of(db.metrics().handshakesDenied())).contains(0L);
  }

  private static String roundTrip(Socket s, String text) throws java.io.IOException {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    s.getOutputStream().write(b);
    s.getOutputStream().flush();
    return new String(s.getInputStream().readNBytes(b.length), StandardCharsets.UTF_8);
  }
}
