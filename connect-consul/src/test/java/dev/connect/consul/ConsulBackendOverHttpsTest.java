package dev.connect.consul;

import static dev.connect.consul.ConsulBackendAgainstConsulTest.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.CaRoots;
import dev.connect.core.QueryOptions;
import dev.connect.peers.ConsulAgent;
import dev.connect.peers.FreePorts;
import dev.connect.peers.PeerBinaries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: {@link ConsulBackend} over HTTPS against a real Consul 1.10.4 dev agent that requires
 * client certificates ({@code verify_incoming_https}), with certificates made by Consul's own
 * {@code consul tls} commands: a CA file ({@code CONSUL_CACERT}) and a client certificate
 * ({@code CONSUL_CLIENT_CERT}, {@code CONSUL_CLIENT_KEY}) reach it; without the client
 * certificate, or without trusting Consul's CA, the request fails naming the endpoint; with
 * verification off ({@code CONSUL_HTTP_SSL_VERIFY=false}) an unknown CA is accepted.
 */
class ConsulBackendOverHttpsTest {
  @TempDir static Path certs;
  private static ConsulAgent consul;
  private static String https;
  private static String trustDomain;

  @BeforeAll
  static void start() throws Exception {
    consulTls("ca", "create");
    consulTls("cert", "create", "-server", "-dc", "dc1");
    consulTls("cert", "create", "-client", "-dc", "dc1");
    int port = FreePorts.pick(1)[0];
    consul = ConsulAgent.builder().hcl("ports { https = " + port + " }\n"
        + "ca_file = \"" + certs.resolve("consul-agent-ca.pem") + "\"\n"
        + "cert_file = \"" + certs.resolve("dc1-server-consul-0.pem") + "\"\n"
        + "key_file = \"" + certs.resolve("dc1-server-consul-0-key.pem") + "\"\n"
        + "verify_incoming_https = true").start();
    https = "https://127.0.0.1:" + port;
    try (ConsulBackend plain = ConsulBackendAgainstConsulTest.backendFor(consul)) {
      trustDomain = get(plain.roots(QueryOptions.defaults())).value().trustDomain();
    }
  }

  @AfterAll
  static void stop() {
    if (consul != null) {
      consul.close();
    }
  }

  /** Runs {@code consul tls ...} in the certificate directory, bounded in time. */
  private static void consulTls(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(PeerBinaries.consul().toString(),
        "tls"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(certs.toFile()).redirectErrorStream(true)
        .redirectOutput(certs.resolve("consul-tls.log").toFile()).start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(command + " failed: "
            + Files.readString(certs.resolve("consul-tls.log")));
      }
    } finally {
      p.destroyForcibly();
    }
  }

  private static Map<String, String> env(String... pairs) {
    Map<String, String> env = new java.util.HashMap<>();
    env.put("CONSUL_HTTP_ADDR", https);
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], certs.resolve(pairs[i + 1]).toString());
    }
    return env;
  }

  @Test
  void aCaFileAndAClientCertificateFromTheEnvironmentReachConsulOverHttps() throws Exception {
    try (ConsulBackend backend = ConsulBackend.builder().environment(env(
        "CONSUL_CACERT", "consul-agent-ca.pem",
        "CONSUL_CLIENT_CERT", "dc1-client-consul-0.pem",
        "CONSUL_CLIENT_KEY", "dc1-client-consul-0-key.pem")).build()) {
      assertThat(backend.address().toString()).isEqualTo(https + "/");
      CaRoots roots = get(backend.roots(QueryOptions.defaults())).value();
      assertThat(roots.trustDomain()).isEqualTo(trustDomain);
      assertThat(get(backend.issueLeaf("web", QueryOptions.defaults())).value().certificate()
          .service().trustDomain()).isEqualTo(trustDomain);
    }
  }

  @Test
  void withoutTheClientCertificateConsulRefusesTheConnection() throws Exception {
    try (ConsulBackend backend = ConsulBackend.builder()
        .environment(env("CONSUL_CACERT", "consul-agent-ca.pem")).build()) {
      assertThatThrownBy(() -> get(backend.roots(QueryOptions.defaults())))
          .isInstanceOf(ConsulHttpException.class)
          .hasMessageStartingWith("GET " + https + "/v1/agent/connect/ca/roots failed: ")
          .satisfies(e -> assertThat(((ConsulHttpException) e).status()).isEmpty());
    }
  }

  @Test
  void consulsCaIsRefusedUntilTrustedOrVerificationIsOff() throws Exception {
    try (ConsulBackend backend = ConsulBackend.builder().environment(env(
        "CONSUL_CLIENT_CERT", "dc1-client-consul-0.pem",
        "CONSUL_CLIENT_KEY", "dc1-client-consul-0-key.pem")).build()) {
      assertThatThrownBy(() -> get(backend.roots(QueryOptions.defaults())))
          .isInstanceOf(ConsulHttpException.class)
          .hasMessageStartingWith("GET " + https + "/v1/agent/connect/ca/roots failed: TLS"
              + " failure: ");
    }
    Map<String, String> off = env("CONSUL_CLIENT_CERT", "dc1-client-consul-0.pem",
        "CONSUL_CLIENT_KEY", "dc1-client-consul-0-key.pem");
    off.put("CONSUL_HTTP_SSL_VERIFY", "false");
    try (ConsulBackend backend = ConsulBackend.builder().environment(off).build()) {
      assertThat(get(backend.roots(QueryOptions.defaults())).value().trustDomain())
          .isEqualTo(trustDomain);
    }
  }

  @Test
  void aCaFileThatIsNotPemIsRefusedNamingIt() throws Exception {
    Path bogus = Files.writeString(certs.resolve("not-a-ca.pem"), "hello");
    assertThatThrownBy(() -> ConsulBackend.builder().environment(Map.of("CONSUL_HTTP_ADDR",
        https, "CONSUL_CACERT", bogus.toString())).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CONSUL_CACERT " + bogus);
  }
}
