package dev.connect.peers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** The readiness probes' HTTP: short timeouts, and an absent answer for any failure. */
final class PeerHttp {
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).followRedirects(HttpClient.Redirect.NEVER)
      .version(HttpClient.Version.HTTP_1_1).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  private PeerHttp() {}

  /** A response to a request that reached the server. */
  record Answer(int status, String body) {
    /** The body as JSON, or empty when it is not JSON. */
    Optional<JsonNode> json() {
      try {
        return Optional.of(JSON.readTree(body));
      } catch (IOException e) {
        return Optional.empty();
      }
    }
  }

  /** GET with an optional token header; empty when the server cannot be reached yet. */
  static Optional<Answer> get(URI uri, String tokenHeader, Optional<String> token) {
    return send(builder(uri, tokenHeader, token).GET().build());
  }

  /** PUT of a JSON body with an optional token header; empty when the server cannot be reached. */
  static Optional<Answer> put(URI uri, String tokenHeader, Optional<String> token, String body) {
    return send(builder(uri, tokenHeader, token)
        .PUT(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  private static HttpRequest.Builder builder(URI uri, String tokenHeader, Optional<String> token) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT);
    token.ifPresent(t -> builder.header(tokenHeader, t));
    return builder;
  }

  private static Optional<Answer> send(HttpRequest request) {
    try {
      HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
      return Optional.of(new Answer(response.statusCode(), response.body()));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + request.method() + " " + request.uri(), e);
    }
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException("not JSON: " + json, e);
    }
  }
}
