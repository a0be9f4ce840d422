package dev.connect.proxy;

import static dev.connect.proxy.ProxyFixture.ANY_LOOPBACK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.agent.ConnectAgent;
import dev.connect.consul.ConsulBackend;
import dev.connect.peers.ConsulAgent;
import dev.connect.peers.PeerBinaries;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our proxy and Consul's own {@code consul connect proxy} (the real binary) on one real Consul
 * dev agent reach each other both ways: our upstream listener through Consul's public listener
 * to an application, and Consul's upstream listener (discovering our proxy in Consul's catalog)
 * through our public listener to an application (issue 15).
 */
class ConsulOwnProxyInteropTest {
  private static final Duration READY = Duration.ofSeconds(60);

  @TempDir
  Path dir;
  ConsulAgent consul;
  ConsulBackend backend;
  ConnectAgent agent;
  final List<AutoCloseable> opened = new ArrayList<>();
  final List<Process> processes = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    consul = ConsulAgent.start();
    backend = ConsulBackend.builder().environment(Map.of())
        .address(consul.httpAddress().toString()).build();
    agent = ConnectAgent.builder().backend(backend)
        .defaultIntentionPolicy(backend.defaultIntentionPolicy()).build();
  }

  @AfterEach
  void stop() throws Exception {
    for (Process p : processes) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
    if (agent != null) {
      agent.close();
    }
    if (backend != null) {
      backend.close();
    }
    if (consul != null) {
      consul.close();
    }
  }

  @Test
  void ourUpstreamReachesConsulsPublicListener() throws Exception {
    EchoApp app = open(new EchoApp(false));
    int consulPublic = freePort();
    consulProxy("db-consul", "-service", "db", "-service-addr", hostPort(app.address()),
        "-listen", "127.0.0.1:" + consulPublic);
    ConnectProxy web = open(ConnectProxy.builder(agent.service("web"))
        .upstream(new Upstream("db", ANY_LOOPBACK,
            Optional.of(new InetSocketAddress("127.0.0.1", consulPublic)))).start());

    assertThat(exchangeOnceReady(web.upstreamAddress("db"), "ours to Consul's"))
        .isEqualTo("ours to Consul's");
    assertThat(web.metrics().handshakesDenied()).isZero();
  }

  @Test
  void consulsUpstreamReachesOurPublicListener() throws Exception {
    EchoApp app = open(new EchoApp(false));
    ConnectProxy db = open(ConnectProxy.builder(agent.service("db"))
        .publicListener(ANY_LOOPBACK, app.address()).start());
    register("{\"ID\":\"db-ours\",\"Name\":\"db\",\"Address\":\"127.0.0.1\",\"Port\":"
        + db.publicAddress().orElseThrow().getPort() + ",\"Connect\":{\"Native\":true}}");
    int consulUpstream = freePort();
    consulProxy("web-consul", "-service", "web", "-upstream", "db:" + consulUpstream);

    assertThat(exchangeOnceReady(new InetSocketAddress("127.0.0.1", consulUpstream),
        "Consul's to ours")).isEqualTo("Consul's to ours");
    assertThat(db.metrics().handshakesAllowed()).isPositive();
    assertThat(app.accepted.get()).isPositive();
  }

  private void consulProxy(String name, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(PeerBinaries.consul().toString(), "connect",
        "proxy", "-http-addr", consul.httpAddress().toString()));
    command.addAll(List.of(args));
    Path log = dir.resolve(name + ".log");
    processes.add(new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start());
  }

  /**
   * Consul's proxy listens once it has its leaf: until then a connection is refused or closed
   * at once. Tries for at most {@link #READY}.
   */
  private static String exchangeOnceReady(InetSocketAddress a, String text) throws Exception {
    long deadline = System.nanoTime() + READY.toNanos();
    String got = "";
    while (System.nanoTime() < deadline) {
      try {
        got = ProxyFixture.exchange(a, text);
        if (got.equals(text)) {
          return got;
        }
      } catch (IOException notYet) {
        got = notYet.toString();
      }
      Thread.onSpinWait();
    }
    return got;
  }

  private void register(String json) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        consul.httpAddress().resolve("/v1/agent/service/register"))
        .timeout(Duration.ofSeconds(20))
        .PUT(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  private <T extends AutoCloseable> T open(T c) {
    opened.add(c);
    return c;
  }

  private static String hostPort(InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

}
