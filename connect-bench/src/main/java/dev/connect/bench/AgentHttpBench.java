package dev.connect.bench;

import dev.connect.agent.ConnectAgent;
import dev.connect.cache.CacheRequest;
import dev.connect.core.ServiceId;
import dev.connect.http.ConnectHttpServer;
import dev.connect.peers.ConsulAgent;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
 * CONSUL_BIN}; logging at INFO rather than {@code -dev}'s DEBUG, which writes a line per request),
 * and in process (the agent cache calls the endpoints make).
 *
 * <p>The client is <a href="https://github.com/wg/wrk">wrk</a> (Debian package {@code wrk}, or
 * {@code WRK_BIN}), a separate process in C on epoll: HTTP/1.1, kept-alive, {@code connections}
 * connections each with one request in flight, on {@code threads} threads, for {@code seconds}
 * after {@code warmup} seconds on the same server. The same client for both servers, and one that
 * costs little CPU: with a JVM client (the JDK {@code HttpClient}, the first version of this
 * harness) on two cores the client's own cost dominated and both servers measured about 1 ms.
 * Our server runs in this JVM, which does nothing else while it is measured; Consul's agent in its
 * own process.
 *
 * <pre>{@code
 * java -cp connect-bench/target/benchmarks.jar dev.connect.bench.AgentHttpBench \
 *     [connections=16] [threads=1] [seconds=10] [warmup=5]
 * }</pre>
 */
