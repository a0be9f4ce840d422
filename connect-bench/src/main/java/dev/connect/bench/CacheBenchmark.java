package dev.connect.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.sun.net.httpserver.HttpServer;
import dev.connect.ca.CaConfiguration;
import dev.connect.ca.LeafRequests;
import dev.connect.cache.CacheRequest;
import dev.connect.cache.ConnectCache;
import dev.connect.cache.Leaf;
import dev.connect.cache.LeafKeyFactory;
import dev.connect.core.CaRoots;
import dev.connect.core.Intentions;
import dev.connect.server.EmbeddedServer;
import java.io.IOException;
import java.io.OutputStream;
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
import java.util.Comparator;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A cache hit for roots, a leaf and an intention match, against a raw Caffeine {@code
 * getIfPresent} (the floor) and one loopback HTTP GET to a JDK {@code HttpServer} (the cost of
 * asking an out-of-process agent, Consul's model). The goals: a hit within 2x the floor, and at
 * least 1,000x faster than the loopback GET.
 *
 * <p>The cache runs over a real embedded server in a temporary directory, with its own
 * background threads; every read here is a hit. The HTTP server sets {@code TCP_NODELAY}
 * ({@code sun.net.httpserver.nodelay}), as does the JDK client, so the GET is not held back by
 * Nagle's algorithm.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class CacheBenchmark {
  static final LeafKeyFactory KEYS = LeafKeyFactory.of(LeafRequests::newKeyPair,
      LeafRequests::csrPem);

  Path dir;
  EmbeddedServer server;
  ConnectCache cache;
  CacheRequest request;
  Cache<String, Object> raw;
  String rawKey;
  HttpServer http;
  ExecutorService httpExecutor;
  HttpClient client;
  HttpRequest get;

  /** Starts the server, the cache (filled), the raw Caffeine cache and the HTTP server. */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("cache-bench");
    server = EmbeddedServer.builder().dataDirectory(dir)
        .caConfiguration(CaConfiguration.defaults().toBuilder().csrMaxPerSecond(0).build())
        .open();
    cache = ConnectCache.builder(server).leafKeys(KEYS).build();
    request = CacheRequest.withToken("bench-token");
    cache.roots(request);
    cache.leaf("web", request);
    cache.intentionMatch("db", request);

    raw = Caffeine.newBuilder().expireAfterAccess(Duration.ofHours(72))
        .executor(Runnable::run).build();
    rawKey = new String("intention_match/dc1/token/db".toCharArray());
    raw.put(rawKey, new Object());

    System.setProperty("sun.net.httpserver.nodelay", "true");
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    byte[] body = "{\"ActiveRootID\":\"x\",\"Roots\":[]}".getBytes(StandardCharsets.UTF_8);
    http.createContext("/v1/agent/connect/ca/roots", exchange -> {
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    httpExecutor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "bench-http");
      t.setDaemon(true);
      return t;
    });
    http.setExecutor(httpExecutor);
    http.start();
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.getAddress().getPort()
        + "/v1/agent/connect/ca/roots")).GET().build();
  }

  /** Stops everything and deletes the data directory. */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    cache.close();
    server.close();
    http.stop(0);
    httpExecutor.shutdownNow();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /**
   * A cache hit for the roots.
   *
   * @return the roots
   */
  @Benchmark
  public CaRoots rootsHit() {
    return cache.roots(request);
  }

  /**
   * A cache hit for a leaf.
   *
   * @return the leaf
   */
  @Benchmark
  public Leaf leafHit() {
    return cache.leaf("web", request);
  }

  /**
   * A cache hit for an intention match.
   *
   * @return the intentions
   */
  @Benchmark
  public Intentions intentionMatchHit() {
    return cache.intentionMatch("db", request);
  }

  /**
   * The floor: a raw Caffeine {@code getIfPresent} on a cache with the same expiry.
   *
   * @return the value
   */
  @Benchmark
  public Object rawCaffeineHit() {
    return raw.getIfPresent(rawKey);
  }

  /**
   * One loopback HTTP GET of a small JSON body, as an out-of-process agent would answer.
   *
   * @return the body
   * @throws Exception if the request fails
   */
  @Benchmark
  public String loopbackHttpGet() throws Exception {
    return client.send(get, HttpResponse.BodyHandlers.ofString()).body();
  }
}
