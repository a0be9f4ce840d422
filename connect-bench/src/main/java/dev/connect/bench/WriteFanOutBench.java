package dev.connect.bench;

import dev.connect.peers.ConsulAgent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's side of issue 14's propagation, without 100 agents in the way: {@code waiters}
 * blocking {@code GET /v1/connect/intentions/match} queries, each on a raw non-blocking socket
 * served by one selector thread (a client that costs almost nothing), then one {@code PUT
 * /v1/connect/intentions/exact} on a new connection, and the time from just before that write
 * until its answer, until the first waiter's complete answer and until the last. Against {@code
 * connect agent} in a JVM of its own ({@link AgentServerMain}, data directory under {@code
 * java.io.tmpdir}: {@code -Djava.io.tmpdir=/dev/shm} takes the disk out) and a Consul 1.10.4 dev
 * agent at INFO. {@code warmup} writes go first, unmeasured; the JIT state of the server's write
 * path is most of what this measures until a few thousand writes (docs/performance.md). {@code
 * -Dbench.agentJvmArgs="..."} passes JVM options to the forked agent, as for {@link
 * PropagationBenchmark}.
 *
 * <pre>{@code
 * java -cp connect-bench/target/benchmarks.jar dev.connect.bench.WriteFanOutBench \
 *     [waiters=100] [writes=40] [warmup=150] [backends=connect-agent,consul]
 * }</pre>
 */
public final class WriteFanOutBench {
  /** A hang guard on every round; a write whose answers have not all come by then fails. */
  private static final Duration GUARD = Duration.ofSeconds(30);
  /** The pause after the queries are sent, so that the server holds them all before the write. */
  private static final Duration PARK = Duration.ofMillis(100);
  private static final String EXACT = "/v1/connect/intentions/exact?source=web&destination=db";
  private static final String MATCH = "/v1/connect/intentions/match?by=destination&name=db";
  private static final Pattern INDEX =
      Pattern.compile("(?im)^X-Consul-Index:\\s*(\\d+)\\s*$");

  private final int waiters;
  private final int writes;
  private final int warmup;

  private WriteFanOutBench(int waiters, int writes, int warmup) {
    this.waiters = waiters;
    this.writes = writes;
    this.warmup = warmup;
  }

  /**
   * Runs the rounds on each backend and prints a line of percentiles per backend.
   *
   * @param args {@code name=value} settings: {@code waiters}, {@code writes}, {@code warmup},
   *     {@code backends} (comma-separated: {@code connect-agent}, {@code consul})
   * @throws Exception if a backend cannot start or a round does not complete in time
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> settings = BenchArgs.parse(args, Map.of("waiters", "100", "writes", "40",
        "warmup", "150", "backends", "connect-agent,consul"));
    WriteFanOutBench bench = new WriteFanOutBench(BenchArgs.positive(settings, "waiters"),
        BenchArgs.positive(settings, "writes"), Integer.parseInt(settings.get("warmup")));
    System.out.println("settings " + settings + ", java.io.tmpdir "
        + System.getProperty("java.io.tmpdir"));
    for (String backend : settings.get("backends").split(",")) {
      switch (backend) {
        case "connect-agent" -> {
          Path dir = Files.createTempDirectory("connect-bench-fanout-");
          try (ForkedMain agent = ForkedMain.start(dir.resolve("agent.log"),
              BenchArgs.agentJvmArgs(), AgentServerMain.class, GUARD,
              dir.resolve("data").toString(), "0")) {
            System.out.println("connect agent: " + bench.run(agent.port()));
          } finally {
            CacheHeapPerService.deleteTree(dir);
          }
        }
        case "consul" -> {
          try (ConsulAgent consul = ConsulAgent.builder()
              .hcl("limits { http_max_conns_per_client = 4096 }\nlog_level = \"INFO\"").start()) {
            System.out.println("Consul 1.10.4: " + bench.run(consul.httpAddress().getPort()));
          }
        }
        default -> throw new IllegalArgumentException(
            "backends: expected connect-agent or consul, got: " + backend);
      }
    }
  }

  /** Runs the warm-up and measured rounds against the server on {@code port}. */
  private String run(int port) throws IOException {
    exchange(port, "PUT", EXACT, "{\"Action\":\"allow\"}");
    double[] answered = new double[writes];
    double[] first = new double[writes];
    double[] last = new double[writes];
    try (Selector selector = Selector.open()) {
      List<SocketChannel> channels = new ArrayList<>();
      try {
        for (int i = 0; i < waiters; i++) {
          SocketChannel c = SocketChannel.open(new InetSocketAddress(
              InetAddress.getLoopbackAddress(), port));
          channels.add(c);
          c.setOption(StandardSocketOptions.TCP_NODELAY, true);
          c.configureBlocking(false);
          c.register(selector, SelectionKey.OP_READ, new Reply());
        }
        for (int round = -warmup; round < writes; round++) {
          // deny first (the state is allow), then alternate, so that every write is a change
          String action = ((round + warmup) & 1) == 0 ? "deny" : "allow";
          long[] t = round(port, selector, channels, action);
          if (round >= 0) {
            answered[round] = t[0] / 1e6;
            first[round] = t[1] / 1e6;
            last[round] = t[2] / 1e6;
          }
        }
      } finally {
        for (SocketChannel c : channels) {
          c.close();
        }
      }
    }
    return String.format(Locale.ROOT, "%d writes, %d waiters: write answered %s; first waiter %s;"
        + " last waiter %s (ms)", writes, waiters, percentiles(answered), percentiles(first),
        percentiles(last));
  }

