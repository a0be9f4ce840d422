package dev.connect.consul;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Plain requests to a Consul agent for test setup (intentions, policies, tokens), bounded in time. */
final class ConsulRaw {
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

  private ConsulRaw() {}

  static String send(URI base, String method, String path, String token, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve(path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (token != null) {
      r.header("X-Consul-Token", token);
    }
    HttpResponse<String> resp = CLIENT.send(r.build(), HttpResponse.BodyHandlers.ofString());
    if (resp.statusCode() != 200) {
      throw new IllegalStateException(method + " " + path + " answered " + resp.statusCode()
          + ": " + resp.body());
    }
    return resp.body();
  }

  /** Creates a policy and a token linked to it; returns the token's secret. */
  static String serviceToken(URI base, String management, String name, String rules)
      throws IOException, InterruptedException {
    send(base, "PUT", "/v1/acl/policy", management,
        "{\"Name\":\"" + name + "\",\"Rules\":" + quote(rules) + "}");
    String token = send(base, "PUT", "/v1/acl/token", management,
        "{\"Description\":\"" + name + "\",\"Policies\":[{\"Name\":\"" + name + "\"}]}");
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(token).path("SecretID")
        .asText();
  }

  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }
}
