package dev.connect.core;

/**
 * Thrown when a request presents a token secret that matches no token; a server answers HTTP 403
 * with Consul's body {@code ACL not found} (acl/errors.go). The message never contains the
 * presented secret.
 */
public final class AclNotFoundException extends ConnectException {
  private static final long serialVersionUID = 1L;

  /** Consul's message, and the whole of its 403 response body. */
  public static final String MESSAGE = "ACL not found";

  /** Creates the exception with Consul's message, {@code ACL not found}. */
  public AclNotFoundException() {
    super(MESSAGE);
  }
}
