package dev.connect.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connect.peers.VaultDev;
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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code connect agent --ca-provider vault} as a real process against a real Vault dev server
 * (issue 16): the leaf it serves over Consul's HTTP API verifies with {@code openssl verify}
 * against the root it lists, which is Vault's, and the token given through {@code VAULT_TOKEN}
 * appears nowhere in its output. Missing Vault settings are a usage error naming the option.
 */
class AgentWithVaultCaProcessTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  @Test
  void agentWithTheVaultProviderServesLeavesThatVerifyAgainstTheVaultRoot() throws Exception {
    try (VaultDev vault = VaultDev.start()) {
      int port;
      try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = free.getLocalPort();
      }
      Path stderr = tmp.resolve("agent.err");
      ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin",
          "java").toString(), "-cp", System.getProperty("java.class.path"),
          ConnectCli.class.getName(), "agent", "--data-dir", tmp.resolve("data").toString(),
          "--http", "127.0.0.1:" + port, "--ca-provider", "vault",
          "--vault-addr", vault.address().toString()).redirectError(stderr.toFile());
      pb.environment().put("VAULT_TOKEN", vault.rootToken());
      Process agent = pb.start();
      try {
        BufferedReader out = new BufferedReader(new InputStreamReader(agent.getInputStream(),
            StandardCharsets.UTF_8));
        StringBuilder printed = new StringBuilder();
        String serving = CompletableFuture.supplyAsync(() -> {
          try {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
              printed.append(line).append('\n');
              if (line.startsWith("Serving HTTP on ")) {
                return line;
              }
            }
            return "exited before serving";
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }).get(120, TimeUnit.SECONDS);
        assertThat(serving).as(Files.readString(stderr))
            .isEqualTo("Serving HTTP on http://127.0.0.1:" + port);

        JsonNode roots = JSON.readTree(get(port, "/v1/agent/connect/ca/roots"));
        JsonNode leaf = JSON.readTree(get(port, "/v1/agent/connect/ca/leaf/web"));
        JsonNode active = roots.path("Roots").get(0);
        Path root = Files.writeString(tmp.resolve("root.pem"), active.path("RootCert").asText());
        StringBuilder intermediates = new StringBuilder();
        active.path("IntermediateCerts").forEach(c -> intermediates.append(c.asText()));
        assertThat(intermediates).as("the Vault intermediate is listed").isNotEmpty();
        Path untrusted = Files.writeString(tmp.resolve("int.pem"), intermediates);
        Path leafFile = Files.writeString(tmp.resolve("leaf.pem"), leaf.path("CertPEM").asText());
        String verified = run("openssl", "verify", "-CAfile", root.toString(), "-untrusted",
            untrusted.toString(), leafFile.toString());
        assertThat(verified).contains(leafFile + ": OK");
        assertThat(run("openssl", "x509", "-in", root.toString(), "-noout", "-subject"))
            .contains(".vault.ca.");

        agent.destroy();
        assertThat(agent.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(stderr) + printed).doesNotContain(vault.rootToken());
      } finally {
        agent.destroyForcibly();
        agent.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void vaultProviderWithoutAnAddressIsAUsageErrorNamingTheOption() {
    ConnectCliTest.Run run = ConnectCliTest.run("agent", "--data-dir",
        tmp.resolve("data").toString(), "--ca-provider", "vault", "--vault-addr", "",
        "--vault-token", "s3cr3t-token");
    assertThat(run.status()).isEqualTo(1);
    assertThat(run.err()).contains("--ca-provider vault needs --vault-addr")
        .doesNotContain("s3cr3t-token");
    assertThat(tmp.resolve("data")).doesNotExist();

    ConnectCliTest.Run bad = ConnectCliTest.run("agent", "--data-dir",
        tmp.resolve("data").toString(), "--ca-provider", "vault", "--vault-addr",
        "ftp://vault:8200", "--vault-token", "s3cr3t-token");
    assertThat(bad.status()).isEqualTo(1);
    assertThat(bad.err()).contains("Vault Address must start with http:// or https://:"
        + " ftp://vault:8200").doesNotContain("s3cr3t-token");
  }

  private static String get(int port, String path) throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    return r.body();
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        throw new AssertionError(List.of(command) + " did not finish in 30 s");
      }
      return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      p.destroyForcibly();
    }
  }
}
