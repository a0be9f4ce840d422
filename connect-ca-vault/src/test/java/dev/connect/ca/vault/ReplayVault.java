package dev.connect.ca.vault;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Vault stand-in on 127.0.0.1 that answers each request with the next recorded exchange of
 * {@code ../shared/vault-samples/} and checks that the request matches the recorded one: method,
 * path, and the recorded body's field names (each must be sent; a field the recording lacks must
 * be declared for that step). Mismatches are collected, never thrown on the server thread.
 */
final class ReplayVault implements AutoCloseable {
  static final ObjectMapper MAPPER = new ObjectMapper();

  /** One expected request: the sample answering it and the fields we send beyond the recording. */
  record Step(String sample, Set<String> extraFields) {}

  private final Path samples;
  private final HttpServer server;
  private final Deque<Step> steps = new ArrayDeque<>();
  private final List<String> mismatches = new ArrayList<>();
  private final List<String> seen = new ArrayList<>();

  ReplayVault(Path samples) throws IOException {
    this.samples = samples;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  static Path samples() {
    String root = System.getProperty("connect.repository.root");
    if (root == null) {
      throw new AssertionError("system property connect.repository.root (set by the POM)");
    }
    return Path.of(root).resolve("../shared/vault-samples").normalize();
  }

  String address() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  synchronized ReplayVault expect(String sample, String... extraFields) {
    steps.add(new Step(sample, Set.of(extraFields)));
    return this;
  }

  synchronized List<String> mismatches() {
    List<String> all = new ArrayList<>(mismatches);
    for (Step left : steps) {
      all.add("never requested: " + left.sample());
    }
    return all;
  }

  synchronized List<String> seen() {
    return List.copyOf(seen);
  }

  static JsonNode read(Path file) throws IOException {
    return MAPPER.readTree(Files.readString(file, UTF_8));
  }

  private synchronized void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getRawPath();
      byte[] body = exchange.getRequestBody().readAllBytes();
      seen.add(method + " " + path);
      Step step = steps.poll();
      if (step == null) {
        mismatches.add("unexpected request " + method + " " + path);
        respond(exchange, 500, "application/json", "{\"errors\":[\"no step left\"]}");
        return;
      }
      JsonNode recorded = read(samples.resolve(step.sample() + ".json"));
      JsonNode request = recorded.path("request");
      String want = request.path("method").asText() + " " + request.path("path").asText();
      if (!want.equals(method + " " + path)) {
        mismatches.add(step.sample() + ": sent " + method + " " + path + ", recorded " + want);
      }
      if (!"true".equals(exchange.getRequestHeaders().getFirst("X-Vault-Request"))) {
        mismatches.add(step.sample() + ": no X-Vault-Request: true");
      }
      if (exchange.getRequestHeaders().getFirst("X-Vault-Token") == null) {
        mismatches.add(step.sample() + ": no X-Vault-Token");
      }
      compareFields(step, request.path("body"), body);
      JsonNode response = recorded.path("response");
      respond(exchange, response.path("status").asInt(),
          response.path("headers").path("Content-Type").asText("application/json"),
          responseBody(response));
    } catch (RuntimeException e) {
      mismatches.add("replay failed: " + e);
    }
  }

  private void compareFields(Step step, JsonNode recordedBody, byte[] sent) throws IOException {
    Set<String> want = new TreeSet<>();
    recordedBody.fieldNames().forEachRemaining(want::add);
    Set<String> got = new TreeSet<>();
    if (sent.length > 0) {
      JsonNode sentBody = MAPPER.readTree(sent);
      sentBody.fieldNames().forEachRemaining(got::add);
    }
    Set<String> missing = new TreeSet<>(want);
    missing.removeAll(got);
    Set<String> extra = new TreeSet<>(got);
    extra.removeAll(want);
    extra.removeAll(step.extraFields());
    if (!missing.isEmpty() || !extra.isEmpty()) {
      mismatches.add(step.sample() + ": fields missing " + missing + ", undeclared extra "
          + extra);
    }
  }

  /** The recorded body as Vault sent it: raw JSON, a PEM string, base64 DER, or nothing. */
  static byte[] responseBodyBytes(JsonNode response) {
    JsonNode body = response.path("body");
    if (response.has("body_raw")) {
      return response.path("body_raw").asText().getBytes(UTF_8);
    }
    if ("base64".equals(response.path("body_encoding").asText())) {
      return Base64.getDecoder().decode(body.asText());
    }
    if (body.isTextual()) {
      return body.asText().getBytes(UTF_8);
    }
    if (body.isNull() || body.isMissingNode()) {
      return new byte[0];
    }
    return body.toString().getBytes(UTF_8);
  }

  private static byte[] responseBody(JsonNode response) {
    return responseBodyBytes(response);
  }

  private static void respond(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    respond(exchange, status, type, body.getBytes(UTF_8));
  }

  private static void respond(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    if (status == 204 || body.length == 0) {
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }

  /** Lists every recorded exchange file. */
  static List<Path> exchangeFiles() throws IOException {
    List<Path> files = new ArrayList<>();
    try (var stream = Files.list(samples())) {
      for (Iterator<Path> it = stream.sorted().iterator(); it.hasNext(); ) {
        Path p = it.next();
        if (p.getFileName().toString().endsWith(".json")) {
          files.add(p);
        }
      }
    }
    return files;
  }
}
