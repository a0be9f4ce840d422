package dev.connect.core;

import static java.util.Objects.requireNonNull;

import dev.connect.core.internal.AclGoSyntax;
import java.util.Optional;

/**
 * Thrown when an ACL token lacks the permission an operation needs; a server answers HTTP 403.
 *
 * <p>The message follows newer Consul (acl/errors.go {@code PermissionDeniedError}), which names
 * what is missing, rather than 1.10's bare {@code Permission denied}:
 *
 * <ul>
 *   <li>{@code Permission denied: token with AccessorID '<id>' lacks permission 'service:write' on
 *       "web"};
 *   <li>{@code Permission denied: anonymous token lacks permission ... The anonymous token is used
 *       implicitly when a request does not specify a token.};
 *   <li>{@code Permission denied: provided token lacks permission ...} when the accessor is not
 *       known;
 *   <li>{@code Permission denied: <cause>} for refusals that are not a missing permission, such
 *       as {@code ACL bootstrap no longer allowed (reset index: 5)}.
 * </ul>
 *
 * <p>A message names the accessor ID, never the secret. Every message starts with {@code
 * Permission denied}, which is the whole of Consul 1.10's response body.
 */
public final class PermissionDeniedException extends ConnectException {
  private static final long serialVersionUID = 1L;

  private final String accessorId;
  private final transient Permission permission;

  /**
   * Creates the exception for a token that lacks a permission.
   *
   * @param accessorId the token's accessor ID (its public ID, never its secret)
   * @param permission the missing permission
   */
  public PermissionDeniedException(String accessorId, Permission permission) {
    this(message(requireNonNull(accessorId, "accessorId"),
        requireNonNull(permission, "permission")), accessorId, permission);
  }

  /**
   * Creates the exception for a token whose accessor ID is not known here; the message says
   * "provided token".
   *
   * @param permission the missing permission
   */
  public PermissionDeniedException(Permission permission) {
    this(message(null, requireNonNull(permission, "permission")), null, permission);
  }

  private PermissionDeniedException(String message, String accessorId, Permission permission) {
    super(message);
    this.accessorId = accessorId;
    this.permission = permission;
  }

  /**
   * Returns an exception for a refusal that is not a missing permission.
   *
   * @param cause why, such as {@code ACL bootstrap no longer allowed (reset index: 5)}; must hold
   *     no secret
   * @return the exception, with the message {@code Permission denied: <cause>}
   */
  public static PermissionDeniedException withCause(String cause) {
    requireNonNull(cause, "cause");
    return new PermissionDeniedException("Permission denied: " + cause, null, null);
  }

  private static String message(String accessorId, Permission permission) {
    StringBuilder out = new StringBuilder("Permission denied: ");
    boolean anonymous = AclToken.ANONYMOUS_ACCESSOR_ID.equals(accessorId);
    if (accessorId == null) {
      out.append("provided token");
    } else if (anonymous) {
      out.append("anonymous token");
    } else {
      out.append("token with AccessorID '").append(accessorId).append('\'');
    }
    out.append(" lacks permission '").append(permission.label()).append('\'');
    permission.segment().ifPresent(s -> out.append(" on ").append(AclGoSyntax.quote(s)));
    if (anonymous) {
      out.append(". The anonymous token is used implicitly when a request does not specify a"
          + " token.");
    }
    return out.toString();
  }

  /** Returns the accessor ID of the refused token, when known. */
  public Optional<String> accessorId() {
    return Optional.ofNullable(accessorId);
  }

  /** Returns the missing permission; empty for a refusal made {@link #withCause}. */
  public Optional<Permission> permission() {
    return Optional.ofNullable(permission);
  }
}
