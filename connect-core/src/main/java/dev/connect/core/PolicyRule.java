package dev.connect.core;

import static java.util.Objects.requireNonNull;

import dev.connect.core.internal.AclGoSyntax;
import java.util.Optional;

/**
 * One named rule of an ACL policy, such as {@code service "web" { policy = "write" }} or {@code
 * key_prefix "app/" { policy = "list" }}.
 *
 * <p>An exact rule ({@code prefix} false) applies to the one name; a prefix rule to every name
 * starting with it, the name itself included, and {@code service_prefix ""} to all services. See
 * {@link AclAuthorizer} for how rules combine.
 *
 * @param resource what the rule protects: a {@linkplain AclResource#named() named} resource other
 *     than {@link AclResource#INTENTION}
 * @param name the name, or the prefix of a prefix rule; may be empty
 * @param prefix whether this is a {@code _prefix} rule
 * @param access the {@code policy} of the rule; {@code LIST} only on keys
 * @param intentions the {@code intentions} field, on service rules only; empty when omitted, in
 *     which case {@code read} and {@code write} imply intentions {@code read}, and {@code deny}
 *     implies {@code deny}
 */
public record PolicyRule(AclResource resource, String name, boolean prefix, AccessLevel access,
    Optional<AccessLevel> intentions) {

  /**
   * Checks that the rule could have been written in Consul's rule language.
   *
   * @throws IllegalArgumentException if the resource is global or {@code INTENTION}, if the
   *     access is {@code LIST} on anything but keys, or if intentions are set on a non-service rule
   *     or to {@code LIST}
   */
  public PolicyRule {
    requireNonNull(resource, "resource");
    requireNonNull(name, "name");
    requireNonNull(access, "access");
    requireNonNull(intentions, "intentions");
    if (!resource.named() || resource == AclResource.INTENTION) {
      throw new IllegalArgumentException("no rule block exists for " + resource.text()
          + (resource == AclResource.INTENTION ? "; intentions are a field of service rules"
              : "; it is a global rule such as " + resource.text() + " = \"read\""));
    }
    if (access == AccessLevel.LIST && resource != AclResource.KEY) {
      throw new IllegalArgumentException("list is allowed on key rules only, not on "
          + resource.text());
    }
    if (intentions.isPresent() && resource != AclResource.SERVICE) {
      throw new IllegalArgumentException("intentions are a field of service rules only, not of "
          + resource.text());
    }
    if (intentions.isPresent() && intentions.get() == AccessLevel.LIST) {
      throw new IllegalArgumentException("intentions may be deny, read or write, not list");
    }
  }

  /**
   * Returns an exact or prefix rule with no {@code intentions} field.
   *
   * @param resource what the rule protects
   * @param name the name or prefix
   * @param prefix whether this is a {@code _prefix} rule
   * @param access the {@code policy}
   * @return the rule
   */
  public static PolicyRule of(AclResource resource, String name, boolean prefix,
      AccessLevel access) {
    return new PolicyRule(resource, name, prefix, access, Optional.empty());
  }

  /** Returns the block keyword of the rule, such as {@code service} or {@code key_prefix}. */
  public String keyword() {
    return prefix ? resource.text() + "_prefix" : resource.text();
  }

  /**
   * Returns the intentions access this rule gives its services: the {@code intentions} field if
   * set, otherwise {@code READ} for a read or write policy and {@code DENY} for deny, as Consul
   * derives it (acl/policy_authorizer.go {@code loadRules}).
   *
   * @throws IllegalStateException if this is not a service rule
   */
  public AccessLevel effectiveIntentions() {
    if (resource != AclResource.SERVICE) {
      throw new IllegalStateException("only service rules give intentions access, not "
          + keyword());
    }
    return intentions.orElse(impliedIntentions(access));
  }

  static AccessLevel impliedIntentions(AccessLevel policy) {
    return policy == AccessLevel.READ || policy == AccessLevel.WRITE
        ? AccessLevel.READ : AccessLevel.DENY;
  }

  /** Returns the rule in Consul's HCL form, such as {@code service "web" { policy = "write" }}. */
  @Override
  public String toString() {
    return keyword() + " " + AclGoSyntax.quote(name) + " { policy = \"" + access.text() + "\""
        + intentions.map(i -> " intentions = \"" + i.text() + "\"").orElse("") + " }";
  }
}
