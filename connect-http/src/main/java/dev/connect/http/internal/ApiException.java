package dev.connect.http.internal;

/**
 * A request the API refuses, with the status and the plain-text message the client sees. Thrown
 * by endpoints for a client's mistake; never carries a secret.
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  /**
   * Creates the exception.
   *
   * @param status the HTTP status
   * @param message the body, naming the offending value
   */
  public ApiException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  /** A 400 with Consul's {@code Bad request: } prefix (its BadRequestError). */
  public static ApiException badRequest(String message) {
    return new ApiException(400, "Bad request: " + message);
  }

  /** Returns the HTTP status. */
  public int status() {
    return status;
  }
}