  /** One write: returns nanoseconds until its answer, the first and the last waiter's. */
  private long[] round(int port, Selector selector, List<SocketChannel> channels, String action)
      throws IOException {
    long index = index(exchange(port, "GET", MATCH, ""));
    ByteBuffer query = ByteBuffer.wrap(RawHttp.request("GET",
        MATCH + "&index=" + index + "&wait=60s", new byte[0], true));
    for (SocketChannel c : channels) {
      c.write(query.duplicate());
    }
    LockSupport.parkNanos(PARK.toNanos());
    byte[] body = ("{\"Action\":\"" + action + "\"}").getBytes(StandardCharsets.UTF_8);
    long start = System.nanoTime();
    long deadline = start + GUARD.toNanos();
    // The write on a connection of its own, read by the same selector as the waiters, so that
    // each answer is timed when it arrives, whichever comes first.
    try (SocketChannel write = SocketChannel.open(new InetSocketAddress(
        InetAddress.getLoopbackAddress(), port))) {
      write.setOption(StandardSocketOptions.TCP_NODELAY, true);
      ByteBuffer put = ByteBuffer.wrap(RawHttp.request("PUT", EXACT, body, false));
      while (put.hasRemaining()) {
        write.write(put);
      }
      write.configureBlocking(false);
      Reply writeReply = new Reply();
      SelectionKey writeKey = write.register(selector, SelectionKey.OP_READ, writeReply);
      long answered = 0;
      long firstDone = 0;
      long lastDone = 0;
      int done = 0;
      while (done < channels.size() || answered == 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IOException((answered == 0 ? "the write was not answered and " : "")
              + "only " + done + " of " + channels.size() + " waiters answered within " + GUARD);
        }
        selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        long now = System.nanoTime();
        for (SelectionKey k : selector.selectedKeys()) {
          Reply reply = (Reply) k.attachment();
          if (!reply.read((SocketChannel) k.channel())) {
            continue;
          }
          if (reply == writeReply) {
            if (!reply.text().startsWith("HTTP/1.1 200")) {
              throw new IOException("the write was refused: " + reply.text());
            }
            answered = now - start;
            writeKey.cancel();
            continue;
          }
          if (!reply.text().contains("\"" + action + "\"")) {
            throw new IOException("a waiter was answered without the write: " + reply.text());
          }
          reply.reset();
          done++;
          firstDone = firstDone == 0 ? now - start : firstDone;
          lastDone = now - start;
        }
        selector.selectedKeys().clear();
      }
      selector.selectNow(); // completes the write key's cancellation before its channel closes
      return new long[] {answered, firstDone, lastDone};
    }
  }

  /** One request on a new connection that the server closes after its answer. */
  private static String exchange(int port, String method, String path, String body)
      throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setTcpNoDelay(true);
      s.setSoTimeout((int) GUARD.toMillis());
      OutputStream out = s.getOutputStream();
      out.write(RawHttp.request(method, path, body.getBytes(StandardCharsets.UTF_8), false));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static long index(String response) throws IOException {
    Matcher m = INDEX.matcher(response);
    if (!m.find()) {
      throw new IOException("no X-Consul-Index in: " + response);
    }
    return Long.parseLong(m.group(1));
  }

  private static String percentiles(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    return String.format(Locale.ROOT, "p50 %.2f p90 %.2f max %.2f", s[s.length / 2],
        s[(int) (s.length * 0.9)], s[s.length - 1]);
  }

  /** One waiter's answer as it arrives: complete once its head and Content-Length are in. */
  private static final class Reply {
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);

    /** Reads what is there; true once the answer is complete. */
    boolean read(SocketChannel channel) throws IOException {
      if (channel.read(buffer) < 0 && !complete()) {
        throw new IOException("the server closed a connection before its answer was complete: "
            + text());
      }
      return complete();
    }

    private boolean complete() throws IOException {
      return RawHttp.answerLength(buffer.array(), buffer.position()) >= 0;
    }

    String text() {
      return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }

    void reset() {
      buffer.clear();
    }
  }
}
