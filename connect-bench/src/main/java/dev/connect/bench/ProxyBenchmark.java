package dev.connect.bench;

import dev.connect.peers.ConsulAgent;
import dev.connect.peers.ConsulConnectProxy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Bytes through a pair of our proxies (an upstream listener of {@code web} dialing the public
 * listener of {@code db}, which forwards to the application; both in a JVM of their own, {@link
 * ProxyPairMain}, as a sidecar runs and as Consul's proxies run here) against a direct plain TCP
 * connection to the same application, on loopback: bulk throughput ({@link #bulk}, 16 MiB per
 * operation) and the round trip of 64 bytes on an open connection ({@link #roundTrip64},
 * sampled, so JMH reports p50 and p99). {@code proxies-consul} runs the same pair with Consul's
 * own proxy ({@code consul connect proxy}, the real binary of {@code ../shared/peers/} or {@code
 * CONSUL_BIN}) on both sides, on a Consul dev agent: {@code db} with {@code -register}, {@code
 * web}'s upstream discovered through the agent.
 */
@State(Scope.Benchmark)
public class ProxyBenchmark {
  private static final int BULK = 16 << 20;
  private static final byte[] CHUNK = new byte[64 << 10];

  /** {@code direct}, our proxies with the OpenSSL or JDK provider, or Consul's proxies. */
  @Param({"direct", "proxies-openssl", "proxies-jdk", "proxies-consul"})
  public String path;

  /**
   * Our proxies' {@code eventLoopSpin} in microseconds ({@code ConnectProxy.Builder}): 50 by
   * default, as {@code connect proxy} runs; ignored on the other paths.
   */
  @Param({"50"})
  public int spinMicros;

  private Path dir;
  /** The proxies' processes, whose CPU time each iteration reports per operation. */
  private List<Long> proxyPids = List.of();
  private long operations;
  private long cpuAtStart;
  /** Our pair of proxies, in a JVM of its own ({@link ProxyPairMain}). */
  private ForkedMain ourPair;
  private ConsulAgent consul;
  private ConsulConnectProxy consulDb;
  private ConsulConnectProxy consulWeb;
  private ServerSocket app;
  private Thread appThread;
  private InetSocketAddress target;
  private Socket echo;
  private final byte[] ping = new byte[64];
  private final byte[] pong = new byte[64];

  /** Starts the application, the agent and, unless direct, the two proxies. */
  @Setup(Level.Trial)
  public void start() throws IOException {
    app = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
    appThread = new Thread(this::serve, "bench-app");
    appThread.setDaemon(true);
    appThread.start();
    InetSocketAddress appAddress = (InetSocketAddress) app.getLocalSocketAddress();
    if (path.equals("direct")) {
      target = appAddress;
    } else if (path.equals("proxies-consul")) {
      consul = ConsulAgent.start();
      String http = consul.httpAddress().getHost() + ":" + consul.httpAddress().getPort();
      consulDb = ConsulConnectProxy.start(http, port -> List.of("-service", "db",
          "-service-addr", "127.0.0.1:" + appAddress.getPort(), "-listen", "127.0.0.1:" + port,
          "-register"));
      consulWeb = ConsulConnectProxy.start(http, port -> List.of("-service", "web",
          "-upstream", "db:" + port));
      proxyPids = List.of(consulDb.pid(), consulWeb.pid());
      target = new InetSocketAddress(InetAddress.getLoopbackAddress(), consulWeb.port());
      awaitEcho(target);
    } else {
      dir = Files.createTempDirectory("proxy-bench");
      ourPair = ForkedMain.start(dir.resolve("proxies.log"), List.of(), ProxyPairMain.class,
          Duration.ofSeconds(60), dir.resolve("data").toString(),
          Integer.toString(appAddress.getPort()), path.endsWith("jdk") ? "jdk" : "openssl",
          Integer.toString(spinMicros));
      proxyPids = List.of(ourPair.pid());
      target = new InetSocketAddress(InetAddress.getLoopbackAddress(), ourPair.port());
    }
    echo = new Socket(target.getAddress(), target.getPort());
    echo.setTcpNoDelay(true);
  }

  /** Notes the proxies' CPU time before an iteration. */
  @Setup(Level.Iteration)
  public void startIteration() {
    operations = 0;
    cpuAtStart = proxyCpuNanos();
  }

  /**
   * Prints the proxies' CPU time per operation in the iteration (both proxies together; direct
   * has none), a cost the throughput and latency alone do not show.
   */
  @TearDown(Level.Iteration)
  public void endIteration() {
    if (!proxyPids.isEmpty() && operations > 0) {
      System.out.printf("proxies' CPU: %.1f µs per operation over %d operations%n",
          (proxyCpuNanos() - cpuAtStart) / 1e3 / operations, operations);
    }
  }

  private long proxyCpuNanos() {
    long total = 0;
    for (long pid : proxyPids) {
      total += ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration())
          .orElseThrow(() -> new IllegalStateException("no CPU time for process " + pid))
          .toNanos();
    }
    return total;
  }

  /** Stops everything. */
  @TearDown(Level.Trial)
  public void stop() throws IOException {
    echo.close();
    if (ourPair != null) {
      ourPair.close();
      CacheHeapPerService.deleteTree(dir);
    }
    if (consul != null) {
      consulWeb.close();
      consulDb.close();
      consul.close();
    }
    app.close();
  }

  /** Sends 16 MiB and half-closes; the application answers one byte once it read them all. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public int bulk() throws IOException {
    operations++;
    try (Socket s = new Socket(target.getAddress(), target.getPort())) {
      OutputStream out = s.getOutputStream();
      out.write('B');
      for (int sent = 0; sent < BULK; sent += CHUNK.length) {
        out.write(CHUNK);
      }
      s.shutdownOutput();
      return s.getInputStream().read();
    }
  }

  /**
   * Waits, at most 60 s, until a connection through {@code target} echoes: Consul's upstream
   * listener accepts before the agent lists {@code db}'s registration as passing.
   */
  private static void awaitEcho(InetSocketAddress target) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    IOException last = null;
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket(target.getAddress(), target.getPort())) {
        s.setSoTimeout(5000);
        s.getOutputStream().write('e');
        if (s.getInputStream().read() == 'e') {
          return;
        }
      } catch (IOException e) {
        last = e;
      }
      try {
        Thread.sleep(200); // a benchmark's setup, not a test: wait for Consul's catalog
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    throw new IOException("no echo through " + target + " within 60s", last);
  }

  /** Writes 64 bytes on the open connection and reads the 64 echoed. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public byte[] roundTrip64() throws IOException {
    operations++;
    echo.getOutputStream().write(ping);
    return echo.getInputStream().readNBytes(pong, 0, 64) == 64 ? pong : null;
  }

  /** The application: 'B' starts a bulk sink that acks with one byte; else echo. */
  private void serve() {
    while (!app.isClosed()) {
      try {
        Socket s = app.accept();
        s.setTcpNoDelay(true);
        Thread t = new Thread(() -> handle(s), "bench-app-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  private static void handle(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      byte[] buf = new byte[64 << 10];
      int first = in.read();
      if (first == 'B') {
        while (in.read(buf) >= 0) {
          // discard
        }
        out.write('k');
        return;
      }
      out.write(first);
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        out.write(buf, 0, n);
      }
    } catch (IOException e) {
      // the benchmark closed it
    }
  }

}
