package dev.connect.http.internal;

import dev.connect.consul.ConsulJson;
import dev.connect.consul.ConsulWireException;
import dev.connect.consul.JsonStyle;
import dev.connect.consul.Shape;

/**
 * The one place the HTTP API reads and writes JSON, on connect-consul's codec: compact as a
 * normal Consul agent writes it, Go's indent with {@code ?pretty}; request bodies decoded
 * strictly, a body that does not decode answered with Consul's status and Go's text.
 */
final class Json {
  private Json() {}

  /** Encodes a wire record, a list or map of them, a string or a boolean. */
  static byte[] write(Object value, boolean pretty) {
    return ConsulJson.encode(value, pretty ? JsonStyle.PRETTY : JsonStyle.COMPACT);
  }

  /**
   * Decodes a request body strictly; a failure is a 400 whose message is {@code prefix} and
   * Go's error text ({@code EOF} for an empty body).
   */
  static <T> T read(byte[] body, Shape<T> shape, String prefix) {
    try {
      return ConsulJson.decodeRequest(body, shape);
    } catch (ConsulWireException e) {
      throw new ApiException(400, prefix + e.getMessage());
    }
  }
}
