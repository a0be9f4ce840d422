package dev.connect.proxy;

import static dev.connect.proxy.ProxyFixture.ANY_LOOPBACK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.connect.agent.ConnectService;
import dev.connect.ca.LeafRequests;
import dev.connect.cache.Leaf;
import dev.connect.core.Certificates;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code openssl s_client}, a process that knows nothing of Connect, presents a leaf to the
 * proxy's public listener: an allowed leaf reaches the local echo application through the
 * proxy; a leaf whose service an intention denies is refused in the handshake and the
 * application never sees a connection (issue 15).
 */
class OpenSslClientThroughPublicListenerTest {
  private static final Path OPENSSL = Path.of("/usr/bin/openssl");

  @TempDir
  Path dir;
  ProxyFixture f;

  @BeforeEach
  void open() throws Exception {
    assumeTrue(Files.isExecutable(OPENSSL), "openssl is not installed");
    f = new ProxyFixture(Files.createDirectory(dir.resolve("data")));
  }

  @AfterEach
  void close() {
    if (f != null) {
      f.close();
    }
  }

  @ParameterizedTest
  @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
  void anAllowedLeafReachesTheApplication(SslProvider provider) throws Exception {
    assumeTrue(provider == SslProvider.JDK || OpenSsl.isAvailable());
    EchoApp app = f.app(true);
    ConnectProxy db = f.open(ConnectProxy.builder(f.agent.service("db")).provider(provider)
        .publicListener(ANY_LOOPBACK, app.address()).start());

    String out = sClient(db, f.agent.service("web"), "hello through the proxy\n");

    assertThat(out).contains("hello through the proxy");
    assertThat(app.accepted).hasValue(1);
    assertThat(db.metrics().handshakesAllowed()).isEqualTo(1);
    assertThat(db.metrics().handshakesDenied()).isZero();
  }

  @ParameterizedTest
  @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
  void aDeniedLeafIsRefusedAndNeverReachesTheApplication(SslProvider provider)
      throws Exception {
    assumeTrue(provider == SslProvider.JDK || OpenSsl.isAvailable());
    EchoApp app = f.app(true);
    ConnectProxy db = f.open(ConnectProxy.builder(f.agent.service("db")).provider(provider)
        .publicListener(ANY_LOOPBACK, app.address()).start());
    f.scheduler.runDue(); // the cache's blocking query on db's intentions is waiting
    f.agent.intentions().deny("web", "db");
    f.scheduler.runDue(); // ...and returns with the deny

    String out = sClient(db, f.agent.service("web"), "must not pass\n");

    assertThat(out).doesNotContain("must not pass");
    assertThat(app.accepted).hasValue(0);
    assertThat(db.awaitIdle(java.time.Duration.ofSeconds(10))).isTrue();
    ProxyMetrics m = db.metrics();
    assertThat(m.handshakesAllowed()).isZero();
    assertThat(m.handshakesDenied()).isEqualTo(1);
    assertThat(m.deniedReasons().keySet()).singleElement().satisfies(r -> assertThat(r)
        .startsWith("connect: authz denied: Matched L4 intention: default/web => default/db"));
    assertThat(m.bytesInbound()).isZero();
  }

  /** Runs s_client with the service's leaf, sends {@code input}, returns what it printed. */
  private String sClient(ConnectProxy proxy, ConnectService client, String input)
      throws IOException, InterruptedException {
    Leaf leaf = client.leaf();
    Path cert = Files.writeString(dir.resolve(client.name() + ".pem"),
        Certificates.toPem(leaf.chain()));
    Path key = Files.writeString(dir.resolve(client.name() + "-key.pem"),
        LeafRequests.exportPrivateKeyPkcs8Pem(leaf.privateKey()));
    Path roots = Files.writeString(dir.resolve("roots.pem"),
        Certificates.toPem(client.roots().certificates()));
    int port = proxy.publicAddress().orElseThrow().getPort();
    Path output = dir.resolve("s_client.out");
    Process p = new ProcessBuilder(List.of(OPENSSL.toString(), "s_client", "-quiet",
        "-connect", "127.0.0.1:" + port, "-cert", cert.toString(), "-key", key.toString(),
        "-CAfile", roots.toString(), "-verify_return_error"))
        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    try {
      try (OutputStream in = p.getOutputStream()) {
        in.write(input.getBytes(StandardCharsets.UTF_8));
      }
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("s_client ended").isTrue();
      return Files.readString(output);
    } finally {
      p.destroyForcibly();
    }
  }
}
