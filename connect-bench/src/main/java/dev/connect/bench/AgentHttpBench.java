package dev.connect.bench;

import dev.connect.agent.ConnectAgent;
import dev.connect.cache.CacheRequest;
import dev.connect.core.ServiceId;
import dev.connect.http.ConnectHttpServer;
import dev.connect.peers.ConsulAgent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent HTTP API against a real Consul agent (issue 13), in one run: {@code POST
 * /v1/agent/connect/authorize}, a cached leaf read ({@code GET /v1/agent/connect/ca/leaf/web})
 * and an agent roots read ({@code GET /v1/agent/connect/ca/roots}), each measured for p50, p99
 * and requests per second against {@code connect agent}'s {@link ConnectHttpServer}, against a
 * Consul 1.10.4 dev agent ({@link ConsulAgent}, the binary of {@code ../shared/peers/} or {@code
 * CONSUL_BIN}), and in process (the agent cache calls the endpoints make). Same client for both
 * servers: the JDK {@link HttpClient} on HTTP/1.1, kept-alive, {@code connections} threads each
 * sending one request at a time for {@code seconds} after {@code warmup} seconds.
 *
 * <p>A harness rather than JMH: one client against a server in another process (Consul) and
 * per-request latency percentiles over N concurrent connections, which JMH measures per thread
 * invocation rather than per connection. Our server runs in this JVM (it shares the client's CPU,
 * as Consul's process does on the same machine).
 *
 * <pre>{@code
 * java -cp connect-bench/target/benchmarks.jar dev.connect.bench.AgentHttpBench \
 *     [connections=16] [seconds=10] [warmup=5]
 * }</pre>
 */
public final class AgentHttpBench {
  private static final Pattern TRUST_DOMAIN =
      Pattern.compile("\"TrustDomain\":\\s*\"([^\"]+)\"");

  private AgentHttpBench() {}

  /** One measured call: a name and what one request is. */
  private interface Call {
    void run() throws Exception;
  }

  /** Percentiles and throughput of one call against one target. */
  private record Result(String target, String call, double p50Micros, double p99Micros,
      double rps, long count) {
    @Override
    public String toString() {
      return String.format("%-10s %-10s p50 %8.1f us  p99 %8.1f us  %9.0f req/s  (%d requests)",
          target, call, p50Micros, p99Micros, rps, count);
    }
  }

  /**
   * Runs the benchmark and prints one line per target and call, then the ratios to Consul.
   *
   * @param args {@code connections=N}, {@code seconds=N}, {@code warmup=N}
   * @throws Exception if a target cannot be started or a request fails
   */
  public static void main(String[] args) throws Exception {
    Map<String, Integer> opts = new LinkedHashMap<>(Map.of("connections", 16, "seconds", 10,
        "warmup", 5));
    for (String a : args) {
      String[] kv = a.split("=", 2);
      if (kv.length != 2 || !opts.containsKey(kv[0])) {
        throw new IllegalArgumentException("unknown argument: " + a + " (expected one of "
            + opts.keySet() + " as name=value)");
      }
      opts.put(kv[0], Integer.parseInt(kv[1]));
    }
    int connections = opts.get("connections");
    Duration seconds = Duration.ofSeconds(opts.get("seconds"));
    Duration warmup = Duration.ofSeconds(opts.get("warmup"));
    System.out.printf("AgentHttpBench: %d connections, %s warmup, %s measured per call; %d CPUs;"
        + " %s %s%n", connections, warmup, seconds, Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"), System.getProperty("java.version"));

    List<Result> results = new ArrayList<>();
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    Path dir = Files.createTempDirectory("agent-http-bench");
    try (ConsulAgent consul = ConsulAgent.start();
        ConnectAgent agent = ConnectAgent.builder().dataDirectory(dir.resolve("data")).build();
        ConnectHttpServer http = ConnectHttpServer.builder(agent)
            .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .maxConnectionsPerClient(Math.max(200, connections * 2)).start()) {
      Map<String, Call> ours = httpCalls(client,
          URI.create("http://127.0.0.1:" + http.address().getPort()));
      Map<String, Call> theirs = httpCalls(client, consul.httpAddress());
      CacheRequest anonymous = CacheRequest.anonymous();
      ServiceId db = ServiceId.of(agent.trustDomain(), agent.datacenter(), "db");
      ServiceId web = ServiceId.of(agent.trustDomain(), agent.datacenter(), "web");
      Map<String, Call> inProcess = new LinkedHashMap<>();
      inProcess.put("authorize", () -> {
        if (agent.cache().intentionMatch("db", anonymous)
            .authorize(db, web, agent.defaultIntentionPolicy()) == null) {
          throw new IllegalStateException("no decision");
        }
      });
      inProcess.put("leaf", () -> agent.cache().leaf("web", anonymous));
      inProcess.put("roots", () -> agent.cache().roots(anonymous));
      // The client's code is warmed on both servers before anything is measured; then each
      // call is measured on one server right after the other, Consul first every other call.
      for (String call : ours.keySet()) {
        run(ours.get(call), connections, warmup);
        run(theirs.get(call), connections, warmup);
      }
      boolean consulFirst = false;
      for (String call : ours.keySet()) {
        if (consulFirst) {
          results.add(measure("consul", call, theirs.get(call), connections, warmup, seconds));
        }
        results.add(measure("connect", call, ours.get(call), connections, warmup, seconds));
        if (!consulFirst) {
          results.add(measure("consul", call, theirs.get(call), connections, warmup, seconds));
        }
        results.add(measure("in-process", call, inProcess.get(call), connections, warmup,
            seconds));
        consulFirst = !consulFirst;
      }
    } finally {
      deleteTree(dir);
    }

    System.out.println();
    results.forEach(System.out::println);
    System.out.println("stale kept-alive connections retried: " + STALE_RETRIES.get());
    for (String call : List.of("authorize", "leaf", "roots")) {
      Result ours = find(results, "connect", call);
      Result theirs = find(results, "consul", call);
      System.out.printf("%-10s connect/consul: p50 %.2fx (goal <= 0.5), req/s %.2fx (goal >= 2)%n",
          call, ours.p50Micros() / theirs.p50Micros(), ours.rps() / theirs.rps());
    }
  }

  private static Result find(List<Result> results, String target, String call) {
    return results.stream().filter(r -> r.target().equals(target) && r.call().equals(call))
        .findFirst().orElseThrow();
  }

  /** The three calls as HTTP requests to the agent at {@code base}. */
  private static Map<String, Call> httpCalls(HttpClient client, URI base) throws Exception {
    String trustDomain = trustDomain(client, base);
    String authorize = "{\"Target\":\"db\",\"ClientCertURI\":\"spiffe://" + trustDomain
        + "/ns/default/dc/dc1/svc/web\",\"ClientCertSerial\":\"01\"}";
    HttpRequest authorizeRequest = HttpRequest.newBuilder(base.resolve(
        "/v1/agent/connect/authorize")).timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(authorize)).build();
    HttpRequest leaf = HttpRequest.newBuilder(base.resolve("/v1/agent/connect/ca/leaf/web"))
        .timeout(Duration.ofSeconds(30)).build();
    HttpRequest roots = HttpRequest.newBuilder(base.resolve("/v1/agent/connect/ca/roots"))
        .timeout(Duration.ofSeconds(30)).build();
    Map<String, Call> calls = new LinkedHashMap<>();
    calls.put("authorize", () -> send(client, authorizeRequest));
    calls.put("leaf", () -> send(client, leaf));
    calls.put("roots", () -> send(client, roots));
    return calls;
  }

  /** Requests sent again once: a kept-alive connection the server closed while it was idle. */
  private static final java.util.concurrent.atomic.AtomicLong STALE_RETRIES =
      new java.util.concurrent.atomic.AtomicLong();

  private static void send(HttpClient client, HttpRequest request) throws Exception {
    HttpResponse<byte[]> r;
    try {
      r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException staleConnection) {
      // The JDK client reuses a pooled connection the server closed while it sat idle (Consul
      // closes idle ones during the other server's measurement): once, then it is an error.
      STALE_RETRIES.incrementAndGet();
      r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }
    if (r.statusCode() != 200) {
      throw new IllegalStateException(request.uri() + " answered " + r.statusCode() + ": "
          + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  /** The trust domain of a ready agent (ConsulAgent.start returns once it has a root). */
  private static String trustDomain(HttpClient client, URI base) throws Exception {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve(
        "/v1/connect/ca/roots")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    Matcher m = TRUST_DOMAIN.matcher(r.body());
    if (r.statusCode() != 200 || !m.find() || m.group(1).isEmpty()) {
      throw new IllegalStateException(base + " has no CA roots: " + r.statusCode() + " "
          + r.body());
    }
    return m.group(1);
  }

  /** Runs {@code call} from {@code threads} threads: warm-up, then the measured period. */
  private static Result measure(String target, String name, Call call, int threads,
      Duration warmup, Duration period) throws Exception {
    run(call, threads, warmup);
    long start = System.nanoTime();
    List<long[]> samples = run(call, threads, period);
    double elapsed = (System.nanoTime() - start) / 1e9;
    long count = samples.stream().mapToLong(s -> s.length).sum();
    long[] all = new long[(int) count];
    int at = 0;
    for (long[] s : samples) {
      System.arraycopy(s, 0, all, at, s.length);
      at += s.length;
    }
    Arrays.sort(all);
    Result r = new Result(target, name, all[all.length / 2] / 1e3,
        all[Math.min(all.length - 1, (int) (all.length * 0.99))] / 1e3, count / elapsed, count);
    System.out.println(r);
    return r;
  }

  private static List<long[]> run(Call call, int threads, Duration period) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<long[]>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Callable<long[]> worker = () -> {
          long[] lat = new long[1 << 16];
          int n = 0;
          go.await();
          long end = System.nanoTime() + period.toNanos();
          for (long s = System.nanoTime(); s < end; s = System.nanoTime()) {
            call.run();
            if (n == lat.length) {
              lat = Arrays.copyOf(lat, lat.length * 2);
            }
            lat[n++] = System.nanoTime() - s;
          }
          return Arrays.copyOf(lat, n);
        };
        futures.add(pool.submit(worker));
      }
      go.countDown();
      List<long[]> out = new ArrayList<>();
      for (Future<long[]> f : futures) {
        out.add(f.get(period.toSeconds() + 60, TimeUnit.SECONDS));
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
