package dev.connect.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.core.QueryOptions;
import dev.connect.server.EmbeddedServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code connect agent} as a real process (issue 13): it creates the data directory, prints the
 * address it serves once listening, answers Consul's HTTP API, and on SIGTERM drains and closes
 * the directory before it exits.
 */
class AgentProcessTest {
  @TempDir Path tmp;

  @Test
  void agentServesUntilSigtermThenDrainsAndReleasesTheDirectory() throws Exception {
    Path dir = tmp.resolve("data");
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    Path stderr = tmp.resolve("agent.err");
    Process agent = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-cp", System.getProperty("java.class.path"), ConnectCli.class.getName(),
        "agent", "--data-dir", dir.toString(), "--http", "127.0.0.1:" + port)
        .redirectError(stderr.toFile()).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(agent.getInputStream(),
          StandardCharsets.UTF_8));
      String serving = CompletableFuture.supplyAsync(() -> {
        try {
          for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith("Serving HTTP on ")) {
              return line;
            }
          }
          return "exited before serving";
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).get(120, TimeUnit.SECONDS);
      assertThat(serving).isEqualTo("Serving HTTP on http://127.0.0.1:" + port);

      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();
      HttpResponse<String> roots = client.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/v1/agent/connect/ca/roots"))
          .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(roots.statusCode()).isEqualTo(200);
      assertThat(roots.headers().firstValue("X-Consul-Default-Acl-Policy")).hasValue("allow");
      assertThat(roots.body()).contains("\"TrustDomain\":\"");

      agent.destroy(); // SIGTERM
      assertThat(agent.waitFor(60, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
      // 128 + SIGTERM, as any JVM that ran its shutdown hooks; the log says the drain finished.
      assertThat(agent.exitValue()).as(Files.readString(stderr)).isEqualTo(143);
      assertThat(Files.readString(stderr)).contains("shutting down").contains("stopped");

      try (EmbeddedServer reopened = EmbeddedServer.builder().dataDirectory(dir).open()) {
        String trustDomain = reopened.roots(QueryOptions.defaults()).join().value()
            .trustDomain();
        assertThat(roots.body()).contains("\"TrustDomain\":\"" + trustDomain + "\"");
      }
    } finally {
      agent.destroyForcibly();
      agent.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
