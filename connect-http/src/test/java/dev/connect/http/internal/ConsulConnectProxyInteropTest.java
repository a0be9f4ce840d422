package dev.connect.http.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connect.peers.ConsulConnectProxy;
import dev.connect.peers.FreePorts;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consul's own built-in proxy ({@code consul connect proxy}, the real 1.10.4 binary from {@code
 * ../shared/peers/}) pointed at {@code connect agent} (issue 13): a {@code db} proxy in front of
 * an echo server and a {@code web} proxy with {@code db} as upstream, each making the calls the
 * samples' {@code connect-proxy-observed-agent-calls.json} records (roots, leaf, blocking reads,
 * {@code /v1/health/connect/db?connect=true&passing=1&stale=}, authorize). Bytes pass web → db;
 * a root rotation through {@code PUT /v1/connect/ca/configuration} breaks no established
 * connection and new ones still work; a deny written through our HTTP API stops new ones.
 *
 * <p>Skipped without a Consul binary outside CI ({@code PeerBinaries}). The proxies are real
 * processes on real time: every wait on them is a bounded poll on connecting, never a sleep.
 */
class ConsulConnectProxyInteropTest {
  private static final Duration BOUND = Duration.ofSeconds(60);

  @TempDir Path dir;

  private ServerSocket echo;
  private ExecutorService echoThreads;

