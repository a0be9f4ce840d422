package dev.connect.proxy;

import static dev.connect.proxy.ProxyFixture.ANY_LOOPBACK;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backpressure, observed directly: a fast writer speaks plain TCP to web's upstream listener,
 * through db's public listener, to an application that first reads nothing and then reads. The
 * proxies stop reading instead of buffering: the writer is held back while the bytes the two
 * proxies hold ({@link ConnectProxy#pendingWriteBytes()}) stay within a small bound, and every
 * byte arrives, in order, once the reader reads (issue 15).
 */
class FastWriterToSlowReaderBackpressureTest {
  /** Far more than the kernel's socket buffers on the path can hold while nobody reads. */
  private static final long TOTAL = 128L << 20;
  /** What each proxy may hold: Netty's high-water mark plus a read loop, with room to spare. */
  private static final long BOUND = 4L << 20;
  /** The payload repeats this many bytes (a prime), so a lost or reordered chunk shows. */
  private static final int PERIOD = 65_521;
  private static final byte[] PATTERN = new byte[PERIOD];

  static {
    for (int i = 0; i < PERIOD; i++) {
      PATTERN[i] = (byte) (i * 31 + (i >>> 7));
    }
  }

  @TempDir
  Path dir;
  ProxyFixture f;
  ExecutorService reader;

  @BeforeEach
  void open() throws Exception {
    f = new ProxyFixture(dir);
    reader = Executors.newSingleThreadExecutor();
  }

  @AfterEach
  void close() {
    reader.shutdownNow();
    f.close();
  }

  @Test
  void aFastWriterIsHeldBackWhileTheProxiesHoldFewBytesAndEveryByteArrives() throws Exception {
    try (ServerSocket app = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      app.setSoTimeout(ProxyFixture.READ_TIMEOUT_MS);
      ConnectProxy db = f.open(ConnectProxy.builder(f.agent.service("db"))
          .publicListener(ANY_LOOPBACK, (java.net.InetSocketAddress) app.getLocalSocketAddress())
          .start());
      ConnectProxy web = f.open(ConnectProxy.builder(f.agent.service("web"))
          .upstream(new Upstream("db", ANY_LOOPBACK, db.publicAddress())).start());

      try (SocketChannel writer = SocketChannel.open(web.upstreamAddress("db"));
          Selector selector = Selector.open();
          Socket appSide = app.accept()) {
        appSide.setSoTimeout(ProxyFixture.READ_TIMEOUT_MS);
        writer.configureBlocking(false);
        writer.register(selector, SelectionKey.OP_WRITE);
        Writer w = new Writer(writer, selector, web, db);

        // Phase 1: nobody reads. The writer must stall long before the whole payload is out.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (w.written < TOTAL && System.nanoTime() < deadline) {
          if (!w.writeSome()) {
            break; // not writable for a whole second: held back
          }
        }
        assertThat(w.written).as("bytes the writer got out while nobody read").isLessThan(TOTAL);
        long stalledAt = w.written;
        assertThat(w.peakWeb).as("bytes web held").isLessThanOrEqualTo(BOUND);
        assertThat(w.peakDb).as("bytes db held").isLessThanOrEqualTo(BOUND);

        // Phase 2: the application reads everything; the writer finishes.
        Future<Long> read = reader.submit(() -> readAndCheck(appSide.getInputStream()));
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (w.written < TOTAL && System.nanoTime() < deadline) {
          w.writeSome();
        }
        assertThat(w.written).as("bytes written once the reader read").isEqualTo(TOTAL);
        writer.shutdownOutput();
        assertThat(read.get(120, TimeUnit.SECONDS)).as("bytes that arrived, in order")
            .isEqualTo(TOTAL);
        assertThat(w.peakWeb).as("bytes web held").isLessThanOrEqualTo(BOUND);
        assertThat(w.peakDb).as("bytes db held").isLessThanOrEqualTo(BOUND);
        assertThat(web.metrics().bytesOutbound()).isEqualTo(TOTAL);
        assertThat(db.metrics().bytesInbound()).isEqualTo(TOTAL);
        System.out.printf("backpressure: stalled at %d of %d bytes; peak held web=%d db=%d%n",
            stalledAt, TOTAL, w.peakWeb, w.peakDb);
      }
    }
  }

  /** Reads until the end of input, checking every byte against the pattern. */
  private static long readAndCheck(InputStream in) throws Exception {
    byte[] buf = new byte[64 * 1024];
    long offset = 0;
    for (int n; (n = in.read(buf)) >= 0; ) {
      for (int i = 0; i < n; i++) {
        if (buf[i] != PATTERN[(int) ((offset + i) % PERIOD)]) {
          throw new AssertionError("byte " + (offset + i) + " differs");
        }
      }
      offset += n;
    }
    return offset;
  }

  /** Writes the payload without blocking and samples what the proxies hold after each write. */
  private static final class Writer {
    final SocketChannel channel;
    final Selector selector;
    final ConnectProxy web;
    final ConnectProxy db;
    final ByteBuffer chunk = ByteBuffer.allocate(256 * 1024);
    long written;
    long peakWeb;
    long peakDb;

    Writer(SocketChannel channel, Selector selector, ConnectProxy web, ConnectProxy db) {
      this.channel = channel;
      this.selector = selector;
      this.web = web;
      this.db = db;
    }

    /** Writes what the socket takes now, or waits up to a second for it to become writable. */
    boolean writeSome() throws Exception {
      chunk.clear();
      int len = (int) Math.min(chunk.capacity(), TOTAL - written);
      for (int i = 0; i < len; i++) {
        chunk.put(PATTERN[(int) ((written + i) % PERIOD)]);
      }
      chunk.flip();
      int n = channel.write(chunk);
      written += n;
      peakWeb = Math.max(peakWeb, web.pendingWriteBytes());
      peakDb = Math.max(peakDb, db.pendingWriteBytes());
      if (n > 0) {
        return true;
      }
      selector.selectedKeys().clear();
      return selector.select(1000) > 0;
    }
  }
}
