package dev.connect.core;

import static java.util.Objects.requireNonNull;

import dev.connect.core.internal.AclGoSyntax;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Decides what one ACL token may do, from the rules of all its policies and the cluster's
 * default policy, as Consul's policy authorizer chained to its default authorizer does.
 *
 * <pre>
 * // rules: service "web" { policy = "write" }
 * AclAuthorizer web = AclAuthorizer.of(AclDefaultPolicy.DENY, List.of(PolicyRules.parse(rules)))
 *     .forAccessor(token.accessorId());
 * web.serviceWrite("web");     // true: its leaf certificate may be issued
 * web.intentionRead("web");    // true: a service rule without intentions grants intentions read
 * web.enforce(Permission.serviceWrite("db"));   // throws PermissionDeniedException
 * </pre>
 *
 * <p><b>Which rule applies</b> (acl/policy_authorizer.go {@code getPolicy}): for a named resource
 * such as a service, an exact rule for the name wins over every prefix rule; otherwise the prefix
 * rule with the longest prefix of the name applies ({@code service_prefix "we"} over {@code
 * service_prefix ""}). A rule decides alone: {@code deny} denies; {@code read} allows reading but
 * not writing, even if a shorter prefix rule would allow writing. Only when no rule applies does
 * the default policy decide. Global resources have one rule each; {@code mesh} and {@code
 * peering} without a rule of their own follow {@code operator} (Consul 1.11, 1.13).
 *
 * <p><b>Intentions</b> are governed by service rules: by their {@code intentions} field, or when
 * it is omitted, {@code read} for a {@code read} or {@code write} policy and {@code deny} for
 * {@code deny} (policy_authorizer.go {@code loadRules}). The same exact-beats-prefix lookup
 * applies, so {@code service "web" { policy = "write" }} limits intentions on web to read even
 * under {@code service_prefix "" { intentions = "write" }}.
 *
 * <p><b>Several policies</b> (acl/policy_merger.go, policy.go {@code takesPrecedenceOver}): rules
 * of the same kind for the same name are merged first, field by field, and the strictest
 * statement wins in the order {@code deny}, {@code write}, {@code list}, {@code read}. So an
 * explicit deny in any of a token's policies beats a write in another, while a write beats a
 * read. Intentions are derived after the merge, so {@code {policy = "write"}} and {@code {policy
 * = "read" intentions = "write"}} merge to write with intentions write. Rules repeated in one
 * policy merge the same way.
 *
 * <p><b>The default policy</b> decides what no rule covers, except ACL management: {@code
 * acl:read} and {@code acl:write} need an {@code acl} rule even under {@link
 * AclDefaultPolicy#ALLOW} (acl/static_authorizer.go). {@link #intentionDefaultAllow()} is the
 * default policy itself, whatever the rules, which is why even the management token sees
 * "Default behavior configured by ACLs" deny a connection under {@code default_policy = "deny"}.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class AclAuthorizer {
  private static final AclAuthorizer DISABLED =
      new AclAuthorizer(true, AclDefaultPolicy.ALLOW, AclMergedRules.NONE, null, 0);

  private final boolean disabled;
  private final AclDefaultPolicy defaultPolicy;
  private final AclMergedRules rules;
  private final String accessorId;
  private final int policyCount;

  private AclAuthorizer(boolean disabled, AclDefaultPolicy defaultPolicy, AclMergedRules rules,
      String accessorId, int policyCount) {
    this.disabled = disabled;
    this.defaultPolicy = defaultPolicy;
    this.rules = rules;
    this.accessorId = accessorId;
    this.policyCount = policyCount;
  }

  /**
   * Returns the authorizer for a token with the given policies.
   *
   * @param defaultPolicy the cluster's {@code acl.default_policy}
   * @param policies the rules of every policy of the token, in any order; empty for a token with
   *     none, which the default policy alone governs
   * @return the authorizer, with no accessor ID (see {@link #forAccessor})
   */
  public static AclAuthorizer of(AclDefaultPolicy defaultPolicy,
      Collection<PolicyRules> policies) {
    requireNonNull(defaultPolicy, "defaultPolicy");
    List<PolicyRules> all = List.copyOf(requireNonNull(policies, "policies"));
    return new AclAuthorizer(false, defaultPolicy, AclMergedRules.merge(all), null, all.size());
  }

  /**
   * Returns the authorizer of a token with Consul's builtin {@code global-management} policy
   * ({@link PolicyRules#globalManagement()}), such as the bootstrap token: it may do everything,
   * while {@link #intentionDefaultAllow()} still follows the default policy.
   *
   * @param defaultPolicy the cluster's {@code acl.default_policy}
   * @return the authorizer, with no accessor ID (see {@link #forAccessor})
   */
  public static AclAuthorizer management(AclDefaultPolicy defaultPolicy) {
    return of(defaultPolicy, List.of(PolicyRules.globalManagement()));
  }

  /**
   * Returns the authorizer used when ACLs are turned off: everything is allowed, including ACL
   * management, and connections no intention matches are allowed.
   */
  public static AclAuthorizer aclsDisabled() {
    return DISABLED;
  }

  /**
   * Returns this authorizer naming the token it decides for, so that {@link #enforce} names the
   * token in its denial.
   *
   * @param accessorId the token's accessor ID, a UUID
   * @return an authorizer with the same rules
   * @throws IllegalArgumentException if the accessor ID is not a UUID
   */
  public AclAuthorizer forAccessor(String accessorId) {
    requireNonNull(accessorId, "accessorId");
    if (!AclIds.isUuid(accessorId)) {
      throw new IllegalArgumentException("accessorId must be a UUID, not "
          + AclGoSyntax.quote(accessorId));
    }
    return new AclAuthorizer(disabled, defaultPolicy, rules, accessorId, policyCount);
  }

  /** Returns the accessor ID of the token, when one was given with {@link #forAccessor}. */
  public Optional<String> accessorId() {
    return Optional.ofNullable(accessorId);
  }

  /** Returns whether ACLs are on; false only for {@link #aclsDisabled()}. */
  public boolean aclsEnabled() {
    return !disabled;
  }

  /**
   * Returns whether the token has a permission.
   *
   * @param permission what an operation needs, such as {@code service:write} on {@code "web"}
   * @return true if allowed
   */
  public boolean allows(Permission permission) {
    requireNonNull(permission, "permission");
    if (disabled) {
      return true;
    }
    AccessLevel rule = rules.ruleFor(permission);
    if (rule != null) {
      return rule.grants(permission.access());
    }
    return permission.resource() != AclResource.ACL && defaultPolicy.allows();
  }

  /**
   * Checks a permission, for operations that fail rather than filter when it is missing.
   *
   * @param permission what the operation needs
   * @throws PermissionDeniedException naming the permission, the resource and the token's
   *     accessor ID (never its secret) if the token lacks it
   */
  public void enforce(Permission permission) {
    if (!allows(permission)) {
      throw accessorId == null ? new PermissionDeniedException(permission)
          : new PermissionDeniedException(accessorId, permission);
    }
  }

  /**
   * Returns whether the token may read a service (discovery, health).
   *
   * @param service the service name
   * @return true if allowed
   */
  public boolean serviceRead(String service) {
    return allows(Permission.serviceRead(service));
  }

  /**
   * Returns whether the token may write a service: register it, get its leaf certificate.
   *
   * @param service the service name
   * @return true if allowed
   */
  public boolean serviceWrite(String service) {
    return allows(Permission.serviceWrite(service));
  }

  /**
   * Returns whether the token may read intentions that name this service.
   *
   * @param service the source or destination service name
   * @return true if allowed
   */
  public boolean intentionRead(String service) {
    return allows(Permission.intentionRead(service));
  }

  /**
   * Returns whether the token may create, change or delete intentions with this destination.
   *
   * @param destination the destination service name
   * @return true if allowed
   */
  public boolean intentionWrite(String destination) {
    return allows(Permission.intentionWrite(destination));
  }

  /**
   * Returns whether the token may read a node.
   *
   * @param node the node name
   * @return true if allowed
   */
  public boolean nodeRead(String node) {
    return allows(Permission.nodeRead(node));
  }

  /**
   * Returns whether the token may write a node: register it, get an agent certificate for it.
   *
   * @param node the node name
   * @return true if allowed
   */
  public boolean nodeWrite(String node) {
    return allows(Permission.nodeWrite(node));
  }

  /** Returns whether the token has {@code operator:read}. */
  public boolean operatorRead() {
    return allows(Permission.operatorRead());
  }

  /** Returns whether the token has {@code operator:write}, needed for the CA configuration. */
  public boolean operatorWrite() {
    return allows(Permission.operatorWrite());
  }

  /** Returns whether the token has {@code mesh:read}: a {@code mesh} rule, else operator. */
  public boolean meshRead() {
    return allows(Permission.of(AclResource.MESH, AccessLevel.READ));
  }

  /** Returns whether the token has {@code mesh:write}: a {@code mesh} rule, else operator. */
  public boolean meshWrite() {
    return allows(Permission.of(AclResource.MESH, AccessLevel.WRITE));
  }

  /** Returns whether the token has {@code acl:read}; never by default, only by a rule. */
  public boolean aclRead() {
    return allows(Permission.aclRead());
  }

  /** Returns whether the token has {@code acl:write}; never by default, only by a rule. */
  public boolean aclWrite() {
    return allows(Permission.aclWrite());
  }

  /**
   * Returns whether a connection that no intention matches is allowed: true with ACLs off,
   * otherwise the default policy, whatever the token's rules (Consul's {@code
   * IntentionDefaultAllow}).
   */
  public boolean intentionDefaultAllow() {
    return disabled || defaultPolicy.allows();
  }

  /**
   * Returns the default for connections no intention matches, with Consul's reason, for {@link
   * Decision}s: {@code ACLS_DISABLED}, {@code ACLS_DEFAULT_ALLOW} or {@code ACLS_DEFAULT_DENY}.
   */
  public DefaultIntentionPolicy defaultIntentionPolicy() {
    return DefaultIntentionPolicy.of(!disabled, defaultPolicy);
  }

  /** Returns the accessor ID, the default policy and the number of policies; no secrets. */
  @Override
  public String toString() {
    if (disabled) {
      return "AclAuthorizer[ACLs disabled]";
    }
    return "AclAuthorizer[accessor=" + (accessorId == null ? "<none>" : accessorId)
        + ", policies=" + policyCount + ", default=" + defaultPolicy.text() + "]";
  }
}
