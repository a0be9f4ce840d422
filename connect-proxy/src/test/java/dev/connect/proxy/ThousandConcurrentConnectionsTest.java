package dev.connect.proxy;

import static dev.connect.proxy.ProxyFixture.ANY_LOOPBACK;
import static dev.connect.proxy.ProxyFixture.READ_TIMEOUT_MS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thousand connections open at once through two proxies, each sending its own payload and
 * half-closing: every payload comes back whole, and afterwards no connection, file descriptor
 * or pooled buffer remains beyond the baseline (issue 15).
 */
class ThousandConcurrentConnectionsTest {
  private static final int CONNECTIONS = 1000;
  private static final int PAYLOAD = 4096;
  private static final Path FDS = Path.of("/proc/self/fd");

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
  void everyPayloadComesBackAndNothingLeaks() throws Exception {
    assumeTrue(Files.isDirectory(FDS), "no /proc/self/fd to count file descriptors");
    assertThat(ByteBufAllocator.DEFAULT).isInstanceOf(PooledByteBufAllocator.class);
    PooledByteBufAllocator pool = (PooledByteBufAllocator) ByteBufAllocator.DEFAULT;
    EchoApp app = f.app(false);
    ConnectProxy db = f.open(ConnectProxy.builder(f.agent.service("db"))
        .publicListener(ANY_LOOPBACK, app.address()).start());
    ConnectProxy web = f.open(ConnectProxy.builder(f.agent.service("web"))
        .upstream(new Upstream("db", ANY_LOOPBACK, db.publicAddress())).start());
    InetSocketAddress upstream = web.upstreamAddress("db");
    // Warm up: the first connection builds what stays (TLS contexts, pool chunks, selectors).
    assertThat(ProxyFixture.exchange(upstream, "warm")).isEqualTo("warm");
    assertThat(web.awaitIdle(Duration.ofSeconds(10))).isTrue();
    assertThat(db.awaitIdle(Duration.ofSeconds(10))).isTrue();
    assertThat(app.awaitNoConnections(Duration.ofSeconds(10))).isTrue();
    long fdsBefore = openFileDescriptors();
    long pinnedBefore = pool.pinnedDirectMemory() + pool.pinnedHeapMemory();

    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < CONNECTIONS; i++) {
        Socket s = new Socket(upstream.getAddress(), upstream.getPort());
        sockets.add(s);
        s.setSoTimeout(READ_TIMEOUT_MS);
        s.getOutputStream().write(payload(i));
      }
      for (Socket s : sockets) {
        s.shutdownOutput();
      }
      for (int i = 0; i < CONNECTIONS; i++) {
        byte[] got = ProxyFixture.readAll(sockets.get(i).getInputStream());
        assertThat(Arrays.equals(got, payload(i))).as("connection %d echoed its payload", i)
            .isTrue();
      }
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }

    assertThat(web.awaitIdle(Duration.ofSeconds(30))).isTrue();
    assertThat(db.awaitIdle(Duration.ofSeconds(30))).isTrue();
    assertThat(web.metrics().acceptedConnections()).isEqualTo(CONNECTIONS + 1);
    assertThat(web.metrics().bytesOutbound()).isEqualTo((long) CONNECTIONS * PAYLOAD + 4);
    assertThat(db.metrics().bytesInbound()).isEqualTo((long) CONNECTIONS * PAYLOAD + 4);
    assertThat(web.metrics().handshakesAllowed()).isEqualTo(CONNECTIONS + 1);
    assertThat(app.awaitNoConnections(Duration.ofSeconds(30))).isTrue();
    assertThat(openFileDescriptors()).isLessThanOrEqualTo(fdsBefore);
    assertThat(pool.pinnedDirectMemory() + pool.pinnedHeapMemory()).isLessThanOrEqualTo(
        pinnedBefore);
  }

  private static byte[] payload(int i) {
    byte[] b = new byte[PAYLOAD];
    Arrays.fill(b, (byte) ('a' + i % 26));
    b[0] = (byte) (i >> 8);
    b[1] = (byte) i;
    return b;
  }

  private static long openFileDescriptors() throws IOException {
    try (Stream<Path> s = Files.list(FDS)) {
      return s.count();
    }
  }
}
