package dev.connect.proxy;

import static dev.connect.proxy.ProxyFixture.ANY_LOOPBACK;
import static dev.connect.proxy.ProxyFixture.READ_TIMEOUT_MS;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing a proxy stops its listeners at once but lets an open connection finish: it keeps
 * flowing until its client ends it, and only then does {@code close()} return (issue 15).
 */
class GracefulDrainOnCloseTest {
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
  void anOpenConnectionFinishesWhileNewOnesAreRefused() throws Exception {
    EchoApp app = f.app(false);
    ConnectProxy db = f.open(ConnectProxy.builder(f.agent.service("db"))
        .publicListener(ANY_LOOPBACK, app.address()).start());
    ConnectProxy web = ConnectProxy.builder(f.agent.service("web"))
        .drainTimeout(Duration.ofSeconds(60))
        .upstream(new Upstream("db", ANY_LOOPBACK, db.publicAddress())).start();
    f.open(web);
    InetSocketAddress upstream = web.upstreamAddress("db");
    CompletableFuture<Void> closing;
    try (Socket s = new Socket(upstream.getAddress(), upstream.getPort())) {
      s.setSoTimeout(READ_TIMEOUT_MS);
      s.getOutputStream().write("before".getBytes(StandardCharsets.UTF_8));
      assertThat(new String(s.getInputStream().readNBytes(6), StandardCharsets.UTF_8))
          .isEqualTo("before");

      closing = CompletableFuture.runAsync(web::close);
      // The listener closes first: a new connection is refused, while close() still waits.
      assertThat(connectRefused(upstream)).isTrue();
      assertThat(closing).isNotDone();

      s.getOutputStream().write("during drain".getBytes(StandardCharsets.UTF_8));
      assertThat(new String(s.getInputStream().readNBytes(12), StandardCharsets.UTF_8))
          .isEqualTo("during drain");
      s.shutdownOutput();
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
    closing.get(30, TimeUnit.SECONDS);
    assertThat(web.metrics().activeConnections()).isZero();
  }

  /** Tries to connect until refused (the listener's close is asynchronous); at most 10 s. */
  private static boolean connectRefused(InetSocketAddress a) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (Socket probe = new Socket(a.getAddress(), a.getPort())) {
        probe.setSoTimeout(READ_TIMEOUT_MS);
        // Accepted before the listener closed: the proxy serves or closes it; try again.
        probe.shutdownOutput();
        probe.getInputStream().readAllBytes();
      } catch (ConnectException refused) {
        return true;
      } catch (SocketException reset) {
        // Accepted into the backlog as the listener closed, then reset when it went: try again.
      }
    }
    return false;
  }

}
