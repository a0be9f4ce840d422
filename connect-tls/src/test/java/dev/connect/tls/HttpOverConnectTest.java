package dev.connect.tls;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsServer;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.IntentionAction;
import dev.connect.core.SpiffeId;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The JDK's {@code HttpsServer} and {@code HttpClient} speak HTTP over Connect mTLS with no
 * system property: the client sets endpoint identification to HTTPS, which our trust manager
 * replaces with the SPIFFE ID check, and the server takes client authentication from the
 * context's default parameters.
 */
class HttpOverConnectTest extends TlsFixtureTestBase {
  HttpsServer server;
  ExecutorService executor;
  final AtomicInteger handled = new AtomicInteger();

  TlsStack stack;

  private void start(TlsStack stack) throws IOException {
    this.stack = stack;
    SSLContext db = ConnectTls.forServer(f.identity("db"))
        .authorizeWith(DefaultIntentionPolicy.ACLS_DEFAULT_DENY).stack(stack).clock(f.time)
        .sslContext();
    server = HttpsServer.create(new InetSocketAddress(Peers.LOOPBACK, 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(db));
    executor = Executors.newFixedThreadPool(2);
    server.setExecutor(executor);
    server.createContext("/", exchange -> {
      handled.incrementAndGet();
      X509Certificate peer = (X509Certificate)
          ((HttpsExchange) exchange).getSSLSession().getPeerCertificates()[0];
      byte[] body = ("hello " + SpiffeId.fromCertificate(peer)).getBytes(UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.stop(0);
      executor.shutdownNow();
    }
  }

  private HttpResponse<String> get(String self, String expected) throws Exception {
    SSLContext context = ConnectTls.forClient(f.identity(self)).expectPeer(expected)
        .stack(stack).clock(f.time).sslContext();
    HttpClient client = HttpClient.newBuilder().sslContext(context)
        .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(20)).build();
    URI uri = URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/");
    return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @ParameterizedTest
  @EnumSource(TlsStack.class)
  void allowedClientGetsAResponseThatNamesIt(TlsStack stack) throws Exception {
    start(stack);
    f.intention("web", "db", IntentionAction.ALLOW);
    HttpResponse<String> response = get("web", "db");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(
        "hello spiffe://" + f.trustDomain() + "/ns/default/dc/dc1/svc/web");
  }

  @ParameterizedTest
  @EnumSource(TlsStack.class)
  void deniedClientGetsNoResponseAndTheHandlerNeverRuns(TlsStack stack) throws Exception {
    start(stack);
    f.intention("web", "db", IntentionAction.ALLOW);
    assertThatThrownBy(() -> get("api", "db")).isInstanceOf(IOException.class);
    assertThat(handled.get()).isZero();
  }

  @ParameterizedTest
  @EnumSource(TlsStack.class)
  void clientRefusesAServerThatIsNotTheExpectedService(TlsStack stack) throws Exception {
    start(stack);
    f.intention("web", "db", IntentionAction.ALLOW);
    assertThatThrownBy(() -> get("web", "payments")).isInstanceOf(IOException.class)
        .satisfies(e -> assertThat(Peers.messages(e)).contains("peer certificate mismatch"));
    assertThat(handled.get()).isZero();
  }
}
