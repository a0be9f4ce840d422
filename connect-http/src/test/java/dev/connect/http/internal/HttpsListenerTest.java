package dev.connect.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.connect.ca.BuiltInCaProvider;
import dev.connect.ca.CaConfiguration;
import dev.connect.ca.CertificateRequest;
import dev.connect.ca.LeafRequests;
import dev.connect.consul.ConsulBackend;
import dev.connect.core.CaRoots;
import dev.connect.core.Certificates;
import dev.connect.core.QueryOptions;
import dev.connect.core.ServiceId;
import dev.connect.core.SigningId;
import dev.connect.http.ConnectHttpServer;
import dev.connect.testkit.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code connect agent --https} (issue 13): the listener presents a certificate of the agent's
 * own CA for its agent SPIFFE ID and the names clients use; a client that trusts the bundle of
 * {@code GET /v1/connect/ca/roots?pem=true} gets in (the JDK's HttpClient, {@code openssl
 * s_client}, {@code curl --cacert}, ConsulBackend with {@code CONSUL_CACERT}), one without it
 * does not; client certificates, when required, must chain to the agent's roots; the
 * certificate is renewed for new handshakes without dropping open connections.
 */
class HttpsListenerTest {
  private static final Pattern SERIAL = Pattern.compile("\"SerialNumber\":\"([^\"]+)\"");

  @TempDir Path dir;

  static HttpServerCore.Settings https(boolean requireClientCertificates) {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    return new HttpServerCore.Settings(Optional.of(new InetSocketAddress(loopback, 0)),
        Optional.of(new HttpServerCore.Https(new InetSocketAddress(loopback, 0), "node-1",
            List.of("agent.test"), List.of(), requireClientCertificates)),
        1 << 20, 1 << 20, 10_000, 200, 200, Duration.ofSeconds(5), bound -> 0L, 1);
  }

  @Test
  void clientTrustingThePrintedBundleGetsInAndAClientWithoutItIsRefused() throws Exception {
    try (AgentFixture f = new AgentFixture(dir.resolve("data"), https(false))) {
      String bundle = bundle(f);
      int port = f.server.httpsAddress().orElseThrow().getPort();
      HttpClient trusting = client(trust(bundle), null);
      for (String host : List.of("localhost", "127.0.0.1")) {
        HttpResponse<String> roots = get(trusting, "https://" + host + ":" + port
            + "/v1/agent/connect/ca/roots");
        assertThat(roots.statusCode()).as(host).isEqualTo(200);
        assertThat(roots.body()).contains("\"TrustDomain\":\"" + f.agent.trustDomain() + "\"");
      }
      X509Certificate presented = f.server.httpsCertificateChain().orElseThrow()[0];
      assertThat(presented.getSubjectAlternativeNames()).extracting(san -> (Object) san.get(1))
          .contains((Object) ("spiffe://" + f.agent.trustDomain() + "/agent/client/dc/dc1/id/node-1"),
              "localhost", "agent.test", "127.0.0.1");

      HttpClient jdkDefaults = HttpClient.newBuilder().connectTimeout(AgentFixture.GUARD).build();
      assertThatThrownBy(() -> get(jdkDefaults, "https://localhost:" + port
          + "/v1/agent/connect/ca/roots")).isInstanceOf(IOException.class);
    }
  }

  @Test
  void requiredClientCertificateRefusesNoneAndForeignOnesAndAcceptsAServiceLeaf()
      throws Exception {
    try (AgentFixture f = new AgentFixture(dir.resolve("data"), https(true))) {
      String bundle = bundle(f);
      String url = "https://localhost:" + f.server.httpsAddress().orElseThrow().getPort()
          + "/v1/agent/connect/ca/roots";

      HttpClient anonymous = client(trust(bundle), null);
      assertThatThrownBy(() -> get(anonymous, url)).isInstanceOf(IOException.class);

      // A leaf for "web" of our trust domain, but from a CA the agent never listed.
      BuiltInCaProvider forger = BuiltInCaProvider.generate(SigningId.of(f.agent.trustDomain()),
          CaConfiguration.defaults(), f.time);
      KeyPair forgedKeys = LeafRequests.newKeyPair();
      ServiceId web = ServiceId.of(f.agent.trustDomain(), "dc1", "web");
      X509Certificate forged = forger.sign(CertificateRequest.validate(
          LeafRequests.csrPem(web, forgedKeys), SigningId.of(f.agent.trustDomain()), "dc1",
          CaConfiguration.defaults()));
      HttpClient forging = client(trust(bundle), keys(forgedKeys.getPrivate(), forged));
      assertThatThrownBy(() -> get(forging, url)).isInstanceOf(IOException.class);

      // The leaf an application gets from this agent's leaf endpoint.
      HttpResponse<String> leaf = f.get("/v1/agent/connect/ca/leaf/web");
      assertThat(leaf.statusCode()).isEqualTo(200);
      List<X509Certificate> chain = Certificates.parsePem(field(leaf.body(), "CertPEM"));
      PrivateKey key = pkcs8(field(leaf.body(), "PrivateKeyPEM"));
      HttpClient service = client(trust(bundle),
          keys(key, chain.toArray(new X509Certificate[0])));
      assertThat(get(service, url).statusCode()).isEqualTo(200);
    }
  }

