package dev.connect.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code connect proxy} as a real process (issue 15): on an embedded data directory, its upstream
 * listener reaches its own public listener with mutual TLS and the local application behind it;
 * on SIGTERM it drains and exits. An upstream that an embedded server cannot discover is a usage
 * error naming it.
 */
class ProxyProcessTest {
  @TempDir Path tmp;

  @Test
  void proxyRelaysThroughItsListenersUntilSigterm() throws Exception {
    Path dir = tmp.resolve("data");
    assertThat(run("init", "--data-dir", dir.toString())).isZero();
    int publicPort = freePort();
    int upstreamPort = freePort();
    try (ServerSocket app = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      app.setSoTimeout(60_000);
      CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> {
        try (Socket s = app.accept()) {
          s.setSoTimeout(60_000);
          s.getInputStream().transferTo(s.getOutputStream());
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      Path stderr = tmp.resolve("proxy.err");
      Process proxy = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
          .toString(), "-cp", System.getProperty("java.class.path"), ConnectCli.class.getName(),
          "proxy", "--data-dir", dir.toString(), "--service", "db",
          "--listen", "127.0.0.1:" + publicPort,
          "--service-addr", "127.0.0.1:" + app.getLocalPort(),
          "--upstream", "db:" + upstreamPort + "@127.0.0.1:" + publicPort,
          "--tls-provider", "jdk")
          .redirectError(stderr.toFile()).start();
      try {
        BufferedReader out = new BufferedReader(new InputStreamReader(proxy.getInputStream(),
            StandardCharsets.UTF_8));
        String ready = CompletableFuture.supplyAsync(() -> {
          try {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
              if (line.startsWith("TLS provider: ")) {
                return line;
              }
            }
            return "exited before listening";
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }).get(120, TimeUnit.SECONDS);
        assertThat(ready).as(Files.readString(stderr)).isEqualTo("TLS provider: JDK");

        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
          s.setSoTimeout(60_000);
          s.getOutputStream().write("through the CLI".getBytes(StandardCharsets.UTF_8));
          s.shutdownOutput();
          assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
              .isEqualTo("through the CLI");
        }
        echo.get(60, TimeUnit.SECONDS);

        proxy.destroy(); // SIGTERM
        assertThat(proxy.waitFor(60, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
        assertThat(proxy.exitValue()).as(Files.readString(stderr)).isEqualTo(143);
        assertThat(Files.readString(stderr)).contains("draining connections");
      } finally {
        proxy.destroyForcibly();
        proxy.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void anUpstreamWithoutAddressOnAnEmbeddedServerIsAUsageError() {
    StringWriter err = new StringWriter();
    int status = ConnectCli.run(new PrintWriter(new StringWriter()), new PrintWriter(err),
        "proxy", "--data-dir", tmp.toString(), "--service", "web", "--upstream", "db:9191");
    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("--upstream db has no @<addr:port>");
  }

  @Test
  void sidecarForWithFlagsItWouldReadIsAUsageError() {
    StringWriter err = new StringWriter();
    int status = ConnectCli.run(new PrintWriter(new StringWriter()), new PrintWriter(err),
        "proxy", "--sidecar-for", "web-1", "--service", "web", "--http-addr", "127.0.0.1:1");
    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("--sidecar-for web-1 reads the service");
  }

  private static int run(String... args) {
    return ConnectCli.run(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
        args);
  }

  private static int freePort() throws java.io.IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
