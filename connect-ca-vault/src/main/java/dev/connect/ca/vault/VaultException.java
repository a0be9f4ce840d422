package dev.connect.ca.vault;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A request to Vault that failed: Vault answered an error ({@code {"errors":[...]}} with 400,
 * 403, 404, 405, 500 or 503), answered something this provider cannot use (a root generation
 * refused with {@code data: null}, a certificate for another identity), or could not be reached.
 *
 * <p>The message names the endpoint ({@code POST /v1/connect-intermediate/sign/leaf-cert}), the
 * status and the reasons Vault gave, with Go's multierror wrapping ({@code "1 error occurred:\n\t*
 * ..."}) removed; it never holds the token. It is an {@link IllegalStateException}, what {@link
 * dev.connect.ca.CaProvider} throws when it cannot sign now. Vault being sealed is {@link
 * #sealed()}; an unreachable Vault has {@link #status()} 0.
 */
public final class VaultException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** The status of a request that got no HTTP answer: Vault unreachable or timed out. */
  public static final int NO_ANSWER = 0;

  private final String endpoint;
  private final int status;
  private final List<String> reasons;

  /**
   * Creates the exception.
   *
   * @param endpoint the method and path, such as {@code POST /v1/pki/sign/leaf-cert}
   * @param status the HTTP status, or {@link #NO_ANSWER}
   * @param reasons what Vault said, unwrapped, possibly empty
   * @param detail what this provider concluded, appended to the message
   * @param cause the underlying failure, or null
   */
  public VaultException(String endpoint, int status, List<String> reasons, String detail,
      Throwable cause) {
    super(message(requireNonNull(endpoint, "endpoint"), status, reasons, detail), cause);
    this.endpoint = endpoint;
    this.status = status;
    this.reasons = List.copyOf(reasons);
  }

  /** Returns the method and path of the failed request, such as {@code POST /v1/pki/sign/leaf-cert}. */
  public String endpoint() {
    return endpoint;
  }

  /** Returns the HTTP status Vault answered, or {@link #NO_ANSWER} if it did not answer. */
  public int status() {
    return status;
  }

  /** Returns the reasons Vault gave, multierror wrapping removed; empty if none. */
  public List<String> reasons() {
    return reasons;
  }

  /** Tells whether Vault answered 503 because it is sealed. */
  public boolean sealed() {
    return status == 503 && reasons.stream().anyMatch(r -> r.contains("Vault is sealed"));
  }

  private static String message(String endpoint, int status, List<String> reasons,
      String detail) {
    StringBuilder b = new StringBuilder("Vault ").append(endpoint).append(": ");
    if (status == NO_ANSWER) {
      b.append("no answer");
    } else {
      b.append(status);
    }
    if (!reasons.isEmpty()) {
      b.append(' ').append(reasons);
    }
    if (!detail.isEmpty()) {
      b.append(": ").append(detail);
    }
    return b.toString();
  }
}
