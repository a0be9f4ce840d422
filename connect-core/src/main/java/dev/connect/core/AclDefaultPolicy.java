package dev.connect.core;

import static java.util.Objects.requireNonNull;

import dev.connect.core.internal.AclGoSyntax;

/**
 * Consul's {@code acl.default_policy}: what a token may do where none of its rules says
 * otherwise. Consul's default is {@link #ALLOW}; a locked-down cluster uses {@link #DENY}.
 *
 * <p>The default never grants {@code acl:read} or {@code acl:write}: Consul's allow-all base
 * authorizer refuses ACL management (acl/static_authorizer.go, {@code allowManage: false}), so
 * only an explicit {@code acl} rule or a management token manages ACLs.
 */
public enum AclDefaultPolicy {
  /** Allow what no rule covers; Consul's {@code "allow"}, the default. */
  ALLOW("allow"),
  /** Deny what no rule covers; Consul's {@code "deny"}. */
  DENY("deny");

  private final String text;

  AclDefaultPolicy(String text) {
    this.text = text;
  }

  /** Returns the policy as Consul's configuration spells it: {@code "allow"} or {@code "deny"}. */
  public String text() {
    return text;
  }

  /** Returns whether what no rule covers is allowed. */
  public boolean allows() {
    return this == ALLOW;
  }

  /**
   * Returns the policy Consul's configuration names.
   *
   * @param text {@code allow} or {@code deny}, as in {@code acl { default_policy = "deny" }}
   * @return the policy
   * @throws IllegalArgumentException naming the text if it is neither
   */
  public static AclDefaultPolicy parse(String text) {
    requireNonNull(text, "text");
    for (AclDefaultPolicy p : values()) {
      if (p.text.equals(text)) {
        return p;
      }
    }
    throw new IllegalArgumentException("acl.default_policy must be \"allow\" or \"deny\", not "
        + AclGoSyntax.quote(text));
  }
}
