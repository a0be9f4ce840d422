package dev.connect.agent;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connect.consul.ConsulBackend;
import dev.connect.peers.ConsulAgent;
import dev.connect.peers.ConsulConnectProxy;
import dev.connect.testkit.EchoServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, interop with Consul's own proxy at the application level: a Consul 1.10.4 dev agent
 * with ACLs on and default deny, service tokens only. Our native {@code web} (a {@link
 * ConnectAgent} over Consul, its client context) reaches {@code db} behind {@code consul connect
 * proxy -service db}; and {@code consul connect proxy -service web -upstream db:<port>} reaches
 * our native {@code db} (its server context), registered in Consul as a Connect-native service
 * so that Consul's proxy discovers it. Every process is stopped in {@link #stop()}.
 */
class NativeInteropWithConsulProxyTest {
  private static final int TIMEOUT_MS = 20_000; // hang guard on each socket, never asserted
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

  private static ConsulAgent consul;
  private static ConsulBackend backend;
  private static ConnectAgent agent;
  private static String management;
  private static String webToken;
  private static String dbToken;

  @BeforeAll
  static void start() throws Exception {
    consul = ConsulAgent.builder().aclsDefaultDeny().start();
    try {
      management = consul.managementToken().orElseThrow();
      // As Consul's service identities: write on the service, read on the catalog.
      webToken = serviceToken("web", "service \"web\" { policy = \"write\" }\n"
          + "service_prefix \"\" { policy = \"read\" }\nnode_prefix \"\" { policy = \"read\" }");
      dbToken = serviceToken("db", "service \"db\" { policy = \"write\" intentions = \"read\" }\n"
          + "service_prefix \"\" { policy = \"read\" }\nnode_prefix \"\" { policy = \"read\" }");
      send(management, "PUT", "/v1/connect/intentions/exact?source=web&destination=db",
          "{\"Action\":\"allow\"}");
      backend = ConsulBackend.builder().environment(Map.of())
          .address(consul.httpAddress().toString()).build();
      agent = ConnectAgent.builder().consul(backend).build();
    } catch (Exception | AssertionError e) {
      stop();
      throw e;
    }
  }

  @AfterAll
  static void stop() {
    try (ConsulAgent c = consul; ConsulBackend b = backend; ConnectAgent a = agent) {
      // closed in reverse order, each also when another fails
    }
  }

  @Test
  void ourNativeWebReachesDbBehindConsulsProxy() throws Exception {
    try (PlainEcho app = new PlainEcho();
        ConsulConnectProxy db = ConsulConnectProxy.start(hostPort(),
            port -> List.of("-token", dbToken, "-service", "db",
                "-service-addr", "127.0.0.1:" + app.port(), "-listen", "127.0.0.1:" + port))) {
      ConnectService web = agent.service("web", webToken);
      assertThat(EchoServer.echo(web.clientSslContext("db"), db.port(), "native to Consul's"))
          .isEqualTo("native to Consul's");
      assertThat(app.served).as("connections that reached the application behind the proxy")
          .isPositive();
    }
  }

  @Test
  void consulsProxyForWebReachesOurNativeDb() throws Exception {
    ConnectService db = agent.service("db", dbToken);
    try (EchoServer ours = new EchoServer(db.serverSslContext())) {
      send(dbToken, "PUT", "/v1/agent/service/register", "{\"ID\":\"db-native\",\"Name\":\"db\","
          + "\"Address\":\"127.0.0.1\",\"Port\":" + ours.port() + ",\"Connect\":{\"Native\":true}}");
      try (ConsulConnectProxy web = ConsulConnectProxy.start(hostPort(),
          port -> List.of("-token", webToken, "-service", "web", "-upstream", "db:" + port))) {
        assertThat(plainEcho(web.port(), "Consul's to native")).isEqualTo("Consul's to native");
        assertThat(ours.next()).as("what our db saw of the connection")
            .isInstanceOf(EchoServer.Ok.class);
      } finally {
        send(dbToken, "PUT", "/v1/agent/service/deregister/db-native", "");
      }
    }
  }

  private static String hostPort() {
    return consul.httpAddress().getHost() + ":" + consul.httpAddress().getPort();
  }

  /** Sends a line over plain TCP to Consul's upstream listener and returns the echo. */
  private static String plainEcho(int port, String line) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(TIMEOUT_MS);
      s.getOutputStream().write((line + "\n").getBytes(UTF_8));
      s.getOutputStream().flush();
      String reply = new BufferedReader(new InputStreamReader(s.getInputStream(), UTF_8))
          .readLine();
      if (reply == null) {
        throw new SocketException("closed without an echo through Consul's upstream listener");
      }
      return reply;
    }
  }

  /** A plain TCP echo of lines on 127.0.0.1: the application behind Consul's proxy. */
  static final class PlainEcho implements AutoCloseable {
    private final ServerSocket socket =
        new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final Thread thread = new Thread(this::run, "plain-echo");
    volatile int served;

    PlainEcho() throws IOException {
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    private void run() {
      while (!socket.isClosed()) {
        try (Socket s = socket.accept()) {
          s.setSoTimeout(TIMEOUT_MS);
          BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), UTF_8));
          OutputStream out = s.getOutputStream();
          for (String line; (line = in.readLine()) != null; ) {
            out.write((line + "\n").getBytes(UTF_8));
            out.flush();
            served++;
          }
        } catch (IOException e) {
          // closed, or a connection that failed: the test's assertions tell
        }
      }
    }

    @Override
    public void close() throws Exception {
      socket.close();
      thread.join(TIMEOUT_MS);
    }
  }

  private static String serviceToken(String name, String rules) throws Exception {
    ObjectMapper json = new ObjectMapper();
    send(management, "PUT", "/v1/acl/policy",
        json.writeValueAsString(Map.of("Name", name, "Rules", rules)));
    String token = send(management, "PUT", "/v1/acl/token",
        "{\"Policies\":[{\"Name\":\"" + name + "\"}]}");
    return json.readTree(token).path("SecretID").asText();
  }

  private static String send(String token, String method, String path, String body)
      throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(consul.httpAddress().resolve(path))
        .timeout(Duration.ofSeconds(30)).header("X-Consul-Token", token)
        .method(method, HttpRequest.BodyPublishers.ofString(body, UTF_8))
        .build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": "
          + r.body());
    }
    return r.body();
  }
}
