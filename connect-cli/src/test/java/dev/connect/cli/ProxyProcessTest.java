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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code connect proxy} as a real process (issue 15): on an embedded data directory, its upstream
 * listener reaches its own public listener with mutual TLS and the local application behind it;
 * on SIGTERM it drains and exits. An upstream that an embedded server cannot discover is a usage
 * error naming it.
 */
class ProxyProcessTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void proxyRelaysThroughItsListenersUntilSigterm(boolean configFile) throws Exception {
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
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"),
          "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
          ConnectCli.class.getName(), "proxy", "--data-dir", dir.toString(),
          "--tls-provider", "jdk"));
      if (configFile) {
        // The same proxy from a file with consul connect proxy's names.
        Path file = tmp.resolve("proxy.json");
        Files.writeString(file, "{\"proxied_service_name\": \"db\", \"public_listener\": {"
            + "\"bind_address\": \"127.0.0.1\", \"bind_port\": " + publicPort + ","
            + " \"local_service_address\": \"127.0.0.1:" + app.getLocalPort() + "\"},"
            + " \"upstreams\": [{\"destination_name\": \"db\", \"local_bind_port\": "
            + upstreamPort + ", \"static_address\": \"127.0.0.1:" + publicPort + "\"}]}");
        command.addAll(List.of("-config-file", file.toString()));
      } else {
        command.addAll(List.of("--service", "db", "--listen", "127.0.0.1:" + publicPort,
            "--service-addr", "127.0.0.1:" + app.getLocalPort(),
            "--upstream", "db:" + upstreamPort + "@127.0.0.1:" + publicPort,
            "--event-loop-spin", "0"));
      }
      Process proxy = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
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
    assertThat(status).isEqualTo(ConnectCli.USAGE);
    assertThat(err.toString()).contains("--upstream db has no @<addr:port>");
  }

  @Test
  void anEventLoopSpinAboveOneMillisecondIsAUsageError() {
    StringWriter err = new StringWriter();
    int status = ConnectCli.run(new PrintWriter(new StringWriter()), new PrintWriter(err),
        "proxy", "--data-dir", tmp.toString(), "--service", "web", "--listen", "127.0.0.1:0",
        "--service-addr", "127.0.0.1:8080", "--event-loop-spin", "5000");
    assertThat(status).isEqualTo(ConnectCli.USAGE);
    assertThat(err.toString()).contains("--event-loop-spin must be 0 to 1000 µs: 5000");
  }

  @Test
  void sidecarForWithFlagsItWouldReadIsAUsageError() {
    StringWriter err = new StringWriter();
    int status = ConnectCli.run(new PrintWriter(new StringWriter()), new PrintWriter(err),
        "proxy", "--sidecar-for", "web-1", "--service", "web", "--http-addr", "127.0.0.1:1");
    assertThat(status).isEqualTo(ConnectCli.USAGE);
    assertThat(err.toString()).contains("--sidecar-for web-1 reads the service");
  }

  @Test
  void aConfigFileAndAFlagSettingTheSameAreAUsageErrorNamingBoth() throws Exception {
    Path file = tmp.resolve("p.json");
    Files.writeString(file, "{\"proxied_service_name\": \"web\", \"public_listener\": {"
        + "\"bind_port\": 21000, \"local_service_address\": \"127.0.0.1:8080\"}}");
    StringWriter err = new StringWriter();
    int status = ConnectCli.run(new PrintWriter(new StringWriter()), new PrintWriter(err),
        "proxy", "--data-dir", tmp.toString(), "--config-file", file.toString(),
        "--service", "api");
    assertThat(status).isEqualTo(ConnectCli.USAGE);
    assertThat(err.toString()).contains("--service api conflicts with proxied_service_name web");

    err = new StringWriter();
    status = ConnectCli.run(new PrintWriter(new StringWriter()), new PrintWriter(err),
        "proxy", "--data-dir", tmp.toString(), "--config-file", file.toString(),
        "--listen", "127.0.0.1:1", "--service-addr", "127.0.0.1:2");
    assertThat(status).isEqualTo(ConnectCli.USAGE);
    assertThat(err.toString()).contains("--listen 127.0.0.1:1 conflicts with public_listener");

    Files.writeString(file, "{\"proxied_service_name\": \"web\", \"telemetry\": {}}");
    err = new StringWriter();
    status = ConnectCli.run(new PrintWriter(new StringWriter()), new PrintWriter(err),
        "proxy", "--data-dir", tmp.toString(), "--config-file", file.toString());
    assertThat(status).isEqualTo(ConnectCli.USAGE);
    assertThat(err.toString()).contains(file + ": telemetry is not supported");
  }

  /**
   * Guards the order of ProxyCommand: the sidecar is read before the agent exists. (The agent
   * the old order left open had started no thread yet, so this passed before the fix too.)
   */
  @Test
  void aFailedSidecarFetchLeavesNoAgentThreadsBehind() throws Exception {
    try (CliAgainstRunningAgentTest.Agent a =
        new CliAgainstRunningAgentTest.Agent(tmp.resolve("agent"))) {
      Set<Thread> before = Thread.getAllStackTraces().keySet();
      StringWriter err = new StringWriter();
      int status = ConnectCli.run(new PrintWriter(new StringWriter()), new PrintWriter(err),
          "proxy", "--sidecar-for", "web-1", "--http-addr", a.addr());
      assertThat(status).isEqualTo(1);
      assertThat(err.toString()).contains("no sidecar proxy is registered for service ID web-1");
      List<String> left = new ArrayList<>();
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        // The agent's schedulers (the HTTP server's event loops belong to the fixture).
        if (!before.contains(t) && (t.getName().startsWith("connect-agent")
            || t.getName().startsWith("connect-cache"))) {
          t.join(10_000); // bounded: a closed agent's threads end promptly
          if (t.isAlive()) {
            left.add(t.getName());
          }
        }
      }
      assertThat(left).as("threads of an agent nobody closed").isEmpty();
    }
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
