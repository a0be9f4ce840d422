package dev.connect.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.connect.agent.ConnectAgent;
import dev.connect.agent.ConnectService;
import dev.connect.cache.CacheListener;
import dev.connect.cache.CacheRequest;
import dev.connect.consul.ConsulBackend;
import dev.connect.core.Intentions;
import dev.connect.core.Schedulers;
import dev.connect.core.SpiffeId;
import dev.connect.http.ConnectHttpServer;
import dev.connect.peers.ConsulAgent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * Issue 14's propagation and leaf-latency benchmark: a harness main rather than a JMH benchmark,
 * because what it measures is one write reaching many caches over HTTP, a distribution per write
 * rather than the throughput of one operation. Run it from the shaded jar:
 *
 * <pre>{@code
 * java -cp connect-bench/target/benchmarks.jar dev.connect.bench.PropagationBenchmark \
 *     [agents=100] [flips=20] [warmup=60] [leaves=50] [backends=connect-agent,consul]
 * }</pre>
 *
 * <p>Every backend named runs at once, and their writes take turns: one write to the first
 * backend, 100 ms, one to the second, 100 ms, and so on, warm-up included. So each row of
 * {@code connect agent} and each of Consul (its agent's own authorize among them) was measured
 * over the same minutes, with this JVM's JIT in the same state and the machine's noise (steal
 * time, other processes) spread over both alike. Run one after the other, as before, the first
 * backend paid for this JVM's compiler (about twice the CPU per write; see docs/performance.md)
 * and a disturbed minute could fall on one backend only.
 *
 * <p>For each backend, {@code agents} {@link ConnectAgent}s in this JVM (each with its own
 * cache; one shared {@link ConsulBackend}, so one JDK {@code HttpClient}, and one shared
 * scheduler) hold service {@code db}. {@code connect-agent} is a {@link ConnectHttpServer} over
 * an embedded server in a JVM of its own ({@link AgentServerMain}), on 127.0.0.1 with a free
 * port; {@code consul} is a real Consul 1.10.4 dev agent ({@link ConsulAgent}: the binary of
 * {@code ../shared/peers/} or {@code CONSUL_BIN}), started with {@code limits {
 * http_max_conns_per_client = 4096 }} because every agent holds blocking queries (roots, the
 * intention match, the leaf) on their own connections,
 * more than Consul's default of 200 per client address. ACLs are off on both (default allow).
 *
 * <p><b>Propagation.</b> Alternately writes deny and allow for {@code web => db} ({@code PUT
 * /v1/connect/intentions/exact}) and measures, from just before the write is sent, per agent the
 * time until {@code db}'s decision for {@code web}, {@link ConnectService#authorize(SpiffeId)},
 * the check a server context makes in its trust manager from the same cached intention match,
 * turns: read in each agent's {@link CacheListener#intentionsChanged} callback, which the cache
 * calls right after it installs the new intentions (so the time is when the first handshake
 * could see them, and nothing polls the agents). Next to it, on another thread, the
 * server's own view: {@code POST /v1/agent/connect/authorize} for {@code web => db} polled every
 * millisecond until it turns (Consul's own agent answering from its own cache), over one
 * kept-alive connection on a plain socket ({@link AuthorizePoller}): through the JDK client each
 * poll woke three threads in this busy JVM, which added about 1.5 ms to the server's figure at
 * p50 (docs/performance.md). After every flip, real
 * TLS handshakes (in-memory {@link SSLEngine} pairs) from a {@code web} client context to two of
 * the {@code db} server contexts check that the decision is what a handshake sees: refused after
 * a deny, accepted after an allow; a mismatch stops the run. Then 100 ms pass before the next
 * write, so every blocking query is parked again. {@code warmup} pairs of writes go first,
 * unmeasured: by the default 60 pairs each agent has had 120 blocking queries answered, the server
 * 12,000 in all, so the read paths are JIT-compiled, as in a long-running deployment where reads are
 * constant. The write path itself (120 runs) is still partly interpreted, as in a server that
 * takes a few writes a day; it gets faster still after about 2,000 writes. With 10 pairs, the
 * server's read path is not compiled yet either, and {@code connect agent} pays for it (see
 * docs/performance.md); Consul's ahead-of-time compiled agent does not.
 *
 * <p><b>Leaf latency.</b> The time of {@code agent.service(name).leaf()} for {@code leaves} new
 * service names (a first leaf, nothing cached for it), over the embedded server in this JVM, over
 * {@code connect agent} (the key pair made here, a CSR signed by the agent) and over Consul's
 * leaf endpoint (the key made by Consul).
 */
public final class PropagationBenchmark {
  /** A hang guard on every wait; a write that has not propagated by then fails the run. */
  private static final Duration GUARD = Duration.ofSeconds(30);
  private static final Duration SETTLE = Duration.ofMillis(100);
  /**
   * The pause between two authorize requests to the server. Polling back to back took a core
   * of the two from the propagation it measures; 1 ms bounds the resolution instead.
   */
  private static final long POLL_PAUSE_NANOS = 1_000_000;
  private static final Pattern AUTHORIZED_TRUE = Pattern.compile("\"Authorized\"\\s*:\\s*true");
  private static final Pattern AUTHORIZED_FALSE = Pattern.compile("\"Authorized\"\\s*:\\s*false");

  private final int agents;
  private final int flips;
  private final int warmupFlips;
  private final int leaves;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private PropagationBenchmark(int agents, int flips, int warmupFlips, int leaves) {
    this.agents = agents;
    this.flips = flips;
    this.warmupFlips = warmupFlips;
    this.leaves = leaves;
  }

  /**
   * Runs the benchmark and prints its tables.
   *
   * @param args {@code name=value} settings: {@code agents}, {@code flips}, {@code warmup}
   *     (deny and allow pairs before those measured), {@code leaves},
   *     {@code backends} (comma-separated: {@code connect-agent}, {@code consul})
   * @throws Exception if a backend cannot be started or a write does not propagate in time
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> settings = BenchArgs.parse(args, Map.of("agents", "100", "flips", "20",
        "warmup", "60", "leaves", "50", "backends", "connect-agent,consul"));
    PropagationBenchmark bench = new PropagationBenchmark(
        BenchArgs.positive(settings, "agents"), BenchArgs.positive(settings, "flips"),
        BenchArgs.positive(settings, "warmup"), BenchArgs.positive(settings, "leaves"));
    System.out.println("settings " + settings + "; load at start: " + load());
    List<String> rows = new ArrayList<>();
    rows.add(bench.leavesOverEmbedded());
    rows.addAll(bench.interleaved(List.of(settings.get("backends").split(","))));
    System.out.println();
    System.out.println("| backend | measured | samples | p50 | p99 | max |");
    System.out.println("|---|---|---|---|---|---|");
    rows.forEach(System.out::println);
    System.out.println("load at end: " + load());
  }

  private static String load() throws IOException {
    return Files.readString(Path.of("/proc/loadavg")).trim();
  }

  // -----------------------------------------------------------------------------------------
  // Backends

  private String leavesOverEmbedded() throws Exception {
    Path dir = Files.createTempDirectory("connect-bench-embedded-");
    try (ConnectAgent agent = ConnectAgent.builder().dataDirectory(dir.resolve("data")).build()) {
      return leafRow("embedded", agent);
    } finally {
      CacheHeapPerService.deleteTree(dir);
    }
  }

  /**
   * Starts every backend named, runs their writes interleaved, and returns their rows; stops
   * everything it started, also when it fails.
   */
  private List<String> interleaved(List<String> backends) throws Exception {
    Deque<AutoCloseable> started = new ArrayDeque<>();
    Throwable failure = null;
    try {
      List<Side> sides = new ArrayList<>();
      for (String backend : backends) {
        switch (backend) {
          case "connect-agent" -> sides.add(overConnectAgent(started));
          case "consul" -> sides.add(overConsul(started));
          default -> throw new IllegalArgumentException(
              "backends: expected connect-agent or consul, got: " + backend);
        }
      }
      // Warm-up pairs of deny and allow, not measured: the JIT compiles the paths a write
      // takes (as a long-running agent has them compiled). They end with an allow, so that
      // every flip after them is a change.
      for (int w = 0; w < 2 * warmupFlips; w++) {
        for (Side side : sides) {
          side.flip(w % 2 == 1, false);
          LockSupport.parkNanos(SETTLE.toNanos());
        }
      }
      for (int f = 0; f < 2 * flips; f++) {
        for (Side side : sides) {
          side.flip(f % 2 == 1, true);
          side.checkHandshakes(f, f % 2 == 1);
          LockSupport.parkNanos(SETTLE.toNanos());
        }
      }
      List<String> rows = new ArrayList<>();
      for (Side side : sides) {
        System.out.println(side.backend + ": " + 2 * flips + " flips, " + side.handshakes
            + " handshakes checked, all as decided");
        rows.addAll(side.rows());
        rows.add(leafRow(side.backend, side.open.get(0)));
      }
      return rows;
    } catch (Exception | Error e) {
      failure = e;
      throw e;
    } finally {
      // Everything is closed whatever fails: a close that throws does not keep the rest open.
      Exception closing = null;
      while (!started.isEmpty()) {
        try {
          started.pop().close();
        } catch (Exception e) {
          if (failure != null) {
            failure.addSuppressed(e);
          } else if (closing == null) {
            closing = e;
          } else {
            closing.addSuppressed(e);
          }
        }
      }
      if (closing != null) {
        throw closing;
      }
    }
  }

  /**
   * Over {@code connect agent} in a JVM of its own ({@link AgentServerMain}), as it is deployed
   * and as Consul's agent runs here: in this JVM it would share the heap, the JIT and the
   * safepoints of the 100 agents it serves.
   */
  private Side overConnectAgent(Deque<AutoCloseable> started) throws Exception {
    Path dir = Files.createTempDirectory("connect-bench-agent-");
    started.push(() -> CacheHeapPerService.deleteTree(dir));
    ForkedMain agent = ForkedMain.start(dir.resolve("agent.log"), BenchArgs.agentJvmArgs(),
        AgentServerMain.class, GUARD, dir.resolve("data").toString(), "0");
    started.push(agent);
    return new Side("connect agent", URI.create("http://127.0.0.1:" + agent.port()), started);
  }

  private Side overConsul(Deque<AutoCloseable> started) throws Exception {
    ConsulAgent consul = ConsulAgent.builder()
        .hcl("limits { http_max_conns_per_client = 4096 }").start();
    started.push(consul);
    return new Side("Consul 1.10.4", consul.httpAddress(), started);
  }

  // -----------------------------------------------------------------------------------------
  // Propagation

  /** One backend: its server's address, its agents, and what was measured over them. */
  private final class Side {
    final String backend;
    final URI address;
    final List<ConnectAgent> open = new ArrayList<>();
    final ConnectService[] dbs = new ConnectService[agents];
    final SpiffeId webId;
    final SSLContext client;
    final SSLContext[] servers;
    /** The agents' decisions for the write in progress, read from their cache listeners. */
    final Probe probe;
    /** The server's own view, polled during each write. */
    final AuthorizePoller poller;
    final List<Long> denyOurs = new ArrayList<>();
    final List<Long> allowOurs = new ArrayList<>();
    final List<Long> denyServer = new ArrayList<>();
    final List<Long> allowServer = new ArrayList<>();
    final List<Long> written = new ArrayList<>();
    final List<Long> spread = new ArrayList<>();
    final List<Long> firstDeny = new ArrayList<>();
    int handshakes;

    /** Starts the agents over {@code address}; {@code started} closes them, in reverse. */
    Side(String backend, URI address, Deque<AutoCloseable> started) throws IOException {
      this.backend = backend;
      this.address = address;
      ScheduledExecutorService scheduler = Schedulers.newDaemonScheduler("bench-agents", 2);
      started.push(scheduler::shutdownNow);
      ConsulBackend consul = ConsulBackend.builder().environment(Map.of())
          .address(address.toString()).build();
      started.push(consul);
      for (int i = 0; i < agents; i++) {
        ConnectAgent agent = ConnectAgent.builder().consul(consul).scheduler(scheduler).build();
        started.push(agent);
        open.add(agent);
        dbs[i] = agent.service("db");
        dbs[i].serverSslContext();
        dbs[i].leaf();
      }
      ConnectAgent webAgent = ConnectAgent.builder().consul(consul).scheduler(scheduler).build();
      started.push(webAgent);
      ConnectService web = webAgent.service("web");
      webId = web.id().spiffeId();
      client = web.clientSslContext("db");
      servers = Arrays.stream(dbs).map(ConnectService::serverSslContext)
          .toArray(SSLContext[]::new);
      for (ConnectService db : dbs) {
        db.authorize(webId); // the intention match cached and watched
      }
      probe = new Probe(dbs, webId);
      poller = new AuthorizePoller(address, "db", webId.toString(), GUARD);
      started.push(poller);
      for (int i = 0; i < agents; i++) {
        int k = i;
        open.get(i).cache().addListener(new CacheListener() {
          @Override
          public void intentionsChanged(String destination, CacheRequest request,
              Intentions intentions) {
            if (destination.equals("db")) {
              probe.check(k);
            }
          }
        });
      }
    }

    /** Writes one action and waits until every agent and the server's authorize have turned. */
    void flip(boolean allow, boolean measured) throws Exception {
      long start = System.nanoTime();
      long deadline = start + GUARD.toNanos();
      probe.expect(allow, start);
      for (int i = 0; i < dbs.length; i++) {
        probe.check(i); // an agent that decides so already (a write that changes nothing) is done
      }
      CompletableFuture<HttpResponse<String>> write = http.sendAsync(HttpRequest.newBuilder(
              address.resolve("/v1/connect/intentions/exact?source=web&destination=db"))
          .timeout(GUARD).PUT(HttpRequest.BodyPublishers.ofString(
              "{\"Action\":\"" + (allow ? "allow" : "deny") + "\"}", UTF_8)).build(),
          HttpResponse.BodyHandlers.ofString());
      CompletableFuture<Long> writeAnswered = write.thenApply(r -> System.nanoTime() - start);
      CompletableFuture<Long> serverTurned = CompletableFuture.supplyAsync(() -> {
        Pattern turned = allow ? AUTHORIZED_TRUE : AUTHORIZED_FALSE;
        while (System.nanoTime() < deadline) {
          try {
            if (turned.matcher(poller.poll()).find()) {
              return System.nanoTime() - start;
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          LockSupport.parkNanos(POLL_PAUSE_NANOS);
        }
        throw new IllegalStateException(backend + ": the server's authorize did not turn "
            + (allow ? "true" : "false") + " within " + GUARD);
      });
      Probe.Flip turning = probe.current;
      if (!turning.done.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        throw new IllegalStateException(backend + ": " + turning.done.getCount() + " of "
            + dbs.length + " agents did not see " + (allow ? "allow" : "deny") + " within "
            + GUARD);
      }
      long[] turnedAt = new long[dbs.length];
      for (int i = 0; i < dbs.length; i++) {
        turnedAt[i] = turning.turnedAt.get(i);
        if (dbs[i].authorize(webId).allowed() != allow) {
          throw new IllegalStateException(backend + ": db agent " + i + " turned back from "
              + (allow ? "allow" : "deny") + " before the next write");
        }
      }
      HttpResponse<String> answer = write.get();
      if (answer.statusCode() != 200) {
        throw new IllegalStateException("PUT /v1/connect/intentions/exact at " + address
            + ": " + answer.statusCode() + " " + answer.body());
      }
      long serverNanos = serverTurned.get();
      if (!measured) {
        return;
      }
      for (long t : turnedAt) {
        (allow ? allowOurs : denyOurs).add(t);
      }
      (allow ? allowServer : denyServer).add(serverNanos);
      written.add(writeAnswered.get());
      long[] sorted = turnedAt.clone();
      Arrays.sort(sorted);
      spread.add(sorted[sorted.length - 1] - sorted[0]);
      if (!allow) {
        firstDeny.add(sorted[0]);
      }
    }

    /** Real handshakes from {@code web} to two {@code db} agents after flip {@code f}. */
    void checkHandshakes(int f, boolean allow) {
      for (int k : new int[] {f % dbs.length, (f + dbs.length / 2) % dbs.length}) {
        boolean accepted = handshake(client, servers[k]);
        handshakes++;
        if (accepted != allow) {
          throw new IllegalStateException(backend + ": db agent " + k + " "
              + (accepted ? "accepted" : "refused") + " web's handshake after "
              + (allow ? "an allow" : "a deny") + " although its decision had turned");
        }
      }
    }

    List<String> rows() {
      return List.of(
          row(backend, "deny → every agent refuses web (" + dbs.length + " agents)", denyOurs),
          row(backend, "deny → the first of the agents refuses web, per write", firstDeny),
          row(backend, "deny → server's /v1/agent/connect/authorize false", denyServer),
          row(backend, "allow → every agent accepts web", allowOurs),
          row(backend, "allow → server's /v1/agent/connect/authorize true", allowServer),
          row(backend, "write answered (PUT /v1/connect/intentions/exact)", written),
          row(backend, "first to last agent turned, per write", spread));
    }
  }

  /**
   * Records, per agent, when its decision for {@code web} turned to what the write in progress
   * expects: called from each agent's cache listener right after new intentions are installed.
   */
  private static final class Probe {
    private final ConnectService[] dbs;
    private final SpiffeId webId;
    private volatile Flip current;

    /** One write: what the agents must decide, since when, and when each did. */
    private static final class Flip {
      final boolean allow;
      final long start;
      final AtomicLongArray turnedAt;
      final CountDownLatch done;

      Flip(boolean allow, long start, int agents) {
        this.allow = allow;
        this.start = start;
        this.turnedAt = new AtomicLongArray(agents);
        this.done = new CountDownLatch(agents);
      }
    }

    Probe(ConnectService[] dbs, SpiffeId webId) {
      this.dbs = dbs;
      this.webId = webId;
    }

    /** Starts a write: from now on, agents are expected to decide {@code allow}. */
    void expect(boolean allow, long start) {
      current = new Flip(allow, start, dbs.length);
    }

    void check(int agent) {
      Flip f = current;
      if (f == null || f.turnedAt.get(agent) != 0) {
        return;
      }
      if (dbs[agent].authorize(webId).allowed() == f.allow) {
        long at = Math.max(1, System.nanoTime() - f.start);
        if (f.turnedAt.compareAndSet(agent, 0, at)) {
          f.done.countDown();
        }
      }
    }
  }

  // -----------------------------------------------------------------------------------------
  // Leaves

  private String leafRow(String backend, ConnectAgent agent) {
    List<Long> times = new ArrayList<>();
    String prefix = "leaf-" + System.nanoTime() + "-";
    for (int i = 0; i < leaves; i++) {
      long start = System.nanoTime();
      agent.service(prefix + i).leaf();
      times.add(System.nanoTime() - start);
    }
    return row(backend, "first leaf of a new service", times);
  }

  // -----------------------------------------------------------------------------------------
  // Results

  private static String row(String backend, String measured, List<Long> nanos) {
    long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    return "| " + backend + " | " + measured + " | " + sorted.length + " | "
        + ms(percentile(sorted, 50)) + " | " + ms(percentile(sorted, 99)) + " | "
        + ms(sorted[sorted.length - 1]) + " |";
  }

  /** The nearest-rank percentile. */
  private static long percentile(long[] sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  private static String ms(long nanos) {
    return String.format("%.2f ms", nanos / 1e6);
  }

  // -----------------------------------------------------------------------------------------
  // One handshake over in-memory engines (as HandshakeBenchmark)

  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  /** One mutual-TLS handshake; whether both ends finished it (false: one refused). */
  static boolean handshake(SSLContext clientContext, SSLContext serverContext) {
    SSLEngine client = clientContext.createSSLEngine();
    client.setUseClientMode(true);
    SSLEngine server = serverContext.createSSLEngine();
    server.setUseClientMode(false);
    server.setNeedClientAuth(true);
    int size = Math.max(client.getSession().getPacketBufferSize(),
        server.getSession().getPacketBufferSize());
    ByteBuffer toServer = ByteBuffer.allocate(size * 4);
    ByteBuffer toClient = ByteBuffer.allocate(size * 4);
    ByteBuffer app = ByteBuffer.allocate(client.getSession().getApplicationBufferSize() * 2);
    try {
      client.beginHandshake();
      server.beginHandshake();
      for (int round = 0; round < 50; round++) {
        boolean c = step(client, toClient, toServer, app);
        boolean s = step(server, toServer, toClient, app);
        if (c && s && toServer.position() == 0 && toClient.position() == 0) {
          return true;
        }
        if (client.isOutboundDone() || server.isOutboundDone()) {
          return false;
        }
      }
      throw new IllegalStateException("handshake did not finish in 50 rounds");
    } catch (SSLException refused) {
      return false;
    }
  }

  private static boolean step(SSLEngine engine, ByteBuffer in, ByteBuffer out, ByteBuffer app)
      throws SSLException {
    while (true) {
      switch (engine.getHandshakeStatus()) {
        case NEED_TASK -> {
          for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
            task.run();
          }
        }
        case NEED_WRAP -> check(engine.wrap(EMPTY, out));
        case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
          if (!unwrap(engine, in, app)) {
            return false;
          }
        }
        default -> {
          if (in.position() > 0) {
            unwrap(engine, in, app);
          }
          return in.position() == 0;
        }
      }
    }
  }

  private static boolean unwrap(SSLEngine engine, ByteBuffer in, ByteBuffer app)
      throws SSLException {
    in.flip();
    try {
      SSLEngineResult r = engine.unwrap(in, app);
      app.clear();
      if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
        return false;
      }
      check(r);
      return true;
    } finally {
      in.compact();
    }
  }

  private static void check(SSLEngineResult r) throws SSLException {
    if (r.getStatus() != SSLEngineResult.Status.OK) {
      throw new SSLException("engine " + r.getStatus());
    }
  }
}
