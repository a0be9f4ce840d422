package dev.connect.consul;

import static java.util.Objects.requireNonNull;

import dev.connect.core.ConnectException;

/**
 * A body that does not decode into the Consul shape expected: malformed JSON, a value of the
 * wrong type, or an unknown field where Consul decodes strictly.
 *
 * <p>{@link #getMessage()} is Go's error text, as a Consul agent reports it: {@code json: unknown
 * field "Bogus"}, {@code invalid character 'n' looking for beginning of object key string},
 * {@code EOF}, {@code json: cannot unmarshal string into Go struct field Intention.Precedence of
 * type int}. {@link #requestBodyMessage()} adds Consul's prefix for a request body.
 */
public final class ConsulWireException extends ConnectException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param goMessage Go's error text
   */
  public ConsulWireException(String goMessage) {
    super(requireNonNull(goMessage, "goMessage"));
  }

  /**
   * Returns Consul's text for a request body that failed to decode: {@code Failed to decode
   * request body: } followed by Go's error.
   *
   * @return for example {@code Failed to decode request body: json: unknown field "Bogus"}
   */
  public String requestBodyMessage() {
    return "Failed to decode request body: " + getMessage();
  }
}