  @BeforeEach
  void startEcho() throws IOException {
    echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    echoThreads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "echo");
      t.setDaemon(true);
      return t;
    });
    echoThreads.execute(() -> {
      while (!echo.isClosed()) {
        try {
          Socket s = echo.accept();
          echoThreads.execute(() -> {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
              in.transferTo(out);
            } catch (IOException e) {
              // the peer went away: nothing to echo
            }
          });
        } catch (IOException e) {
          return; // closed
        }
      }
    });
  }

  @AfterEach
  void stopEcho() throws Exception {
    echo.close();
    echoThreads.shutdownNow();
    assertThat(echoThreads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void consulConnectProxyCarriesWebToDbThroughOurAgentSurvivesRotationAndObeysADeny()
      throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      String agent = "127.0.0.1:" + f.server.address().getPort();
      try (ConsulConnectProxy db = ConsulConnectProxy.start(agent, port -> List.of(
              "-service", "db", "-service-addr", "127.0.0.1:" + echo.getLocalPort(),
              "-listen", "127.0.0.1:" + port))) {
        HttpResponse<String> reg = f.send("PUT", "/v1/agent/service/register",
            "{\"ID\":\"db-1\",\"Name\":\"db\",\"Address\":\"127.0.0.1\",\"Port\":"
                + echo.getLocalPort() + ",\"Connect\":{\"SidecarService\":{\"Port\":"
                + db.port() + "}}}");
        assertThat(reg.statusCode()).as(reg.body()).isEqualTo(200);
        try (ConsulConnectProxy web = ConsulConnectProxy.start(agent,
            port -> List.of("-service", "web", "-upstream", "db:" + port))) {
          // Bytes pass web -> db once both proxies have their leaves.
          poll("a first echo through web -> db", () -> echoes(web.port(), "first"), db, web);
          try (Socket established = connect(web.port())) {
            assertThat(roundTrip(established, "before rotation")).isTrue();

            HttpResponse<String> rotate = f.send("PUT", "/v1/connect/ca/configuration",
                "{\"Provider\":\"consul\",\"Config\":{\"LeafCertTTL\":\"72h\"}}");
            assertThat(rotate.statusCode()).as(rotate.body()).isEqualTo(200);
            // The agent cache learns the new root and re-issues leaves within its jitter;
            // the proxies' blocking roots and leaf reads return with them.
            f.scheduler.runDue();
            f.scheduler.advance(Duration.ofSeconds(31));

            X509Certificate newRoot = activeRoot(f);
            poll("the db proxy serving a leaf issued by the new root",
                () -> servedLeaf(db.port()).map(leaf -> signedBy(leaf, newRoot)).orElse(false),
                db, web);
            assertThat(roundTrip(established, "after rotation"))
                .as("the connection established before the rotation still carries bytes")
                .isTrue();
            poll("a new echo through web -> db after the rotation",
                () -> echoes(web.port(), "after rotation"), db, web);
          }

          HttpResponse<String> deny = f.send("PUT",
              "/v1/connect/intentions/exact?source=web&destination=db", "{\"Action\":\"deny\"}");
          assertThat(deny.statusCode()).as(deny.body()).isEqualTo(200);
          poll("new connections web -> db refused after the deny", () -> {
            f.scheduler.runDue();
            return !echoes(web.port(), "after deny");
          }, db, web);
          // And it stays refused: the deny is not a transient failure.
          assertThat(echoes(web.port(), "still denied")).isFalse();
        }
      }
    }
  }

  /**
   * {@code -sidecar-for api-1}: the proxy finds its registration through {@code
   * /v1/agent/services} and {@code /v1/agent/service/api-1-sidecar-proxy}, then follows it with
   * {@code ?hash=} blocking reads: an upstream added by registering api-1 again opens a new
   * listener without a restart.
   */
  @Test
  void consulConnectProxySidecarForFollowsTheRegistrationThroughContentHashBlocking()
      throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      String agent = "127.0.0.1:" + f.server.address().getPort();
      try (ConsulConnectProxy db = ConsulConnectProxy.start(agent, port -> List.of(
              "-service", "db", "-service-addr", "127.0.0.1:" + echo.getLocalPort(),
              "-listen", "127.0.0.1:" + port))) {
        assertThat(f.send("PUT", "/v1/agent/service/register", "{\"ID\":\"db-1\",\"Name\":"
            + "\"db\",\"Address\":\"127.0.0.1\",\"Port\":" + echo.getLocalPort()
            + ",\"Connect\":{\"SidecarService\":{\"Port\":" + db.port() + "}}}")
            .statusCode()).isEqualTo(200);
        int[] ports = FreePorts.pick(2); // the sidecar's public port, a second upstream port
        try (ConsulConnectProxy api = ConsulConnectProxy.start(agent, port -> {
          register(f, apiWithUpstreams(ports[0], port));
          return List.of("-sidecar-for", "api-1");
        })) {
          poll("an echo through api -> db", () -> echoes(api.port(), "sidecar"), db, api);

          register(f, apiWithUpstreams(ports[0], api.port(), ports[1]));
          poll("an echo through the upstream added by registering again",
              () -> echoes(ports[1], "second upstream"), db, api);
        }
      }
    }
  }

  private static String apiWithUpstreams(int publicPort, int... upstreamPorts) {
    StringBuilder upstreams = new StringBuilder();
    for (int p : upstreamPorts) {
      upstreams.append(upstreams.length() == 0 ? "" : ",").append("{\"DestinationName\":"
          + "\"db\",\"LocalBindAddress\":\"127.0.0.1\",\"LocalBindPort\":" + p + "}");
    }
    return "{\"ID\":\"api-1\",\"Name\":\"api\",\"Address\":\"127.0.0.1\",\"Port\":9,"
        + "\"Connect\":{\"SidecarService\":{\"Port\":" + publicPort
        + ",\"Proxy\":{\"Upstreams\":[" + upstreams + "]}}}}";
  }

  private static void register(AgentFixture f, String body) {
    try {
      HttpResponse<String> r = f.send("PUT", "/v1/agent/service/register", body);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    } catch (Exception e) {
      throw new AssertionError("registering " + body, e);
    }
  }

  private static X509Certificate activeRoot(AgentFixture f) throws Exception {
    JsonNode roots = new ObjectMapper().readTree(f.get("/v1/connect/ca/roots").body());
    for (JsonNode root : roots.get("Roots")) {
      if (root.get("Active").asBoolean()) {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
            new ByteArrayInputStream(root.get("RootCert").asText().getBytes(US_ASCII)));
      }
    }
    throw new AssertionError("no active root: " + roots);
  }

  private static boolean signedBy(X509Certificate leaf, X509Certificate root) {
    try {
      leaf.verify(root.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /**
   * The leaf a proxy's public listener presents, read from a TLS 1.3 handshake that offers no
   * client certificate (the proxy then refuses it, after sending its own).
   */
  private static Optional<X509Certificate> servedLeaf(int port) {
    AtomicReference<X509Certificate> seen = new AtomicReference<>();
    X509TrustManager capture = new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {
        throw new UnsupportedOperationException("client side only");
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {
        seen.set(chain[0]);
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    try {
      SSLContext tls = SSLContext.getInstance("TLSv1.3");
      tls.init(null, new TrustManager[] {capture}, null);
      try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        s.setSoTimeout(2000);
        s.startHandshake();
      }
    } catch (IOException | GeneralSecurityException e) {
      // refused for want of a client certificate, after the server's was seen
    }
    return Optional.ofNullable(seen.get());
  }

  /** Asks {@code condition} until it holds, for at most {@link #BOUND}, quoting the proxies. */
  private static void poll(String what, BooleanSupplier condition, ConsulConnectProxy... procs) {
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        StringBuilder logs = new StringBuilder();
        for (ConsulConnectProxy p : procs) {
          logs.append("\n--- ").append(p).append(":\n").append(p.logTail(30));
        }
        throw new AssertionError("no " + what + " within " + BOUND + logs);
      }
      for (ConsulConnectProxy p : procs) {
        assertThat(p.isAlive()).as(p + " runs:\n" + p.logTail(30)).isTrue();
      }
      // Each try is itself bounded by its socket timeout; no sleep between tries.
    }
  }

  /** Whether a new connection to the upstream listener echoes a line back. */
  private static boolean echoes(int port, String text) {
    try (Socket s = connect(port)) {
      return roundTrip(s, text);
    } catch (IOException e) {
      return false;
    }
  }

  private static Socket connect(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
    s.setSoTimeout(2000);
    return s;
  }

  /** Writes a line and reads it back; false when the connection is closed or times out. */
  private static boolean roundTrip(Socket s, String text) {
    byte[] line = (text + "\n").getBytes(US_ASCII);
    try {
      s.getOutputStream().write(line);
      s.getOutputStream().flush();
      byte[] back = s.getInputStream().readNBytes(line.length);
      return new String(back, US_ASCII).equals(text + "\n");
    } catch (SocketException e) {
      return false;
    } catch (IOException e) {
      return false;
    }
  }
}
