package dev.connect.core;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * What the server tells about an ACL token once it exists: everything but its secret, which it
 * no longer knows (it keeps only a hash) and returns only once, from {@link
 * AclAdmin#tokenCreate} or {@link AclAdmin#aclBootstrap}.
 *
 * @param accessorId the token's public ID, a UUID
 * @param description free text, may be empty
 * @param policies links to the token's policies, in the order given; a deleted policy's link is
 *     gone
 * @param createTime when the token was created
 * @param createIndex the ACL index at which it was created
 * @param modifyIndex the ACL index at which it last changed
 */
public record AclTokenInfo(String accessorId, String description, List<AclPolicyLink> policies,
    Instant createTime, long createIndex, long modifyIndex) {

  /**
   * Checks that the parts are present and copies the links.
   *
   * @throws IllegalArgumentException if {@code modifyIndex} is less than {@code createIndex}
   */
  public AclTokenInfo {
    requireNonNull(accessorId, "accessorId");
    requireNonNull(description, "description");
    policies = List.copyOf(requireNonNull(policies, "policies"));
    requireNonNull(createTime, "createTime");
    if (modifyIndex < createIndex) {
      throw new IllegalArgumentException("modifyIndex must not be less than createIndex: "
          + modifyIndex + " < " + createIndex);
    }
  }

  /** Returns whether this is Consul's anonymous token, used for requests without a token. */
  public boolean isAnonymous() {
    return accessorId.equals(AclToken.ANONYMOUS_ACCESSOR_ID);
  }

  /** Returns whether the token links to the builtin {@code global-management} policy. */
  public boolean hasGlobalManagement() {
    return policies.stream().anyMatch(p -> p.id().equals(AclPolicy.GLOBAL_MANAGEMENT_ID));
  }
}
