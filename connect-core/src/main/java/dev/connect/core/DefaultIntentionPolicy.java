package dev.connect.core;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * What happens to a connection that no intention matches, with the reason Consul 1.10 gives.
 *
 * <p>Consul takes this from the ACL system: with ACLs off everything is allowed; with ACLs on,
 * the ACL {@code default_policy} ({@code allow} unless configured) decides. Pick the constant
 * that describes the server's ACL configuration; it does not depend on any token.
 */
public enum DefaultIntentionPolicy {
  /** ACLs are off: allowed, "ACLs disabled, access is allowed by default". */
  ACLS_DISABLED(true, "ACLs disabled, access is allowed by default"),
  /** ACLs are on with {@code default_policy = "allow"}: allowed. */
  ACLS_DEFAULT_ALLOW(true, "Default behavior configured by ACLs"),
  /** ACLs are on with {@code default_policy = "deny"}: denied. */
  ACLS_DEFAULT_DENY(false, "Default behavior configured by ACLs");

  private final Decision decision;

  DefaultIntentionPolicy(boolean allowed, String reason) {
    this.decision = new Decision(allowed, reason, Optional.empty());
  }

  /**
   * Returns the policy of a server's ACL configuration, as Consul derives it: {@link
   * #ACLS_DISABLED} with ACLs off, else {@link #ACLS_DEFAULT_ALLOW} or {@link #ACLS_DEFAULT_DENY}
   * by the ACL default policy.
   *
   * @param aclsEnabled whether the server enforces ACLs
   * @param aclDefaultPolicy the ACL {@code default_policy}, which counts only with ACLs on
   * @return the policy
   */
  public static DefaultIntentionPolicy of(boolean aclsEnabled, AclDefaultPolicy aclDefaultPolicy) {
    requireNonNull(aclDefaultPolicy, "aclDefaultPolicy");
    if (!aclsEnabled) {
      return ACLS_DISABLED;
    }
    return aclDefaultPolicy.allows() ? ACLS_DEFAULT_ALLOW : ACLS_DEFAULT_DENY;
  }

  /** Returns whether a connection no intention matches is allowed. */
  public boolean allowed() {
    return decision.allowed();
  }

  /**
   * Returns the reason Consul 1.10 gives: {@code ACLs disabled, access is allowed by default} or
   * {@code Default behavior configured by ACLs}.
   */
  public String reason() {
    return decision.reason();
  }

  /** Returns the decision for a connection no intention matches; the same instance each time. */
  public Decision decision() {
    return decision;
  }
}
