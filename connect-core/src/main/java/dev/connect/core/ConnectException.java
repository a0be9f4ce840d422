package dev.connect.core;

/**
 * The base of the failures Connect reports: a refused request, a broken state, an unreachable
 * server. Subtypes say which; the message names the offending value but never a secret.
 */
public class ConnectException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message.
   *
   * @param message what failed, naming the offending value
   */
  public ConnectException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and a cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public ConnectException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Tells whether the same request may succeed when retried later, because the server could not
   * answer it now: unreachable, no answer in time, a server error (5xx) or too many requests
   * (429). Refusals and malformed requests are not transient. The agent's cache retries a first
   * load that fails transiently, with backoff, within its first-load budget. Default: {@code
   * false}; subtypes that know the cause say so.
   *
   * @return whether a later retry may succeed
   */
  public boolean isTransient() {
    return false;
  }
}
