package dev.connect.core;

import static java.util.Objects.requireNonNull;

/**
 * Thrown when a certificate signing request is refused before signing. {@link #problem()} says
 * which check failed; the message names the offending value.
 */
public final class InvalidCsrException extends ConnectException {
  private static final long serialVersionUID = 1L;

  /** The checks a CSR must pass before the CA signs it, in the order they are made. */
  public enum Problem {
    /** The text is not a PEM-encoded PKCS#10 request, or its contents cannot be decoded. */
    MALFORMED,
    /** The request's self-signature does not verify with the public key it carries. */
    BAD_SIGNATURE,
    /** The request carries no URI subject alternative name. */
    NO_URI_SAN,
    /** The request carries more than one URI subject alternative name. */
    MULTIPLE_URI_SANS,
    /** The URI SAN is not a SPIFFE ID, or not a Connect service identity. */
    NOT_A_SERVICE_ID,
    /** The service identity belongs to another trust domain. */
    WRONG_TRUST_DOMAIN,
    /** The service identity names another datacenter. */
    WRONG_DATACENTER,
    /** The public key's type or size is not allowed by the CA configuration. */
    KEY_NOT_ALLOWED,
    /** The request asks for a CA certificate (basic constraints CA:TRUE or certificate signing). */
    CA_REQUESTED
  }

  private final Problem problem;

  /**
   * Creates an exception for a refused CSR.
   *
   * @param problem the check that failed
   * @param message what was wrong, naming the offending value
   */
  public InvalidCsrException(Problem problem, String message) {
    super(message);
    this.problem = requireNonNull(problem, "problem");
  }

  /** Returns the check that failed. */
  public Problem problem() {
    return problem;
  }
}
