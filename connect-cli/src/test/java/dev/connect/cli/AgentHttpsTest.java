package dev.connect.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.cli.ConnectCliTest.Run;
import dev.connect.core.Certificates;
import java.io.BufferedReader;
import java.io.IOException;
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
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code connect agent --https} (issue 13): a real agent process serves HTTPS with a certificate
 * of its own CA, requires client certificates with {@code --verify-incoming}, and plain HTTP on
 * a network address is refused with a message that points at {@code --https}.
 */
class AgentHttpsTest {
  private static final Duration GUARD = Duration.ofSeconds(20);

  @TempDir Path tmp;

  @Test
  void plainHttpOnANetworkAddressIsRefusedPointingAtHttps() {
    Run r = ConnectCliTest.run("agent", "--data-dir", tmp.resolve("d").toString(), "--http",
        "0.0.0.0:8500");
    assertThat(r.status()).isNotZero();
    assertThat(r.err()).contains("--http 0.0.0.0:8500").contains("loopback")
        .contains("--https").doesNotContain("\tat ");
  }

  @Test
  void httpsOptionsWithoutHttpsAreRefused() {
    Run r = ConnectCliTest.run("agent", "--data-dir", tmp.resolve("d").toString(),
        "--verify-incoming");
    assertThat(r.status()).isNotZero();
    assertThat(r.err()).contains("need --https");
    Run ip = ConnectCliTest.run("agent", "--data-dir", tmp.resolve("d").toString(),
        "--https", "127.0.0.1:0", "--https-ip-san", "agent.example.com");
    assertThat(ip.status()).isNotZero();
    assertThat(ip.err()).contains("--https-ip-san must be an IPv4 or IPv6 address, not"
        + " agent.example.com");
  }

  @Test
  void agentProcessServesHttpsAndRequiresAServiceLeafWithVerifyIncoming() throws Exception {
    int http = freePort();
    int https = freePort();
    Path stderr = tmp.resolve("agent.err");
    Process agent = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-cp", System.getProperty("java.class.path"), ConnectCli.class.getName(),
        "agent", "--data-dir", tmp.resolve("data").toString(), "--http", "127.0.0.1:" + http,
        "--https", "127.0.0.1:" + https, "--https-dns-san", "agent.test", "--verify-incoming")
        .redirectError(stderr.toFile()).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(agent.getInputStream(),
          StandardCharsets.UTF_8));
      List<String> lines = CompletableFuture.supplyAsync(() -> {
        List<String> seen = new ArrayList<>();
        try {
          for (String line = out.readLine(); line != null; line = out.readLine()) {
            seen.add(line);
            if (line.startsWith("Serving HTTPS on ")) {
              break;
            }
          }
          return seen;
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).get(120, TimeUnit.SECONDS);
      assertThat(lines).as(Files.readString(stderr)).contains(
          "Serving HTTP on http://127.0.0.1:" + http,
          "Serving HTTPS on https://127.0.0.1:" + https + " (client certificates required)");

      HttpClient plain = HttpClient.newBuilder().connectTimeout(GUARD).build();
      String bundle = get(plain, "http://127.0.0.1:" + http + "/v1/connect/ca/roots?pem=true")
          .body();
      String leaf = get(plain, "http://127.0.0.1:" + http + "/v1/agent/connect/ca/leaf/web")
          .body();
      String url = "https://localhost:" + https + "/v1/agent/connect/ca/roots";

      assertThatThrownBy(() -> get(tls(bundle, null), url)).isInstanceOf(IOException.class);
      HttpResponse<String> withLeaf = get(tls(bundle, leaf), url);
      assertThat(withLeaf.statusCode()).isEqualTo(200);
      assertThat(withLeaf.body()).contains("\"TrustDomain\":\"");

      agent.destroy(); // SIGTERM
      assertThat(agent.waitFor(60, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
      assertThat(agent.exitValue()).as(Files.readString(stderr)).isEqualTo(143);
    } finally {
      agent.destroyForcibly();
      agent.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return free.getLocalPort();
    }
  }

  private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(GUARD).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A client trusting the bundle, presenting the leaf JSON's certificate and key if given. */
  private static HttpClient tls(String bundle, String leafJson) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    int i = 0;
    for (X509Certificate root : Certificates.parsePem(bundle)) {
      trust.setCertificateEntry("root-" + i++, root);
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = null;
    if (leafJson != null) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      char[] password = "test-only".toCharArray();
      String keyPem = field(leafJson, "PrivateKeyPEM");
      keys.setKeyEntry("leaf", KeyFactory.getInstance("EC").generatePrivate(
          new PKCS8EncodedKeySpec(Base64.getDecoder().decode(keyPem
              .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "")))), password,
          Certificates.parsePem(field(leafJson, "CertPEM")).toArray(new X509Certificate[0]));
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, password);
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(context).connectTimeout(GUARD).build();
  }

  private static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
    assertThat(m.find()).as(name + " in " + json).isTrue();
    return m.group(1).replace("\\n", "\n");
  }
}
