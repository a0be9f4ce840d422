package dev.connect.core;

import static java.util.Objects.requireNonNull;

import dev.connect.core.internal.AclGoSyntax;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An ACL token: a public accessor ID that names it in logs and APIs, and a secret ID that a
 * client presents as its bearer credential (Consul's {@code X-Consul-Token}).
 *
 * <p>The secret is guarded: {@link #toString()} shows only the accessor ({@code
 * AclToken[accessor=..., secret=<redacted>]}); {@link #secretMatches} compares in constant time;
 * reading it takes the loud {@link #revealSecretId()}, which a server calls once, to answer the
 * request that created the token. The token is a class, not a record, because a record would print
 * every component.
 *
 * <p>Consul's anonymous token ({@link #anonymous}, accessor {@value #ANONYMOUS_ACCESSOR_ID})
 * stands for requests that send no token.
 */
public final class AclToken {
  /** The accessor ID of Consul's anonymous token, used for requests without a token. */
  public static final String ANONYMOUS_ACCESSOR_ID = "00000000-0000-0000-0000-000000000002";
  /** The secret ID of Consul's anonymous token; it is public by design. */
  public static final String ANONYMOUS_SECRET_ID = "anonymous";

  private final String accessorId;
  private final String secretId;
  private final byte[] secretHash;
  private final String description;
  private final List<AclPolicyLink> policies;
  private final boolean local;
  private final Instant createTime;

  private AclToken(Builder b) {
    this.accessorId = b.accessorId;
    this.secretId = b.secretId;
    this.secretHash = sha256(b.secretId);
    this.description = b.description == null ? "" : b.description;
    this.policies = List.copyOf(b.policies);
    this.local = b.local != null && b.local;
    this.createTime = b.createTime;
  }

  /** Returns a builder; accessor ID, secret ID and creation time are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns Consul's anonymous token: accessor {@value #ANONYMOUS_ACCESSOR_ID}, secret {@code
   * anonymous}, description "Anonymous Token", no policies.
   *
   * @param createTime when the ACL system created it
   * @return the token
   */
  public static AclToken anonymous(Instant createTime) {
    return builder().accessorId(ANONYMOUS_ACCESSOR_ID).secretId(ANONYMOUS_SECRET_ID)
        .description("Anonymous Token").createTime(createTime).build();
  }

  /** Returns the accessor ID: the token's public name, a UUID. */
  public String accessorId() {
    return accessorId;
  }

  /**
   * Returns the secret ID, the bearer credential. Call it only to hand the secret to the party
   * that owns the token, such as the response to the request that created it; never log it.
   */
  public String revealSecretId() {
    return secretId;
  }

  /**
   * Returns whether {@code candidate} is this token's secret, comparing SHA-256 digests of the
   * UTF-8 bytes with {@link MessageDigest#isEqual}, so the time taken reveals neither the secret
   * nor its length.
   *
   * @param candidate a secret a client presented
   * @return true if it is this token's secret
   */
  public boolean secretMatches(String candidate) {
    requireNonNull(candidate, "candidate");
    return MessageDigest.isEqual(secretHash, sha256(candidate));
  }

  /** Returns the description, empty when none was given. */
  public String description() {
    return description;
  }

  /** Returns the links to the token's policies, in the order given. */
  public List<AclPolicyLink> policies() {
    return policies;
  }

  /** Returns whether the token is local to its datacenter (not replicated); false by default. */
  public boolean local() {
    return local;
  }

  /** Returns when the token was created. */
  public Instant createTime() {
    return createTime;
  }

  /** Returns whether this is the anonymous token. */
  public boolean isAnonymous() {
    return accessorId.equals(ANONYMOUS_ACCESSOR_ID);
  }

  /** Returns whether the token links to Consul's builtin {@code global-management} policy. */
  public boolean hasGlobalManagement() {
    for (AclPolicyLink link : policies) {
      if (link.id().equals(AclPolicy.GLOBAL_MANAGEMENT_ID)) {
        return true;
      }
    }
    return false;
  }

  /** Compares every field; the secrets in constant time. */
  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof AclToken other)) {
      return false;
    }
    boolean sameSecret = MessageDigest.isEqual(secretHash, other.secretHash);
    return sameSecret && accessorId.equals(other.accessorId)
        && description.equals(other.description) && policies.equals(other.policies)
        && local == other.local && createTime.equals(other.createTime);
  }

  /** Hashes the fields other than the secret. */
  @Override
  public int hashCode() {
    return Objects.hash(accessorId, description, policies, local, createTime);
  }

  /** Returns {@code AclToken[accessor=<accessor ID>, secret=<redacted>]}. */
  @Override
  public String toString() {
    return "AclToken[accessor=" + accessorId + ", secret=<redacted>]";
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * Builds an {@link AclToken}. Each setting may be given once; the builder checks every value
   * when it is set, and {@link #build()} checks that the required ones were.
   */
  public static final class Builder {
    private String accessorId;
    private String secretId;
    private String description;
    private final List<AclPolicyLink> policies = new ArrayList<>();
    private boolean policiesSet;
    private Boolean local;
    private Instant createTime;

    private Builder() {}

    /**
     * Sets the accessor ID. Required.
     *
     * @param accessorId a UUID, such as {@code ae57a5c5-847c-23dd-51d6-70dbba39354a}
     * @return this builder
     * @throws IllegalArgumentException if it is not a UUID
     * @throws IllegalStateException if it was already set
     */
    public Builder accessorId(String accessorId) {
      requireNonNull(accessorId, "accessorId");
      if (this.accessorId != null) {
        throw BuilderOptions.alreadySet("accessorId", this.accessorId);
      }
      if (!AclIds.isUuid(accessorId)) {
        throw new IllegalArgumentException("accessorId must be a UUID, not "
            + AclGoSyntax.quote(accessorId));
      }
      this.accessorId = accessorId;
      return this;
    }

    /**
     * Sets the secret ID. Required. Consul generates UUIDs, but a configured bootstrap secret or
     * the anonymous token's {@code anonymous} may be any non-empty text.
     *
     * @param secretId the secret
     * @return this builder
     * @throws IllegalArgumentException if it is empty (the message never shows a secret)
     * @throws IllegalStateException if it was already set
     */
    public Builder secretId(String secretId) {
      requireNonNull(secretId, "secretId");
      if (this.secretId != null) {
        throw BuilderOptions.alreadySet("secretId", "<redacted>");
      }
      if (secretId.isEmpty()) {
        throw new IllegalArgumentException("secretId must not be empty");
      }
      this.secretId = secretId;
      return this;
    }

    /**
     * Sets the description. Default: empty.
     *
     * @param description free text
     * @return this builder
     * @throws IllegalStateException if it was already set
     */
    public Builder description(String description) {
      requireNonNull(description, "description");
      if (this.description != null) {
        throw BuilderOptions.alreadySet("description", AclGoSyntax.quote(this.description));
      }
      this.description = description;
      return this;
    }

    /**
     * Sets the links to the token's policies. Default: none.
     *
     * @param policies the links, each policy ID at most once
     * @return this builder
     * @throws IllegalArgumentException if a policy ID appears twice
     * @throws IllegalStateException if the policies were already set
     */
    public Builder policies(List<AclPolicyLink> policies) {
      requireNonNull(policies, "policies");
      if (policiesSet) {
        throw BuilderOptions.alreadySet("policies", this.policies);
      }
      Set<String> ids = new HashSet<>();
      for (AclPolicyLink link : policies) {
        requireNonNull(link, "policies contains null");
        if (!ids.add(link.id())) {
          throw new IllegalArgumentException("policy " + link.id() + " is linked twice");
        }
      }
      this.policies.addAll(policies);
      this.policiesSet = true;
      return this;
    }

    /**
     * Sets whether the token is local to its datacenter. Default: false (global).
     *
     * @param local true for a local token
     * @return this builder
     * @throws IllegalStateException if it was already set
     */
    public Builder local(boolean local) {
      if (this.local != null) {
        throw BuilderOptions.alreadySet("local", this.local);
      }
      this.local = local;
      return this;
    }

    /**
     * Sets the creation time. Required; read it from the injected {@code Clock}.
     *
     * @param createTime when the token was created
     * @return this builder
     * @throws IllegalStateException if it was already set
     */
    public Builder createTime(Instant createTime) {
      requireNonNull(createTime, "createTime");
      if (this.createTime != null) {
        throw BuilderOptions.alreadySet("createTime", this.createTime);
      }
      this.createTime = createTime;
      return this;
    }

    /**
     * Returns the token.
     *
     * @return the token
     * @throws IllegalStateException naming the first required setting that is missing
     */
    public AclToken build() {
      if (accessorId == null) {
        throw new IllegalStateException("accessorId is required");
      }
      if (secretId == null) {
        throw new IllegalStateException("secretId is required");
      }
      if (createTime == null) {
        throw new IllegalStateException("createTime is required");
      }
      return new AclToken(this);
    }
  }
}
