package dev.connect.consul;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.core.QueryOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cancelling a read the cache watches (what eviction does) stops its blocking query: the server
 * sees the connection close at once instead of at the end of the wait, and the thread that sent
 * it serves later requests, not interrupted.
 */
class CancelledWatchReleasesItsRequestTest {
  private static final String MATCH = "{\"db\":[]}";

  private ServerSocket server;
  private ConsulBackend backend;
  private final CountDownLatch held = new CountDownLatch(1);
  private final CountDownLatch closedByClient = new CountDownLatch(1);

  @BeforeEach
  void start() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          Thread t = new Thread(() -> serve(s), "test-consul-conn");
          t.setDaemon(true);
          t.start();
        } catch (IOException closed) {
          return;
        }
      }
    }, "test-consul-accept");
    accept.setDaemon(true);
    accept.start();
    backend = ConsulBackend.builder().environment(Map.of("CONSUL_HTTP_ADDR",
        "http://127.0.0.1:" + server.getLocalPort())).build();
  }

  @AfterEach
  void stop() throws IOException {
    backend.close();
    server.close();
  }

  /** Answers requests on one connection; holds a blocking query until the client closes. */
  private void serve(Socket s) {
    try (s) {
      s.setSoTimeout(60_000);
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      while (true) {
        String head = readHead(in);
        if (head == null) {
          return;
        }
        if (head.lines().findFirst().orElse("").contains("index=")) {
          held.countDown();
          while (in.read() >= 0) {
            // a blocking query: nothing to answer until the client gives up on it
          }
          closedByClient.countDown();
          return;
        }
        byte[] body = MATCH.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 200 OK\r\nX-Consul-Index: 7\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
      }
    } catch (IOException e) {
      // the test ended
    }
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      b.append((char) c);
      if (b.length() >= 4 && b.substring(b.length() - 4).equals("\r\n\r\n")) {
        return b.toString();
      }
    }
    return null;
  }

  @ParameterizedTest
  @ValueSource(strings = {"roots", "match", "leaf", "health"})
  void aCancelledWatchClosesItsConnectionAndFreesItsThread(String read) throws Exception {
    QueryOptions blocking = QueryOptions.builder().minIndex(7).maxWait(Duration.ofMinutes(5))
        .build();
    BiFunction<String, QueryOptions, CompletableFuture<?>> reads = (name, o) -> switch (name) {
      case "roots" -> backend.roots(o);
      case "match" -> backend.matchIntentions("db", o);
      case "leaf" -> backend.issueLeaf("db", o);
      default -> backend.healthConnect("db", o);
    };
    CompletableFuture<?> watch = reads.apply(read, blocking);
    assertThat(held.await(30, TimeUnit.SECONDS)).as("the server holds the query").isTrue();

    assertThat(watch.cancel(false)).isTrue();

    assertThat(closedByClient.await(30, TimeUnit.SECONDS))
        .as("the connection closes at the cancel, not after the 5-minute wait").isTrue();
    // The sender threads are reused: none may carry the cancel's interrupt into a later request.
    for (int i = 0; i < 20; i++) {
      assertThat(backend.matchIntentions("db", QueryOptions.defaults()).get(30, TimeUnit.SECONDS)
          .index()).isEqualTo(7);
    }
  }
}
