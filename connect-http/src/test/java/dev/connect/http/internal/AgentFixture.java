package dev.connect.http.internal;

import dev.connect.agent.ConnectAgent;
import dev.connect.testkit.FakeScheduler;
import dev.connect.testkit.FakeTime;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;

/**
 * An agent on a fresh data directory with fake time, and the HTTP API over it on a free
 * loopback port; every client call is bounded in time.
 */
final class AgentFixture implements AutoCloseable {
  static final Duration GUARD = Duration.ofSeconds(20);

  final FakeTime time = FakeTime.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  final FakeScheduler scheduler = FakeScheduler.on(time);
  final ConnectAgent agent;
  final HttpServerCore server;
  final HttpClient client = HttpClient.newBuilder().connectTimeout(GUARD).build();

  AgentFixture(Path dir) throws IOException {
    this(dir, settings(200, 200, 1 << 20, 1 << 20));
  }

  AgentFixture(Path dir, HttpServerCore.Settings settings) throws IOException {
    this(dir, settings, b -> { });
  }

  AgentFixture(Path dir, java.util.function.Consumer<ConnectAgent.Builder> options)
      throws IOException {
    this(dir, settings(200, 200, 1 << 20, 1 << 20), options);
  }

  AgentFixture(Path dir, HttpServerCore.Settings settings,
      java.util.function.Consumer<ConnectAgent.Builder> options) throws IOException {
    ConnectAgent.Builder b = ConnectAgent.builder().dataDirectory(dir).clock(time).ticker(time)
        .scheduler(scheduler);
    options.accept(b);
    agent = b.build();
    server = new HttpServerCore(agent, settings);
  }

  static HttpServerCore.Settings settings(int perClientConnections, int perClientWaiting,
      int maxHeader, int maxBody) {
    return new HttpServerCore.Settings(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        maxHeader, maxBody, 10_000, perClientConnections, perClientWaiting,
        Duration.ofSeconds(5), bound -> 0L, 1);
  }

  URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + server.address().getPort() + pathAndQuery);
  }

  HttpResponse<String> send(String method, String pathAndQuery, String body, String... headers)
      throws Exception {
    return sendAsync(method, pathAndQuery, body, headers).get(GUARD.toSeconds(),
        java.util.concurrent.TimeUnit.SECONDS);
  }

  HttpResponse<String> get(String pathAndQuery, String... headers) throws Exception {
    return send("GET", pathAndQuery, null, headers);
  }

  CompletableFuture<HttpResponse<String>> sendAsync(String method, String pathAndQuery,
      String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(pathAndQuery)).timeout(GUARD)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Sends raw bytes on a new connection and returns everything read until the server closes. */
  String raw(byte[] request) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.address().getPort())) {
      s.setSoTimeout((int) GUARD.toMillis());
      OutputStream out = s.getOutputStream();
      try {
        out.write(request);
        out.flush();
      } catch (IOException e) {
        // The server may answer and close before reading everything; read what it said.
      }
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } finally {
      agent.close();
    }
  }
}