public final class AgentHttpBench {
  private static final Pattern TRUST_DOMAIN =
      Pattern.compile("\"TrustDomain\":\\s*\"([^\"]+)\"");
  private static final Pattern PERCENTILE =
      Pattern.compile("^\\s*(50|99)(?:\\.0+)?%\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);
  private static final Pattern RPS = Pattern.compile("^Requests/sec:\\s+([0-9.]+)",
      Pattern.MULTILINE);
  private static final Pattern TOTAL = Pattern.compile("^\\s*(\\d+) requests in ",
      Pattern.MULTILINE);

  private AgentHttpBench() {}

  /** One measured in-process call. */
  private interface Call {
    void run() throws Exception;
  }

  /** One HTTP call as wrk sends it: a URL and, for a POST, its body. */
  private record HttpCall(URI uri, String postBody) {}

  /** Percentiles and throughput of one call against one target. */
  private record Result(String target, String call, double p50Micros, double p99Micros,
      double rps, long count) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT,
          "%-10s %-10s p50 %8.1f us  p99 %8.1f us  %9.0f req/s  (%d requests)",
          target, call, p50Micros, p99Micros, rps, count);
    }
  }

  /**
   * Runs the benchmark and prints one line per target and call, then the ratios to Consul.
   *
   * @param args {@code connections=N}, {@code threads=N}, {@code seconds=N}, {@code warmup=N}
   * @throws Exception if a target cannot be started, wrk is missing or a request fails
   */
  public static void main(String[] args) throws Exception {
    Map<String, Integer> opts = new LinkedHashMap<>(Map.of("connections", 16, "threads", 1,
        "seconds", 10, "warmup", 5));
    for (String a : args) {
      String[] kv = a.split("=", 2);
      if (kv.length != 2 || !opts.containsKey(kv[0])) {
        throw new IllegalArgumentException("unknown argument: " + a + " (expected one of "
            + opts.keySet() + " as name=value)");
      }
      opts.put(kv[0], Integer.parseInt(kv[1]));
    }
    int connections = opts.get("connections");
    int threads = opts.get("threads");
    Duration seconds = Duration.ofSeconds(opts.get("seconds"));
    Duration warmup = Duration.ofSeconds(opts.get("warmup"));
    String wrk = wrkBinary();
    System.out.printf(Locale.ROOT, "AgentHttpBench: wrk (%s), %d connections on %d threads, %s"
        + " warmup, %s measured per call; %d CPUs; %s %s%n", wrk, connections, threads, warmup,
        seconds, Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
        System.getProperty("java.version"));

    List<Result> results = new ArrayList<>();
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    Path dir = Files.createTempDirectory("agent-http-bench");
    // INFO, as a production agent logs: -dev's DEBUG writes a line per HTTP request, a cost our
    // server (no logger bound in this JVM) does not pay either.
    try (ConsulAgent consul = ConsulAgent.builder().hcl("log_level = \"INFO\"").start();
        ConnectAgent agent = ConnectAgent.builder().dataDirectory(dir.resolve("data")).build();
        ConnectHttpServer http = ConnectHttpServer.builder(agent)
            .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .maxConnectionsPerClient(Math.max(200, connections * 2)).start()) {
      Wrk runner = new Wrk(wrk, dir, connections, threads);
      Map<String, HttpCall> ours = httpCalls(client,
          URI.create("http://127.0.0.1:" + http.address().getPort()));
      Map<String, HttpCall> theirs = httpCalls(client, consul.httpAddress());
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
      // Each call is measured on one server right after the other, Consul first every other
      // call, each after a warm-up on that same server.
      boolean consulFirst = false;
      for (String call : ours.keySet()) {
        if (consulFirst) {
          results.add(runner.measure("consul", call, theirs.get(call), warmup, seconds));
        }
        results.add(runner.measure("connect", call, ours.get(call), warmup, seconds));
        if (!consulFirst) {
          results.add(runner.measure("consul", call, theirs.get(call), warmup, seconds));
        }
        results.add(measureInProcess(call, inProcess.get(call), connections, warmup, seconds));
        consulFirst = !consulFirst;
      }
    } finally {
      CacheHeapPerService.deleteTree(dir);
    }

    System.out.println();
    results.forEach(System.out::println);
    for (String call : List.of("authorize", "leaf", "roots")) {
      Result ours = find(results, "connect", call);
      Result theirs = find(results, "consul", call);
      System.out.printf(Locale.ROOT,
          "%-10s connect/consul: p50 %.2fx (goal <= 0.5), req/s %.2fx (goal >= 2)%n",
          call, ours.p50Micros() / theirs.p50Micros(), ours.rps() / theirs.rps());
    }
  }

  private static Result find(List<Result> results, String target, String call) {
    return results.stream().filter(r -> r.target().equals(target) && r.call().equals(call))
        .findFirst().orElseThrow();
  }

  /** {@code WRK_BIN}, else {@code wrk} on the {@code PATH}; fails saying how to get it. */
  private static String wrkBinary() {
    String env = System.getenv("WRK_BIN");
    if (env != null && !env.isEmpty()) {
      if (!Files.isExecutable(Path.of(env))) {
        throw new IllegalStateException("WRK_BIN=" + env + " is not an executable file");
      }
      return env;
    }
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(d.isEmpty() ? "." : d, "wrk");
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new IllegalStateException("wrk, the HTTP load generator this benchmark drives, is not"
        + " on the PATH: install it (Debian: apt-get install wrk) or set WRK_BIN to its path");
  }

  /** The three calls as HTTP requests to the agent at {@code base}. */
  private static Map<String, HttpCall> httpCalls(HttpClient client, URI base) throws Exception {
    String trustDomain = trustDomain(client, base);
    String authorize = "{\"Target\":\"db\",\"ClientCertURI\":\"spiffe://" + trustDomain
        + "/ns/default/dc/dc1/svc/web\",\"ClientCertSerial\":\"01\"}";
    Map<String, HttpCall> calls = new LinkedHashMap<>();
    calls.put("authorize", new HttpCall(base.resolve("/v1/agent/connect/authorize"),
        authorize));
    calls.put("leaf", new HttpCall(base.resolve("/v1/agent/connect/ca/leaf/web"), null));
    calls.put("roots", new HttpCall(base.resolve("/v1/agent/connect/ca/roots"), null));
    // Each call answers 200 before it is measured (wrk counts non-2xx answers, checked too).
    for (HttpCall c : calls.values()) {
      HttpRequest.Builder b = HttpRequest.newBuilder(c.uri()).timeout(Duration.ofSeconds(30));
      if (c.postBody() != null) {
        b.POST(HttpRequest.BodyPublishers.ofString(c.postBody()));
      }
      HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException(c.uri() + " answered " + r.statusCode() + ": "
            + r.body());
      }
    }
    return calls;
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

  /** Runs wrk against one call and reads its report. */
  private static final class Wrk {
    private final String binary;
    private final Path dir;
    private final int connections;
    private final int threads;
    private int scripts;

    Wrk(String binary, Path dir, int connections, int threads) {
      this.binary = binary;
      this.dir = dir;
      this.connections = connections;
      this.threads = threads;
    }

    Result measure(String target, String name, HttpCall call, Duration warmup, Duration period)
        throws Exception {
      run(call, warmup);
      String out = run(call, period);
      Result r = new Result(target, name, micros(out, "50"), micros(out, "99"),
          Double.parseDouble(group(RPS, out, "Requests/sec")),
          Long.parseLong(group(TOTAL, out, "requests in")));
      System.out.println(r);
      return r;
    }

    private String run(HttpCall call, Duration period) throws Exception {
      List<String> cmd = new ArrayList<>(List.of(binary, "-t", Integer.toString(threads),
          "-c", Integer.toString(connections), "-d", period.toSeconds() + "s", "--latency",
          "--timeout", "10s"));
      if (call.postBody() != null) {
        Path script = dir.resolve("post-" + (scripts++) + ".lua");
        // A Lua long bracket: the JSON body needs no escaping inside it.
        Files.writeString(script, "wrk.method = \"POST\"\n"
            + "wrk.headers[\"Content-Type\"] = \"application/json\"\n"
            + "wrk.body = [==[" + call.postBody() + "]==]\n", StandardCharsets.UTF_8);
        cmd.addAll(List.of("-s", script.toString()));
      }
      cmd.add(call.uri().toString());
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] output;
      try {
        if (!p.waitFor(period.toSeconds() + 60, TimeUnit.SECONDS)) {
          throw new IllegalStateException("wrk did not end within " + (period.toSeconds() + 60)
              + " s: " + cmd);
        }
        output = p.getInputStream().readAllBytes();
      } finally {
        p.destroyForcibly();
      }
      String out = new String(output, StandardCharsets.UTF_8);
      if (p.exitValue() != 0 || out.contains("Non-2xx or 3xx responses")
          || out.contains("Socket errors")) {
        throw new IllegalStateException("wrk " + call.uri() + " (exit " + p.exitValue()
            + ") saw failed requests:\n" + out);
      }
      return out;
    }

    private static double micros(String out, String percentile) {
      Matcher m = PERCENTILE.matcher(out);
      while (m.find()) {
        if (m.group(1).equals(percentile)) {
          double v = Double.parseDouble(m.group(2));
          return switch (m.group(3)) {
            case "us" -> v;
            case "ms" -> v * 1e3;
            default -> v * 1e6;
          };
        }
      }
      throw new IllegalStateException("no " + percentile + "% line in wrk's report:\n" + out);
    }

    private static String group(Pattern p, String out, String what) {
      Matcher m = p.matcher(out);
      if (!m.find()) {
        throw new IllegalStateException("no '" + what + "' in wrk's report:\n" + out);
      }
      return m.group(1);
    }
  }

  /** The cache calls, from {@code threads} threads, as a baseline without HTTP. */
  private static Result measureInProcess(String name, Call call, int threads, Duration warmup,
      Duration period) throws Exception {
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
    Result r = new Result("in-process", name, all[all.length / 2] / 1e3,
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

}
