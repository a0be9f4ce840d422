package dev.connect.cli;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to {@code connect agent} while it is under load (issue 13): requests in flight and
 * blocking queries waiting (agent roots and a leaf). Every request gets either a complete answer
 * (a status line, a Content-Length its body matches, JSON that parses) or its connection closed
 * before any byte of an answer (or refused once the listener closed); no torn body. Waiting
 * queries, the blocked leaf read included, are answered by the drain. The process exits within
 * the drain bound and the data directory is free at once for a new agent.
 */
class AgentSigtermDuringLoadTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int DRAIN_SECONDS = 5;
  private static final int WAITING = 60;
  private static final int LOAD_THREADS = 8;
  private static final int SOCKET_TIMEOUT_MS = 30_000;

  @TempDir Path tmp;

  /** What a request got. */
  enum Outcome { COMPLETE, CLOSED_BEFORE_ANY_BYTE, REFUSED }

  @Test
  void sigtermDuringLoadTearsNoAnswerAnswersWaitingQueriesAndFreesTheDirectory()
      throws Exception {
    Path dir = tmp.resolve("data");
    int port = freePort();
    Process agent = start(dir, port, tmp.resolve("agent.err"));
    ExecutorService pool = Executors.newFixedThreadPool(WAITING + LOAD_THREADS);
    try {
      String trustDomain = JSON.readTree(body(exchange(port, "GET",
          "/v1/agent/connect/ca/roots", null))).get("TrustDomain").asText();
      long rootsIndex = index(exchange(port, "GET", "/v1/agent/connect/ca/roots", null));
      long leafIndex = index(exchange(port, "GET", "/v1/agent/connect/ca/leaf/web", null));

      List<CompletableFuture<String>> waiting = new ArrayList<>();
      for (int i = 0; i < WAITING; i++) {
        String path = i % 2 == 0 ? "/v1/agent/connect/ca/roots?index=" + rootsIndex
            : "/v1/agent/connect/ca/leaf/web?index=" + leafIndex;
        waiting.add(CompletableFuture.supplyAsync(() -> exchangeUnchecked(port, "GET", path,
            null), pool));
      }

      String authorize = "{\"Target\":\"db\",\"ClientCertURI\":\"spiffe://" + trustDomain
          + "/ns/default/dc/dc1/svc/web\",\"ClientCertSerial\":\"01\"}";
      AtomicBoolean stop = new AtomicBoolean();
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      AtomicInteger[] counts = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
      CountDownLatch warmed = new CountDownLatch(LOAD_THREADS);
      List<CompletableFuture<Void>> load = new ArrayList<>();
      for (int t = 0; t < LOAD_THREADS; t++) {
        int thread = t;
        load.add(CompletableFuture.runAsync(() -> {
          int done = 0;
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
          while (!stop.get() && System.nanoTime() < deadline) {
            String[] req = switch ((thread + done) % 4) {
              case 0 -> new String[] {"POST", "/v1/agent/connect/authorize", authorize};
              case 1 -> new String[] {"GET", "/v1/agent/connect/ca/roots", null};
              case 2 -> new String[] {"GET", "/v1/agent/connect/ca/leaf/web", null};
              default -> new String[] {"PUT", "/v1/connect/intentions/exact?source=s" + thread
                  + "&destination=db", "{\"Action\":\"allow\"}"};
            };
            Outcome o = classify(req[0] + " " + req[1], port, req[0], req[1], req[2], failures);
            counts[o.ordinal()].incrementAndGet();
            if (o == Outcome.REFUSED) {
              return; // the listener is closed: nothing more to send
            }
            if (++done == 20) {
              warmed.countDown();
            }
          }
        }, pool));
      }
      // Every load thread has had answers, so the blocking queries sent before are waiting.
      assertThat(warmed.await(120, TimeUnit.SECONDS)).as("load started").isTrue();
      assertThat(waiting).noneMatch(CompletableFuture::isDone);

      long signalled = System.nanoTime();
      agent.destroy(); // SIGTERM
      assertThat(agent.waitFor(DRAIN_SECONDS + 30, TimeUnit.SECONDS)).as("exits").isTrue();
      long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
      stop.set(true);
      CompletableFuture.allOf(load.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

      String log = Files.readString(tmp.resolve("agent.err"));
      // 128 + SIGTERM, as any JVM that ran its shutdown hooks (AgentProcessTest).
      assertThat(agent.exitValue()).as(log).isEqualTo(143);
      assertThat(exitMillis).as("exit after SIGTERM within the drain bound")
          .isLessThan(TimeUnit.SECONDS.toMillis(DRAIN_SECONDS + 10));
      assertThat(log).contains("shutting down").contains("stopped");
      assertThat(failures).as("torn or broken answers").isEmpty();
      System.out.printf("AgentSigtermDuringLoadTest: complete %d, closed before any byte %d,"
          + " refused %d; exit %d ms after SIGTERM%n", counts[0].get(), counts[1].get(),
          counts[2].get(), exitMillis);

      // The drain answered every waiting query, the blocked leaf reads included.
      for (int i = 0; i < WAITING; i++) {
        String reply = waiting.get(i).get(30, TimeUnit.SECONDS);
        assertThat(reply).as("waiting query %d", i).startsWith("HTTP/1.1 200 ");
        check("waiting query " + i, reply.getBytes(ISO_8859_1));
        if (i % 2 == 1) {
          assertThat(JSON.readTree(body(reply)).get("CertPEM").asText())
              .startsWith("-----BEGIN CERTIFICATE-----");
        }
      }

      // The directory is closed: a new agent on it starts at once.
      Process again = start(dir, freePort(), tmp.resolve("again.err"));
      again.destroy();
      assertThat(again.waitFor(DRAIN_SECONDS + 30, TimeUnit.SECONDS)).isTrue();
    } finally {
      pool.shutdownNow();
      agent.destroyForcibly();
      agent.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** Sends one request and checks what came back; a torn or broken answer is a failure. */
  private static Outcome classify(String what, int port, String method, String path,
      String body, ConcurrentLinkedQueue<String> failures) {
    byte[] reply;
    try {
      reply = exchange(port, method, path, body).getBytes(ISO_8859_1);
    } catch (ConnectException refused) {
      return Outcome.REFUSED;
    } catch (PartialReply partial) {
      if (partial.bytes == 0) {
        return Outcome.CLOSED_BEFORE_ANY_BYTE;
      }
      failures.add(what + ": " + partial.getMessage());
      return Outcome.COMPLETE;
    } catch (IOException e) {
      failures.add(what + ": " + e);
      return Outcome.COMPLETE;
    }
    if (reply.length == 0) {
      return Outcome.CLOSED_BEFORE_ANY_BYTE;
    }
    try {
      check(what, reply);
    } catch (AssertionError e) {
      failures.add(e.getMessage());
    }
    return Outcome.COMPLETE;
  }

  /** A complete answer: status line, headers, a body of its Content-Length, JSON if it says so. */
  private static void check(String what, byte[] reply) {
    String text = new String(reply, ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    assertThat(end).as("%s: no end of headers: %s", what, text).isPositive();
    assertThat(text).as(what).startsWith("HTTP/1.1 ");
    String head = text.substring(0, end).toLowerCase(Locale.ROOT);
    int at = head.indexOf("\r\ncontent-length: ");
    assertThat(at).as("%s: no Content-Length: %s", what, head).isPositive();
    int length = Integer.parseInt(head.substring(at + 18, head.indexOf("\r\n", at + 2) < 0
        ? head.length() : head.indexOf("\r\n", at + 2)).trim());
    assertThat(reply.length - end - 4).as("%s: a torn body", what).isEqualTo(length);
    int status = Integer.parseInt(text.substring(9, 12));
    assertThat(status).as(what + ": " + text).isLessThan(500);
    if (head.contains("content-type: application/json")) {
      try {
        JSON.readTree(new String(reply, end + 4, length, UTF_8));
      } catch (IOException e) {
        throw new AssertionError(what + ": JSON that does not parse: " + text, e);
      }
    }
  }

  /** A connection closed (or reset) after {@code bytes} bytes of an answer. */
  static final class PartialReply extends IOException {
    private static final long serialVersionUID = 1L;
    final int bytes;

    PartialReply(int bytes, IOException cause) {
      super("connection broken after " + bytes + " bytes: " + cause, cause);
      this.bytes = bytes;
    }
  }

  private static String exchangeUnchecked(int port, String method, String path, String body) {
    try {
      return exchange(port, method, path, body);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** One request on a new connection with {@code Connection: close}; everything read. */
  private static String exchange(int port, String method, String path, String body)
      throws IOException {
    byte[] content = body == null ? new byte[0] : body.getBytes(UTF_8);
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(SOCKET_TIMEOUT_MS);
      s.getOutputStream().write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Connection: close\r\nContent-Length: " + content.length + "\r\n\r\n")
          .getBytes(UTF_8));
      s.getOutputStream().write(content);
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      try {
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
          out.write(buf, 0, n);
        }
      } catch (IOException broken) {
        throw new PartialReply(out.size(), broken);
      }
      return out.toString(ISO_8859_1);
    } catch (ConnectException refused) {
      throw refused;
    } catch (java.net.SocketException e) {
      throw new PartialReply(0, e); // reset while writing: nothing was answered
    }
  }

  private static String body(String reply) {
    return reply.substring(reply.indexOf("\r\n\r\n") + 4);
  }

  private static long index(String reply) {
    for (String line : reply.substring(0, reply.indexOf("\r\n\r\n")).split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("x-consul-index:")) {
        return Long.parseLong(line.substring(15).trim());
      }
    }
    throw new AssertionError("no X-Consul-Index in " + reply);
  }

  private static int freePort() throws IOException {
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return free.getLocalPort();
    }
  }

  /** Forks {@code connect agent} and returns once it says it serves. */
  private static Process start(Path dir, int port, Path stderr) throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-cp", System.getProperty("java.class.path"), ConnectCli.class.getName(),
        "agent", "--data-dir", dir.toString(), "--http", "127.0.0.1:" + port,
        "--drain-timeout", Integer.toString(DRAIN_SECONDS))
        .redirectError(stderr.toFile()).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8));
    String serving;
    try {
      serving = CompletableFuture.supplyAsync(() -> {
        try {
          for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith("Serving HTTP on ")) {
              return line;
            }
          }
          return "exited before serving";
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      p.destroyForcibly();
      throw e;
    }
    if (!serving.equals("Serving HTTP on http://127.0.0.1:" + port)) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
      throw new AssertionError(serving + ": " + Files.readString(stderr));
    }
    return p;
  }
}
