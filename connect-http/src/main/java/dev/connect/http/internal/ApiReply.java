package dev.connect.http.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One HTTP reply: status, headers in the order they are written, and body.
 *
 * @param status the HTTP status
 * @param headers name and value pairs, in order
 * @param body the body bytes
 */
public record ApiReply(int status, List<Map.Entry<String, String>> headers, byte[] body) {
  /** Content type of error bodies, as a Consul agent writes it. */
  public static final String TEXT = "text/plain; charset=utf-8";
  /** Content type of JSON bodies. */
  public static final String JSON = "application/json";

  /** Copies the values. */
  public ApiReply {
    headers = List.copyOf(headers);
    requireNonNull(body, "body");
  }

  /** A plain-text error, as Consul writes its errors: the bare message, no newline. */
  public static ApiReply text(int status, String message) {
    return new ApiReply(status, List.of(Map.entry("Content-Type", TEXT)), message.getBytes(UTF_8));
  }

  /** A JSON body. */
  public static ApiReply json(byte[] body) {
    return new ApiReply(200, List.of(Map.entry("Content-Type", JSON)), body);
  }

  /** An empty 200, with no Content-Type (as Consul's register and CA configuration PUT). */
  public static ApiReply empty() {
    return new ApiReply(200, List.of(), new byte[0]);
  }

  /** Returns this reply with one more header. */
  public ApiReply with(String name, String value) {
    List<Map.Entry<String, String>> h = new ArrayList<>(headers);
    h.add(Map.entry(name, value));
    return new ApiReply(status, Collections.unmodifiableList(h), body);
  }

  /** Returns the first value of a header, or null. */
  public String header(String name) {
    for (Map.Entry<String, String> e : headers) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }
}
