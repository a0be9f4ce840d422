package dev.connect.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsServer;
import dev.connect.agent.ConnectAgent;
import dev.connect.agent.ConnectService;
import dev.connect.core.SpiffeId;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * HTTP over Connect mutual TLS with nothing but the JDK: {@code db} serves with {@link
 * HttpsServer} configured by {@link ConnectService#serverSslContext()}, and {@code web} calls it
 * with a {@link HttpClient} built on {@link ConnectService#clientSslContext(String)
 * clientSslContext("db")}. The handler answers with the caller's SPIFFE ID, read from the TLS
 * session.
 *
 * <pre>{@code
 * try (HttpsExample.DbServer db = HttpsExample.DbServer.start(agent.service("db"))) {
 *   HttpClient web = HttpsExample.client(agent.service("web"));
 *   HttpsExample.whoAmI(web, db.address());
 *   // "you are spiffe://<trust domain>/ns/default/dc/dc1/svc/web"
 * }
 * }</pre>
 *
 * <p>What to notice:
 *
 * <ul>
 *   <li>{@code new HttpsConfigurator(context)} is enough: the context's default parameters
 *       already require a client certificate and TLS 1.3, and {@code HttpsServer} applies them.
 *   <li>The caller's identity is {@link SpiffeId#fromCertificate} of the first peer certificate
 *       of {@link HttpsExchange#getSSLSession()}; it was authorized before the handler ran, so
 *       the handler only needs it for logging or finer decisions. (The session reports {@code
 *       isValid() == false}: Connect server contexts refuse resumption, so every connection is
 *       authorized afresh.)
 *   <li>{@code HttpClient} turns on HTTPS hostname verification by itself; the Connect trust
 *       manager replaces it with the check that the server is {@code db}, so no system property
 *       is needed, and the URL may say {@code 127.0.0.1}.
 *   <li>A caller the intentions deny gets an {@link IOException} and no response; the handler
 *       never runs. {@code HttpClient} may retry a refused {@code GET} once on a new
 *       connection, so db's handshake listeners can see the refusal twice.
 *   <li>{@code HttpClient} keeps connections alive and intentions are checked per connection:
 *       after a deny, a client keeps the connections it already has until they close. Build
 *       clients once per upstream, and expect a deny to reach new connections only.
 * </ul>
 */
public final class HttpsExample {
  /** How long a connection or a request may take: 10 seconds. */
  public static final Duration TIMEOUT = Duration.ofSeconds(10);

  private HttpsExample() {}

  /**
   * Runs the example: {@code web} asks {@code db} who it is and prints the answer.
   *
   * @param args the data directory of the agent's embedded server, such as {@code connect-data}
   * @throws Exception if the call fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: HttpsExample <data directory>");
    }
    try (ConnectAgent agent = ConnectAgent.builder().dataDirectory(Path.of(args[0])).build();
        DbServer db = DbServer.start(agent.service("db"))) {
      HttpClient web = client(agent.service("web"));
      System.out.println("db says: " + whoAmI(web, db.address()));
    }
  }

  /**
   * Returns an HTTP client that calls {@code db} as {@code service}. Build it once and share it.
   *
   * @param service the calling service, such as {@code web}
   * @return the client
   */
  public static HttpClient client(ConnectService service) {
    return HttpClient.newBuilder()
        .sslContext(service.clientSslContext("db"))
        .version(HttpClient.Version.HTTP_1_1) // the JDK's HttpsServer speaks HTTP/1.1 only
        .connectTimeout(TIMEOUT)
        .build();
  }

  /**
   * Sends {@code GET /whoami} to db and returns the body of the answer.
   *
   * @param client a client from {@link #client}
   * @param db db's address
   * @return the body, {@code you are <caller's SPIFFE ID>}
   * @throws IOException if db refuses the connection or the request fails
   * @throws InterruptedException if interrupted while waiting for the answer
   */
  public static String whoAmI(HttpClient client, InetSocketAddress db)
      throws IOException, InterruptedException {
    URI uri = URI.create("https://" + db.getHostString() + ":" + db.getPort() + "/whoami");
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).build();
    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET " + uri + " answered " + response.statusCode());
    }
    return response.body();
  }

  /** {@code db}'s HTTPS server on 127.0.0.1 and an ephemeral port, with two handler threads. */
  public static final class DbServer implements AutoCloseable {
    private final HttpsServer server;
    private final ExecutorService handlers;

    private DbServer(HttpsServer server, ExecutorService handlers) {
      this.server = server;
      this.handlers = handlers;
    }

    /**
     * Starts serving {@code GET /whoami} with {@code service}'s server context.
     *
     * @param service the serving service, such as {@code db}
     * @return the running server
     * @throws IOException if the port cannot be bound
     */
    public static DbServer start(ConnectService service) throws IOException {
      HttpsServer server = HttpsServer.create(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.setHttpsConfigurator(new HttpsConfigurator(service.serverSslContext()));
      server.createContext("/whoami", DbServer::whoAmI);
      ExecutorService handlers = Executors.newFixedThreadPool(2);
      server.setExecutor(handlers);
      server.start();
      return new DbServer(server, handlers);
    }

    private static void whoAmI(HttpExchange exchange) throws IOException {
      X509Certificate caller = (X509Certificate)
          ((HttpsExchange) exchange).getSSLSession().getPeerCertificates()[0];
      byte[] body = ("you are " + SpiffeId.fromCertificate(caller)).getBytes(UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }

    /** Returns the address to call: 127.0.0.1 and the port the server was given. */
    public InetSocketAddress address() {
      return server.getAddress();
    }

    /** Stops the server at once, closing open connections, and its handler threads. */
    @Override
    public void close() {
      server.stop(0);
      handlers.shutdownNow();
    }
  }
}
