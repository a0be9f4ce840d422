package dev.connect.bench;

import dev.connect.ca.CaConfiguration;
import dev.connect.cache.CacheRequest;
import dev.connect.cache.ConnectCache;
import dev.connect.server.EmbeddedServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The retained heap per cached service: a leaf (certificate and private key) and the intention
 * match of the service, measured with 10,000 services as the used heap after full collections,
 * before and after filling the cache. The goal is under 8 KB per service.
 *
 * <p>Run: {@code java -cp connect-bench/target/benchmarks.jar
 * dev.connect.bench.CacheHeapPerService [services]}.
 */
public final class CacheHeapPerService {
  private CacheHeapPerService() {}

  /**
   * Fills a cache with {@code args[0]} services (default 10,000) and prints the bytes per service.
   *
   * @param args the number of services, optional
   * @throws Exception if the server cannot start
   */
  public static void main(String[] args) throws Exception {
    int services = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    Path dir = Files.createTempDirectory("cache-heap");
    try (EmbeddedServer server = EmbeddedServer.builder().dataDirectory(dir)
        .caConfiguration(CaConfiguration.defaults().toBuilder().csrMaxPerSecond(0).build())
        .open();
        ConnectCache cache = ConnectCache.builder(server).leafKeys(CacheBenchmark.KEYS).build()) {
      CacheRequest request = CacheRequest.withToken("heap-token");
      cache.roots(request);
      cache.leaf("warm-up", request);
      cache.intentionMatch("warm-up", request);
      String[] names = new String[services];
      for (int i = 0; i < services; i++) {
        names[i] = "service-" + i;
      }
      long before = usedAfterGc();
      for (String name : names) {
        cache.leaf(name, request);
        cache.intentionMatch(name, request);
      }
      long after = usedAfterGc();
      System.out.printf("services=%d entries=%s%n", services, cache.stats().entries());
      System.out.printf("retained heap: %,d bytes total, %,d bytes per service (goal < 8,192)%n",
          after - before, (after - before) / services);
    } finally {
      deleteTree(dir);
    }
  }

  /** Deletes {@code dir} and everything below it. */
  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** The heap in use after full collections: the least of five, 100 ms apart. */
  static long usedAfterGc() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(100); // a benchmark harness, not a test: lets the collector settle
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
