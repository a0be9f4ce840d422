package dev.connect.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.connect.core.QueryOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which threads answers reach code on. The JDK client's {@code sendAsync} completes through
 * {@code CompletableFuture}'s default executor, a new thread per response on two CPUs or fewer;
 * {@link ConsulHttp} sends on its own reused threads instead, and what depends on an answer runs
 * there.
 */
class ConsulHttpThreadsTest {
  private static final String MATCH = "{\"db\":[]}";

  private HttpServer server;
  private ConsulBackend backend;
  private final CountDownLatch held = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.createContext("/", exchange -> {
      if (exchange.getRequestURI().getQuery() != null
          && exchange.getRequestURI().getQuery().contains("index=")) {
        held.countDown();
        try {
          release.await(30, TimeUnit.SECONDS); // a blocking query, held until released
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      byte[] body = MATCH.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("X-Consul-Index", "7");
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    backend = ConsulBackend.builder().environment(Map.of("CONSUL_HTTP_ADDR",
        "http://127.0.0.1:" + server.getAddress().getPort())).build();
  }

  @AfterEach
  void stop() {
    release.countDown();
    backend.close();
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }

  @Test
  void answersReachCodeOnAFewReusedSenderThreads() throws Exception {
    Set<Thread> threads = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      Thread t = backend.matchIntentions("db", QueryOptions.defaults())
          .thenApply(r -> Thread.currentThread()).get(30, TimeUnit.SECONDS);
      threads.add(t);
    }
    // One request at a time: a sender is reused once it is idle again (rarely a second one
    // starts while the first is finishing), where sendAsync made 200 threads on two CPUs.
    assertThat(threads).allSatisfy(
        t -> assertThat(t.getName()).startsWith("connect-consul-request-"));
    assertThat(threads).hasSizeLessThanOrEqualTo(4);
  }

  @Test
  void closeFailsARequestInFlightSayingSo() throws Exception {
    CompletableFuture<?> waiting = backend.matchIntentions("db", QueryOptions.builder().minIndex(7)
        .maxWait(Duration.ofMinutes(5)).build());
    assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();

    backend.close();

    assertThatThrownBy(() -> waiting.get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(ConsulHttpException.class)
        .hasMessageContaining("the Consul client was closed with the request in flight");
    assertThatThrownBy(() -> backend.matchIntentions("db", QueryOptions.defaults())
        .get(30, TimeUnit.SECONDS))
        .hasMessageContaining("the Consul client is closed");
  }
}
