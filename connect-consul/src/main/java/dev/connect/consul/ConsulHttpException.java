package dev.connect.consul;

import static java.util.Objects.requireNonNull;

import dev.connect.core.ConnectException;
import java.util.OptionalInt;

/**
 * A request to a Consul HTTP API that did not give a usable answer: the server answered an error
 * status (404, 429, 5xx, ...), could not be reached (connection refused, timeout, TLS failure),
 * or sent a body that does not parse. The message names the endpoint ({@code GET
 * http://127.0.0.1:8500/v1/agent/connect/ca/roots}) and the status with Consul's text, or the
 * cause; never a token.
 *
 * <p>Refusals have their own types and are not this one: a 403 is {@link
 * dev.connect.core.PermissionDeniedException} or, with Consul's body {@code ACL not found},
 * {@link dev.connect.core.AclNotFoundException}; a 400 is an {@link IllegalArgumentException}.
 * For the agent's cache every {@code ConsulHttpException} is transient: it keeps serving what it
 * has and retries with backoff.
 */
public final class ConsulHttpException extends ConnectException {
  private static final long serialVersionUID = 1L;

  private final String endpoint;
  private final int status;

  /**
   * Creates the exception for an error status.
   *
   * @param endpoint the method and URI, such as {@code GET http://127.0.0.1:8500/v1/...}
   * @param status the HTTP status
   * @param detail what the server said, or what was wrong with its answer
   */
  public ConsulHttpException(String endpoint, int status, String detail) {
    super(requireNonNull(endpoint, "endpoint") + " answered " + status
        + (requireNonNull(detail, "detail").isEmpty() ? "" : ": " + detail));
    this.endpoint = endpoint;
    this.status = status;
  }

  /**
   * Creates the exception for an answer that could not be had or used.
   *
   * @param endpoint the method and URI
   * @param status the HTTP status, or {@code 0} when no response arrived
   * @param detail what went wrong, such as {@code connection refused}
   * @param cause the underlying failure
   */
  public ConsulHttpException(String endpoint, int status, String detail, Throwable cause) {
    super(requireNonNull(endpoint, "endpoint") + (status == 0 ? " failed" : " answered " + status)
        + ": " + requireNonNull(detail, "detail"), requireNonNull(cause, "cause"));
    this.endpoint = endpoint;
    this.status = status;
  }

  /** Returns the method and URI of the request, such as {@code GET http://.../v1/...}. */
  public String endpoint() {
    return endpoint;
  }

  /**
   * {@inheritDoc} True when no response arrived (connection refused, timeout, I/O), for a 5xx
   * (such as a new Consul leader's 500 {@code CA is uninitialized}) and for 429; false for a
   * certificate the TLS handshake rejected, for other statuses (404, ...) and for a malformed
   * body.
   */
  @Override
  public boolean isTransient() {
    if (status == 0) {
      for (Throwable c = getCause(); c != null; c = c.getCause()) {
        if (c instanceof java.security.cert.CertificateException) {
          return false;
        }
      }
      return true;
    }
    return status == 429 || status >= 500;
  }

  /** Returns the HTTP status, or empty when no response arrived (refused, timed out, TLS). */
  public OptionalInt status() {
    return status == 0 ? OptionalInt.empty() : OptionalInt.of(status);
  }
}
