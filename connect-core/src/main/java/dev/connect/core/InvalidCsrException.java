package dev.connect.core;

import static java.util.Objects.requireNonNull;

/**
 * Thrown when a certificate signing request is refused before signing. {@link #problem()} says
 * which check failed; the message names the offending value.
 */
public final class InvalidCsrException extends ConnectException {
  private static final long serialVersionUID = 1L;

  /**
   * The checks a CSR must pass before the CA signs it, in the order they are made.
   *
   * <p>The public key is judged from its encoding before the signature is verified: verifying
   * first would let anyone make the CA decode and use a huge DSA or RSA key, which costs seconds
   * to minutes of CPU, before any check that is cheap to make.
   */
  public enum Problem {
    /**
     * The text is not a PEM-encoded PKCS#10 request, its contents cannot be decoded, or the
     * encoding of an otherwise allowed public key is broken.
     */
    MALFORMED,
    /**
     * The public key's algorithm, curve, size or exponent is not one a leaf may carry: only EC on
     * the named curves P-256 and P-384, and RSA of 2048 to 4096 bits with an odd public exponent
     * of at least 3 and below 2<sup>32</sup>. Decided from the encoded key alone, before it is
     * decoded or the signature verified.
     */
    KEY_NOT_ALLOWED,
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
    /**
     * The service identity names a namespace or an admin partition other than {@code default}.
     * Namespaces and partitions are a Consul Enterprise feature this CA does not support:
     * intentions match services of the {@code default} namespace and partition only, and ACL
     * {@code service:write} is keyed by service name alone, so a leaf for {@code web} in
     * another namespace would slip past every intention about {@code web}.
     */
    NAMESPACE_NOT_SUPPORTED,
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
