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
}
