package dev.connect.tls;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.connect.ca.BuiltInCaProvider;
import dev.connect.ca.CaConfiguration;
import dev.connect.ca.CertificateRequest;
import dev.connect.ca.LeafRequests;
import dev.connect.cache.Leaf;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.IntentionAction;
import dev.connect.core.ServiceId;
import dev.connect.core.SigningId;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenSSL as the peer: {@code s_client} against our server with allowed, denied, expired,
 * foreign and missing client certificates; {@code s_server} as a server our client accepts only
 * when it presents the expected service. Skipped where {@code /usr/bin/openssl} is absent.
 */
class OpenSslPeersTest {
  private static final String OPENSSL = "/usr/bin/openssl";
  private static final String FOREIGN_TD = "11111111-2222-4333-8444-555555555555.consul";

  @TempDir
  Path dir;
  Path files;
  TlsFixture f;
  TlsStack stack;
  final RecordingListener events = new RecordingListener();

  @BeforeEach
  void open() throws IOException {
    assumeTrue(Files.isExecutable(Path.of(OPENSSL)), "openssl is not installed");
    files = Files.createDirectory(dir.resolve("pem"));
    f = new TlsFixture(Files.createDirectory(dir.resolve("data")));
  }

  @AfterEach
  void close() {
    if (f != null) {
      f.close();
    }
  }

  private Peers.GreetingServer dbServer() throws IOException {
    SSLContext db = ConnectTls.forServer(f.identity("db"))
        .authorizeWith(DefaultIntentionPolicy.ACLS_DEFAULT_DENY).stack(stack).clock(f.time).listener(events)
        .sslContext();
    return new Peers.GreetingServer(db, "db");
  }

  @ParameterizedTest
  @EnumSource(TlsStack.class)
  void sClientWithAnAllowedLeafGetsThrough(TlsStack stack) throws Exception {
    this.stack = stack;
    f.intention("web", "db", IntentionAction.ALLOW);
    try (Peers.GreetingServer server = dbServer()) {
      Leaf web = f.cache.leaf("web", f.request);
      String out = sClient(server.port(), write("web", web.chain(), web.privateKey()));
      assertThat(out).contains("hello from db");
      assertThat(server.next().peer().toString()).endsWith("/svc/web");
      assertThat(events.last().allowed()).isTrue();
    }
  }

  @ParameterizedTest
  @EnumSource(TlsStack.class)
  void sClientWithADeniedLeafGetsAnAlert(TlsStack stack) throws Exception {
    this.stack = stack;
    f.intention("web", "db", IntentionAction.DENY);
    try (Peers.GreetingServer server = dbServer()) {
      Leaf web = f.cache.leaf("web", f.request);
      String out = sClient(server.port(), write("web", web.chain(), web.privateKey()));
      assertThat(out).doesNotContain("hello from db").containsIgnoringCase("alert");
      assertThat(Peers.messages(server.next().failure())).contains("authz denied");
      assertThat(events.last().allowed()).isFalse();
    }
  }

  @ParameterizedTest
  @EnumSource(TlsStack.class)
  void sClientWithAnExpiredLeafGetsAnAlert(TlsStack stack) throws Exception {
    this.stack = stack;
    // A CA whose clock is ten days behind ours: its root is trusted once rotated in, and the
    // 72-hour leaf it signs expired a week ago by the trust manager's clock.
    Clock past = Clock.fixed(f.time.instant().minus(Duration.ofDays(10)), ZoneOffset.UTC);
    SigningId td = f.server.trustDomain();
    BuiltInCaProvider old = BuiltInCaProvider.generate(td, CaConfiguration.defaults(), past);
    f.runDue();
    f.server.rotateRoot(old.exportPrivateKeyPkcs8Pem(), old.rootCertificatePem(),
        TlsFixture.ROOT);
    f.runDue();
    f.intention("web", "db", IntentionAction.ALLOW);
    KeyPair keys = LeafRequests.newKeyPair();
    X509Certificate expired = old.sign(CertificateRequest.validate(
        LeafRequests.csrPem(ServiceId.of(td.trustDomain(), "dc1", "web"), keys), td, "dc1",
        CaConfiguration.defaults()));
    assertThat(expired.getNotAfter().toInstant()).isBefore(f.time.instant());
    try (Peers.GreetingServer server = dbServer()) {
      String out = sClient(server.port(), write("expired", List.of(expired), keys.getPrivate()));
      assertThat(out).doesNotContain("hello from db").containsIgnoringCase("alert");
      assertThat(Peers.messages(server.next().failure())).contains("is not valid at")
          .contains("CertificateExpiredException");
    }
  }

  @ParameterizedTest
  @EnumSource(TlsStack.class)
  void sClientWithAForeignTrustDomainLeafGetsAnAlert(TlsStack stack) throws Exception {
    this.stack = stack;
    f.intention("*", "db", IntentionAction.ALLOW);
    SigningId foreign = SigningId.of(FOREIGN_TD);
    BuiltInCaProvider ca = BuiltInCaProvider.generate(foreign, CaConfiguration.defaults(), f.time);
    KeyPair keys = LeafRequests.newKeyPair();
    X509Certificate leaf = ca.sign(CertificateRequest.validate(
        LeafRequests.csrPem(ServiceId.of(FOREIGN_TD, "dc1", "web"), keys), foreign, "dc1",
        CaConfiguration.defaults()));
    try (Peers.GreetingServer server = dbServer()) {
      String out = sClient(server.port(), write("foreign", List.of(leaf), keys.getPrivate()));
      assertThat(out).doesNotContain("hello from db").containsIgnoringCase("alert");
      assertThat(Peers.messages(server.next().failure()))
          .contains("does not lead to a trusted root");
    }
  }

