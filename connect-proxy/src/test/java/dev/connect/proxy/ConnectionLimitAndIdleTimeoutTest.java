package dev.connect.proxy;

import static dev.connect.proxy.ProxyFixture.ANY_LOOPBACK;
import static dev.connect.proxy.ProxyFixture.READ_TIMEOUT_MS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.proxy.internal.Counters;
import dev.connect.proxy.internal.Relay;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A connection above the limit is closed as soon as it is accepted and counted, while the ones
 * below keep flowing; a relayed pair idle both ways for the idle timeout is closed on both sides
 * (issue 15).
 */
class ConnectionLimitAndIdleTimeoutTest {
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
  void aConnectionAboveTheLimitIsClosedAtOnce() throws Exception {
    EchoApp app = f.app(false);
    ConnectProxy db = f.open(ConnectProxy.builder(f.agent.service("db"))
        .publicListener(ANY_LOOPBACK, app.address()).start());
    ConnectProxy web = f.open(ConnectProxy.builder(f.agent.service("web")).maxConnections(1)
        .upstream(new Upstream("db", ANY_LOOPBACK, db.publicAddress())).start());
    InetSocketAddress upstream = web.upstreamAddress("db");
    try (Socket first = new Socket(upstream.getAddress(), upstream.getPort())) {
      first.setSoTimeout(READ_TIMEOUT_MS);
      first.getOutputStream().write("one".getBytes(StandardCharsets.UTF_8));
      assertThat(new String(first.getInputStream().readNBytes(3), StandardCharsets.UTF_8))
          .isEqualTo("one");
      try (Socket second = new Socket(upstream.getAddress(), upstream.getPort())) {
        second.setSoTimeout(READ_TIMEOUT_MS);
        assertThat(second.getInputStream().read()).as("closed by the proxy").isEqualTo(-1);
      }
      first.getOutputStream().write("two".getBytes(StandardCharsets.UTF_8));
      assertThat(new String(first.getInputStream().readNBytes(3), StandardCharsets.UTF_8))
          .isEqualTo("two");
    }
    assertThat(web.metrics().refusedOverLimit()).isEqualTo(1);
    assertThat(web.metrics().acceptedConnections()).isEqualTo(1);
    assertThat(app.accepted).hasValue(1);
  }

  @Test
  void aPairIdleBothWaysIsClosedOnBothSides() {
    EmbeddedChannel local = new EmbeddedChannel(new IdleStateHandler(0, 0, 60, TimeUnit.SECONDS));
    EmbeddedChannel mesh = new EmbeddedChannel(new IdleStateHandler(0, 0, 60, TimeUnit.SECONDS));
    Relay.join(local, mesh, new Counters());
    local.writeInbound(Unpooled.copiedBuffer("x", StandardCharsets.UTF_8));
    assertThat(mesh.<io.netty.buffer.ByteBuf>readOutbound().toString(StandardCharsets.UTF_8))
        .isEqualTo("x");

    local.advanceTimeBy(59, TimeUnit.SECONDS);
    local.runScheduledPendingTasks();
    assertThat(local.isOpen()).isTrue();
    assertThat(mesh.isOpen()).isTrue();

    local.advanceTimeBy(2, TimeUnit.SECONDS);
    local.runScheduledPendingTasks();
    mesh.runPendingTasks();
    assertThat(local.isOpen()).isFalse();
    assertThat(mesh.isOpen()).isFalse();
  }
}
