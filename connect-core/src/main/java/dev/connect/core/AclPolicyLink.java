package dev.connect.core;

import static java.util.Objects.requireNonNull;

import dev.connect.core.internal.AclGoSyntax;

/**
 * A token's reference to one of its policies, as in the {@code Policies} field of a Consul
 * token: {@code {"ID": "cc48d19e-...", "Name": "web-write"}}.
 *
 * @param id the policy ID, a UUID
 * @param name the policy name as last known, or empty when only the ID was given
 */
public record AclPolicyLink(String id, String name) {

  /**
   * Checks the ID and the name.
   *
   * @throws IllegalArgumentException if the ID is not a UUID, or the name is neither empty nor a
   *     valid policy name (see {@link AclPolicy#isValidName})
   */
  public AclPolicyLink {
    requireNonNull(id, "id");
    requireNonNull(name, "name");
    if (!AclIds.isUuid(id)) {
      throw new IllegalArgumentException("policy ID must be a UUID, not " + AclGoSyntax.quote(id));
    }
    if (!name.isEmpty() && !AclPolicy.isValidName(name)) {
      throw new IllegalArgumentException("invalid policy name " + AclGoSyntax.quote(name)
          + ": only alphanumeric characters, '-' and '_' are allowed, up to 128");
    }
  }

  /**
   * Returns the link to a policy.
   *
   * @param policy the policy
   * @return a link with its ID and name
   */
  public static AclPolicyLink to(AclPolicy policy) {
    return new AclPolicyLink(policy.id(), policy.name());
  }
}