  @ParameterizedTest
  @EnumSource(TlsStack.class)
  void sClientWithoutACertificateGetsAnAlert(TlsStack stack) throws Exception {
    this.stack = stack;
    f.intention("*", "db", IntentionAction.ALLOW);
    try (Peers.GreetingServer server = dbServer()) {
      String out = sClient(server.port(), List.of());
      assertThat(out).doesNotContain("hello from db").containsIgnoringCase("alert");
      assertThat(server.next().ok()).isFalse();
      assertThat(events.events).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(TlsStack.class)
  void sServerIsAcceptedOnlyWhenItPresentsTheExpectedService(TlsStack stack) throws Exception {
    this.stack = stack;
    Leaf db = f.cache.leaf("db", f.request);
    List<String> dbFiles = write("db", db.chain(), db.privateKey());
    SSLContext expectsDb = ConnectTls.forClient(f.identity("web")).expectPeer("db").stack(stack)
        .clock(f.time).sslContext();
    SSLContext expectsApi = ConnectTls.forClient(f.identity("web")).expectPeer("api").stack(stack)
        .clock(f.time).sslContext();
    try (SServer server = new SServer(dbFiles)) {
      assertThat(httpGet(expectsDb, server.port)).startsWith("HTTP/1.0 200");
    }
    try (SServer server = new SServer(dbFiles)) {
      assertThatThrownBy(() -> httpGet(expectsApi, server.port))
          .isInstanceOf(IOException.class)
          .satisfies(e -> assertThat(Peers.messages(e)).contains("peer certificate mismatch")
              .contains("/svc/db").contains("want service api"));
    }
  }

  // --- helpers ---------------------------------------------------------------------------------

  /** Writes the chain, its key and the roots; returns the s_client/s_server options for them. */
  private List<String> write(String name, List<X509Certificate> chain, PrivateKey key)
      throws Exception {
    Path cert = files.resolve(name + ".pem");
    Files.writeString(cert, TlsFixture.pem("CERTIFICATE", chain.get(0).getEncoded()), US_ASCII);
    StringBuilder rest = new StringBuilder();
    for (X509Certificate c : chain.subList(1, chain.size())) {
      rest.append(TlsFixture.pem("CERTIFICATE", c.getEncoded()));
    }
    Path keyFile = files.resolve(name + ".key");
    // Test material only: the key is written so that OpenSSL can present it.
    Files.writeString(keyFile, TlsFixture.pem("PRIVATE KEY", key.getEncoded()), US_ASCII);
    List<String> opts = new ArrayList<>(List.of("-cert", cert.toString(), "-key",
        keyFile.toString()));
    if (rest.length() > 0) {
      Path extra = files.resolve(name + "-chain.pem");
      Files.writeString(extra, rest, US_ASCII);
      opts.addAll(List.of("-cert_chain", extra.toString()));
    }
    return opts;
  }

  /** Runs s_client until the server closes; returns stdout and stderr together. */
  private String sClient(int port, List<String> identity) throws Exception {
    Path roots = f.writeRoots(files.resolve("roots.pem"));
    List<String> cmd = new ArrayList<>(List.of(OPENSSL, "s_client", "-connect",
        "127.0.0.1:" + port, "-tls1_3", "-CAfile", roots.toString(), "-verify_return_error",
        "-quiet"));
    cmd.addAll(identity);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectInput(new File("/dev/null")).start();
    try {
      CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p));
      return out.get(30, TimeUnit.SECONDS); // hang guard
    } finally {
      p.destroy();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static String readAll(Process p) {
    try {
      return new String(p.getInputStream().readAllBytes(), UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** {@code openssl s_server -www} requiring a client certificate, for one connection. */
  private final class SServer implements AutoCloseable {
    final Process process;
    final int port;

    SServer(List<String> identity) throws Exception {
      Path roots = f.writeRoots(files.resolve("roots.pem"));
      List<String> cmd = new ArrayList<>(List.of(OPENSSL, "s_server", "-accept", "127.0.0.1:0",
          "-tls1_3", "-CAfile", roots.toString(), "-Verify", "1", "-verify_return_error",
          "-naccept", "1", "-www"));
      cmd.addAll(identity);
      process = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectInput(new File("/dev/null")).start();
      BufferedReader lines = new BufferedReader(
          new InputStreamReader(process.getInputStream(), UTF_8));
      String accept = CompletableFuture.supplyAsync(() -> {
        try {
          for (String line; (line = lines.readLine()) != null; ) {
            if (line.startsWith("ACCEPT ")) {
              return line;
            }
          }
          return "exited";
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).get(30, TimeUnit.SECONDS);
      assertThat(accept).startsWith("ACCEPT ");
      port = Integer.parseInt(accept.substring(accept.lastIndexOf(':') + 1).trim());
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static String httpGet(SSLContext context, int port) throws IOException {
    try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.setSoTimeout(Peers.TIMEOUT_MS);
      s.startHandshake();
      s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(US_ASCII));
      s.getOutputStream().flush();
      return new BufferedReader(new InputStreamReader(s.getInputStream(), US_ASCII)).readLine();
    }
  }
}