  /** One node name: the certificate's agent SPIFFE ID, /v1/agent/self and the catalog agree. */
  @Test
  void nodeNameOfTheCertificateIsTheOneSelfAndTheCatalogReport() throws Exception {
    try (AgentFixture f = new AgentFixture(dir.resolve("data"), https(false))) {
      HttpResponse<String> self = f.get("/v1/agent/self");
      assertThat(self.statusCode()).isEqualTo(200);
      assertThat(self.body()).contains("\"NodeName\":\"node-1\"")
          .doesNotContain("connect-agent\"");
      HttpResponse<String> registered = f.send("PUT", "/v1/agent/service/register",
          "{\"Name\":\"db\",\"Port\":5432,\"Connect\":{\"Native\":true}}");
      assertThat(registered.statusCode()).isEqualTo(200);
      HttpResponse<String> health = f.get("/v1/health/connect/db");
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).contains("\"Node\":\"node-1\"").doesNotContain("connect-agent");
      HttpResponse<String> catalog = f.get("/v1/catalog/connect/db");
      assertThat(catalog.body()).contains("\"Node\":\"node-1\"").doesNotContain("connect-agent");
    }
  }

  /** STYLE.md: a resumed session never reaches the trust manager; it is checked again. */
  @Test
  void resumedSessionOfAnExpiredClientCertificateGetsNoAnswer() throws Exception {
    try (AgentFixture f = new AgentFixture(dir.resolve("data"), https(true))) {
      int port = f.server.httpsAddress().orElseThrow().getPort();
      HttpResponse<String> leaf = f.get("/v1/agent/connect/ca/leaf/web");
      List<X509Certificate> chain = Certificates.parsePem(field(leaf.body(), "CertPEM"));
      KeyManager[] keys = keys(pkcs8(field(leaf.body(), "PrivateKeyPEM")),
          chain.toArray(new X509Certificate[0]));
      SSLContext client = clientContext(f, keys); // one context: its session cache resumes
      try (SSLSocket first = socket(client, port)) {
        assertThat(request(first)).startsWith("HTTP/1.1 200");
      }
      f.scheduler.advance(Duration.between(f.time.instant(),
          chain.get(0).getNotAfter().toInstant()).plusMinutes(1));
      assertThatThrownBy(() -> {
        try (SSLSocket resumed = socket(client, port)) {
          request(resumed);
        }
      }).isInstanceOf(IOException.class);
    }
  }

  @Test
  void opensslVerifiesTheAgentCertificateWithTheBundle() throws Exception {
    Tools.require("openssl");
    try (AgentFixture f = new AgentFixture(dir.resolve("data"), https(false))) {
      Path bundle = Files.writeString(dir.resolve("bundle.pem"), bundle(f));
      Tools.Result r = Tools.run(dir, "openssl", "s_client", "-connect",
          "127.0.0.1:" + f.server.httpsAddress().orElseThrow().getPort(),
          "-verify_return_error", "-CAfile", bundle.toString(), "-servername", "localhost",
          "-verify_hostname", "localhost");
      assertThat(r.exit()).as(r.output()).isZero();
      assertThat(r.output()).contains("Verify return code: 0 (ok)");

      Path stranger = Files.writeString(dir.resolve("stranger.pem"), Certificates.toPem(List.of(
          BuiltInCaProvider.generate(SigningId.of(f.agent.trustDomain()),
              CaConfiguration.defaults(), f.time).rootCertificate())));
      Tools.Result refused = Tools.run(dir, "openssl", "s_client", "-connect",
          "127.0.0.1:" + f.server.httpsAddress().orElseThrow().getPort(),
          "-verify_return_error", "-CAfile", stranger.toString(), "-servername", "localhost");
      assertThat(refused.exit()).as(refused.output()).isNotZero();
    }
  }

  @Test
  void curlWithTheBundleAsCacertReachesTheAgent() throws Exception {
    Tools.require("curl");
    try (AgentFixture f = new AgentFixture(dir.resolve("data"), https(false))) {
      Path bundle = Files.writeString(dir.resolve("bundle.pem"), bundle(f));
      String url = "https://localhost:" + f.server.httpsAddress().orElseThrow().getPort()
          + "/v1/connect/ca/roots";
      Tools.Result r = Tools.run(dir, "curl", "-sS", "--max-time", "20", "--cacert",
          bundle.toString(), url);
      assertThat(r.exit()).as(r.output()).isZero();
      assertThat(r.output()).contains("\"TrustDomain\":\"" + f.agent.trustDomain() + "\"");

      Tools.Result untrusted = Tools.run(dir, "curl", "-sS", "--max-time", "20", url);
      assertThat(untrusted.exit()).as(untrusted.output()).isEqualTo(60); // peer cert unverified
    }
  }

  @Test
  void consulBackendReachesTheAgentOverHttpsWithTheBundleAsConsulCacert() throws Exception {
    try (AgentFixture f = new AgentFixture(dir.resolve("data"), https(false))) {
      Path bundle = Files.writeString(dir.resolve("bundle.pem"), bundle(f));
      String https = "https://localhost:" + f.server.httpsAddress().orElseThrow().getPort();
      try (ConsulBackend backend = ConsulBackend.builder().environment(Map.of(
          "CONSUL_HTTP_ADDR", https, "CONSUL_CACERT", bundle.toString())).build()) {
        CaRoots roots = backend.roots(QueryOptions.defaults())
            .get(AgentFixture.GUARD.toSeconds(), TimeUnit.SECONDS).value();
        assertThat(roots.trustDomain()).isEqualTo(f.agent.trustDomain());
        assertThat(backend.issueLeaf("web", QueryOptions.defaults())
            .get(AgentFixture.GUARD.toSeconds(), TimeUnit.SECONDS).value().certificate()
            .service().service()).isEqualTo("web");
      }
      try (ConsulBackend withoutBundle = ConsulBackend.builder().environment(Map.of(
          "CONSUL_HTTP_ADDR", https)).build()) {
        assertThatThrownBy(() -> withoutBundle.roots(QueryOptions.defaults())
            .get(AgentFixture.GUARD.toSeconds(), TimeUnit.SECONDS))
            .hasMessageContaining(https);
      }
    }
  }

  @Test
  void renewedCertificateServesNewHandshakesWhileOpenConnectionsStayUp() throws Exception {
    try (AgentFixture f = new AgentFixture(dir.resolve("data"), https(false))) {
      int port = f.server.httpsAddress().orElseThrow().getPort();
      X509Certificate first = f.server.httpsCertificateChain().orElseThrow()[0];
      try (SSLSocket open = socket(f, port)) {
        assertThat(peer(open).getSerialNumber()).isEqualTo(first.getSerialNumber());
        assertThat(request(open)).startsWith("HTTP/1.1 200");

        // Jitter 0: renewal at 60% of the lifetime, as a service leaf in the agent cache.
        Duration lifetime = Duration.between(first.getNotBefore().toInstant(),
            first.getNotAfter().toInstant());
        f.scheduler.advance(lifetime.multipliedBy(6).dividedBy(10));
        X509Certificate renewed = f.server.httpsCertificateChain().orElseThrow()[0];
        assertThat(renewed.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
        assertThat(renewed.getNotAfter()).isAfter(first.getNotAfter());

        try (SSLSocket fresh = socket(f, port)) {
          assertThat(peer(fresh).getSerialNumber()).isEqualTo(renewed.getSerialNumber());
          assertThat(request(fresh)).startsWith("HTTP/1.1 200");
        }
        assertThat(request(open)).as("the connection opened before the renewal")
            .startsWith("HTTP/1.1 200");
        assertThat(peer(open).getSerialNumber()).isEqualTo(first.getSerialNumber());
      }
    }
  }

  @Test
  void rootRotationRenewsTheHttpsCertificateUnderTheNewRoot() throws Exception {
    try (AgentFixture f = new AgentFixture(dir.resolve("data"), https(false))) {
      X509Certificate before = f.server.httpsCertificateChain().orElseThrow()[0];
      CaRoots rotated = f.agent.ca().rotate();
      f.scheduler.runDue();
      X509Certificate after = f.server.httpsCertificateChain().orElseThrow()[0];
      assertThat(after.getSerialNumber()).isNotEqualTo(before.getSerialNumber());
      after.verify(rotated.active().certificate().getPublicKey());
      try (SSLSocket fresh = socket(f, f.server.httpsAddress().orElseThrow().getPort())) {
        assertThat(peer(fresh).getSerialNumber()).isEqualTo(after.getSerialNumber());
      }
    }
  }

  @Test
  void plainHttpOnANetworkAddressIsRefusedPointingAtHttpsWhichServesIt() throws Exception {
    try (AgentFixture f = new AgentFixture(dir.resolve("data"))) {
      InetSocketAddress network = new InetSocketAddress(InetAddress.getByName("192.0.2.10"), 8500);
      assertThatThrownBy(() -> ConnectHttpServer.builder(f.agent).address(network))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("192.0.2.10:8500").hasMessageContaining("--https");
      assertThatThrownBy(() -> ConnectHttpServer.builder(f.agent).noPlainHttp().start())
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("nothing to serve");
      assertThatThrownBy(() -> ConnectHttpServer.builder(f.agent).requireClientCertificates()
          .start()).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("no HTTPS address");

      try (ConnectHttpServer httpsOnly = ConnectHttpServer.builder(f.agent).noPlainHttp()
          .https(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).start()) {
        assertThatThrownBy(httpsOnly::address).isInstanceOf(IllegalStateException.class);
        HttpResponse<String> leader = get(client(trust(bundle(f)), null), "https://localhost:"
            + httpsOnly.httpsAddress().orElseThrow().getPort() + "/v1/status/leader");
        assertThat(leader.statusCode()).isEqualTo(200);
        assertThat(httpsOnly.toString()).startsWith("ConnectHttpServer[https://127.0.0.1:");
      }
    }
  }

  // --- helpers --------------------------------------------------------------------------------

  private static String bundle(AgentFixture f) throws Exception {
    HttpResponse<String> pem = f.get("/v1/connect/ca/roots?pem=true");
    assertThat(pem.statusCode()).isEqualTo(200);
    return pem.body();
  }

  private static TrustManager[] trust(String bundlePem) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    int i = 0;
    for (X509Certificate root : Certificates.parsePem(bundlePem)) {
      store.setCertificateEntry("root-" + i++, root);
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    return tmf.getTrustManagers();
  }

  private static KeyManager[] keys(PrivateKey key, X509Certificate... chain) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    char[] password = "test-only".toCharArray();
    store.setKeyEntry("leaf", key, password, chain);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, password);
    return kmf.getKeyManagers();
  }

  private static HttpClient client(TrustManager[] trust, KeyManager[] keys) throws Exception {
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(keys, trust, null);
    return HttpClient.newBuilder().sslContext(tls).connectTimeout(AgentFixture.GUARD).build();
  }

  private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
    // Bounded: connect and request timeouts of the client.
    return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(AgentFixture.GUARD)
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private static SSLSocket socket(AgentFixture f, int port) throws Exception {
    return socket(clientContext(f, null), port);
  }

  private static SSLContext clientContext(AgentFixture f, KeyManager[] keys) throws Exception {
    CaRoots roots = f.agent.backend().roots(QueryOptions.defaults())
        .get(AgentFixture.GUARD.toSeconds(), TimeUnit.SECONDS).value();
    SSLContext tls = SSLContext.getInstance("TLS");
    // Dated by the fake clock: the renewed certificate starts in the fake future.
    tls.init(keys, new TrustManager[] {TestCertificates.trustManager(f.time,
        roots.certificates().toArray(new X509Certificate[0]))}, null);
    return tls;
  }

  private static SSLSocket socket(SSLContext tls, int port) throws Exception {
    SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port);
    s.setSoTimeout((int) AgentFixture.GUARD.toMillis());
    s.startHandshake();
    return s;
  }

  private static X509Certificate peer(SSLSocket s) throws Exception {
    return (X509Certificate) s.getSession().getPeerCertificates()[0];
  }

  /** Sends one keep-alive request and reads its whole reply. */
  private static String request(SSLSocket s) throws IOException {
    s.getOutputStream().write(("GET /v1/status/leader HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    InputStream in = s.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed after " + head);
      }
      head.write(b);
    }
    String headers = head.toString(StandardCharsets.ISO_8859_1);
    Matcher m = Pattern.compile("(?i)content-length: (\\d+)").matcher(headers);
    int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
    byte[] body = in.readNBytes(length);
    return headers + new String(body, StandardCharsets.UTF_8);
  }

  private static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
    assertThat(m.find()).as(name + " in " + json).isTrue();
    return m.group(1).replace("\\n", "\n");
  }

  private static PrivateKey pkcs8(String pem) throws Exception {
    String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance("EC")
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
  }

  /** External tools: skipped with a message outside CI when absent, a failure with CI=true. */
  static final class Tools {
    record Result(int exit, String output) {}

    static void require(String tool) {
      boolean found = false;
      for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
          found = true;
        }
      }
      if (!found && "true".equalsIgnoreCase(System.getenv().getOrDefault("CI", "").trim())) {
        throw new IllegalStateException(tool + " is not on the PATH; .ci/run installs it."
            + " CI=true: a missing peer fails the run.");
      }
      assumeThat(found).as(tool + " is not on the PATH; skipped outside CI").isTrue();
    }

    static Result run(Path dir, String... command) throws Exception {
      Path out = Files.createTempFile(dir, "tool-", ".out");
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(
              new File("/dev/null"))).start();
      try {
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", command) + " ended")
            .isTrue();
        return new Result(p.exitValue(), Files.readString(out));
      } finally {
        p.destroyForcibly();
      }
    }
  }
}
