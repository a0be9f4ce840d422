package dev.connect.ca.vault.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.connect.ca.vault.VaultConfiguration;
import dev.connect.ca.vault.VaultException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Vault's HTTP API as the provider uses it: JSON requests with {@code X-Vault-Token} and {@code
 * X-Vault-Request: true}, the response envelope, the raw PEM endpoints, and errors turned into
 * {@link VaultException}s. Thread-safe.
 */
public final class VaultHttp {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final java.util.regex.Pattern MULTI =
      java.util.regex.Pattern.compile("^\\s*\\d+ errors? occurred:");

  private final URI address;
  private final String token;
  private final Duration timeout;
  private final HttpClient client;

  /** An answer: the status and the body as text (empty for 204). */
  public record Answer(int status, String body) {}

  /**
   * Creates the client for a configuration.
   *
   * @throws IllegalArgumentException if the TLS files do not parse
   */
  public VaultHttp(VaultConfiguration config) {
    requireNonNull(config, "config");
    this.address = config.address();
    this.token = config.token();
    this.timeout = config.requestTimeout();
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(timeout)
        .version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER);
    if ("https".equals(address.getScheme())) {
      b.sslContext(VaultTls.context(config.caFile(), config.certFile(), config.keyFile()));
    }
    this.client = b.build();
  }

  /** Returns Vault's address. */
  public URI address() {
    return address;
  }

  /**
   * Sends a JSON request to {@code /v1/<path>} and returns the parsed response body, or empty for
   * a 204.
   *
   * @throws VaultException on any status but 200 and 204, or no answer
   */
  public Optional<JsonNode> json(String method, String path, ObjectNode body) {
    Answer a = send(method, path, body);
    if (a.status() == 204 || a.body().isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(MAPPER.readTree(a.body()));
    } catch (IOException e) {
      throw new VaultException(endpoint(method, path), a.status(), List.of(),
          "the body is not JSON: " + e.getMessage(), e);
    }
  }

  /**
   * Sends a request and returns its answer when the status is 200 or 204.
   *
   * @throws VaultException on any other status, or no answer
   */
  public Answer send(String method, String path, ObjectNode body) {
    Answer a = exchange(method, path, body);
    if (a.status() != 200 && a.status() != 204) {
      throw new VaultException(endpoint(method, path), a.status(), reasons(a.body()), "",
          null);
    }
    return a;
  }

  /**
   * Sends a request and returns its answer whatever the status.
   *
   * @throws VaultException if Vault does not answer
   */
  public Answer exchange(String method, String path, ObjectNode body) {
    String endpoint = endpoint(method, path);
    HttpRequest.Builder r = HttpRequest.newBuilder(address.resolve("/v1/" + path))
        .timeout(timeout)
        .header("X-Vault-Token", token)
        .header("X-Vault-Request", "true");
    if (body == null) {
      r.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      r.header("Content-Type", "application/json");
      r.method(method, HttpRequest.BodyPublishers.ofString(body.toString(),
          StandardCharsets.UTF_8));
    }
    HttpResponse<String> response;
    try {
      response = client.send(r.build(), HttpResponse.BodyHandlers.ofString(
          StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new VaultException(endpoint, VaultException.NO_ANSWER, List.of(),
          "Vault at " + address + " is unreachable: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VaultException(endpoint, VaultException.NO_ANSWER, List.of(),
          "interrupted", e);
    }
    return new Answer(response.statusCode(), response.body());
  }

  /** Returns a new JSON object to fill as a request body. */
  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** Returns {@code METHOD /v1/path}. */
  public static String endpoint(String method, String path) {
    return method + " /v1/" + path;
  }

  /**
   * Reads the {@code errors} of an error body, each with Go's multierror wrapping removed; an
   * empty list if there are none or the body is not Vault's envelope (then its first 200
   * characters are the one reason).
   */
  public static List<String> reasons(String body) {
    if (body == null || body.isBlank()) {
      return List.of();
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(body);
    } catch (IOException e) {
      return List.of(body.length() > 200 ? body.substring(0, 200) + "..." : body);
    }
    JsonNode errors = node.path("errors");
    if (!errors.isArray()) {
      return List.of();
    }
    List<String> reasons = new ArrayList<>();
    for (JsonNode e : errors) {
      reasons.addAll(unwrap(e.asText()));
    }
    return reasons;
  }

  /**
   * Removes Go's multierror wrapping: {@code "1 error occurred:\n\t* permission denied\n\n"}
   * becomes {@code permission denied}; several errors become several reasons.
   */
  static List<String> unwrap(String message) {
    java.util.regex.Matcher m = MULTI.matcher(message);
    if (!m.find()) {
      return List.of(message.trim());
    }
    List<String> out = new ArrayList<>();
    for (String line : message.substring(m.end()).split("\n")) {
      String t = line.trim();
      if (t.startsWith("* ")) {
        out.add(t.substring(2).trim());
      }
    }
    return out.isEmpty() ? List.of(message.trim()) : out;
  }
}
