package dev.connect.cache;

import static java.util.Objects.requireNonNull;

import dev.connect.core.BuilderOptions;
import dev.connect.core.QueryOptions;
import java.time.Duration;
import java.util.Optional;

/**
 * Who reads from a {@link ConnectCache}, where, and how fresh the answer must be: an ACL token,
 * a datacenter and an optional maximum age.
 *
 * <p>Entries are partitioned by token and datacenter, so a read never returns what another token
 * fetched. The partition key is a SHA-256 of the token's secret, computed once here: build one
 * request per token and reuse it, which keeps cache hits cheap.
 *
 * <p>The token is a secret: {@link #toString()} shows only the first bytes of its hash.
 */
public final class CacheRequest {
  private static final CacheRequest ANONYMOUS = builder().build();

  private final String tokenSecret;
  private final TokenHash tokenHash;
  private final String datacenter;
  private final long maxAgeNanos;
  private final QueryOptions options;

  private CacheRequest(Builder b) {
    this.tokenSecret = b.tokenSecret;
    this.tokenHash = TokenHash.of(b.tokenSecret);
    this.datacenter = b.datacenter;
    this.maxAgeNanos = b.maxAge == null ? -1 : b.maxAge.toNanos();
    QueryOptions.Builder qo = QueryOptions.builder();
    if (b.tokenSecret != null) {
      qo.token(b.tokenSecret);
    }
    if (b.datacenter != null) {
      qo.datacenter(b.datacenter);
    }
    this.options = qo.build();
  }

  /** Returns a request with no token (the backend applies the anonymous token), local datacenter. */
  public static CacheRequest anonymous() {
    return ANONYMOUS;
  }

  /**
   * Returns a request with a token, in the local datacenter, with no maximum age.
   *
   * @param secretId the token's secret ID
   * @return the request
   * @throws IllegalArgumentException if {@code secretId} is empty
   */
  public static CacheRequest withToken(String secretId) {
    return builder().token(secretId).build();
  }

  /** Returns a builder: no token, local datacenter, any age. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the datacenter, if not the cache's local one. */
  public Optional<String> datacenter() {
    return Optional.ofNullable(datacenter);
  }

  /** Returns the maximum age of an answer, if one was asked for. */
  public Optional<Duration> maxAge() {
    return maxAgeNanos < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(maxAgeNanos));
  }

  /** The datacenter, or null for the cache's local one: the hit path, without an Optional. */
  String datacenterOrNull() {
    return datacenter;
  }

  long maxAgeNanos() {
    return maxAgeNanos;
  }

  TokenHash tokenHash() {
    return tokenHash;
  }

  /** Options for a non-blocking query with this token and datacenter. */
  QueryOptions options() {
    return options;
  }

  /** This request without a maximum age, which is what an entry keeps for its loop. */
  CacheRequest withoutMaxAge() {
    if (maxAgeNanos < 0) {
      return this;
    }
    Builder b = builder();
    b.tokenSecret = tokenSecret;
    b.datacenter = datacenter;
    return b.build();
  }

  /** Returns the token's hash prefix, the datacenter and the maximum age; never the secret. */
  @Override
  public String toString() {
    return "CacheRequest[token=" + tokenHash + ", datacenter="
        + (datacenter == null ? "local" : datacenter)
        + (maxAgeNanos < 0 ? "" : ", maxAge=" + Duration.ofNanos(maxAgeNanos)) + "]";
  }

  /** A mutable builder of {@link CacheRequest}. */
  public static final class Builder {
    private String tokenSecret;
    private String datacenter;
    private Duration maxAge;

    private Builder() {}

    /**
     * Sets the ACL token's secret ID. Default: none, so the backend applies the anonymous token.
     *
     * @param secretId the secret
     * @return this builder
     * @throws IllegalArgumentException if {@code secretId} is empty
     * @throws IllegalStateException if the token was already set; the message does not show it
     */
    public Builder token(String secretId) {
      requireNonNull(secretId, "secretId");
      if (secretId.isEmpty()) {
        throw new IllegalArgumentException("token must not be empty");
      }
      this.tokenSecret = BuilderOptions.once("token", tokenSecret == null ? null : "<redacted>",
          secretId);
      return this;
    }

    /**
     * Sets the datacenter. Default: the cache's local datacenter.
     *
     * @param datacenter a datacenter name such as {@code dc1}
     * @return this builder
     * @throws IllegalArgumentException if {@code datacenter} is empty
     * @throws IllegalStateException if the datacenter was already set
     */
    public Builder datacenter(String datacenter) {
      requireNonNull(datacenter, "datacenter");
      if (datacenter.isEmpty()) {
        throw new IllegalArgumentException("datacenter must not be empty");
      }
      this.datacenter = BuilderOptions.once("datacenter", this.datacenter, datacenter);
      return this;
    }

    /**
     * Sets the maximum age of an answer (see {@link EntryStatus#age()}): an older cached value
     * is fetched again before it is returned, and a failure of that fetch is thrown. Default:
     * any age, so the last good value is served while refreshes fail.
     *
     * @param maxAge the maximum age; zero accepts only a value whose loop is healthy
     * @return this builder
     * @throws IllegalArgumentException if {@code maxAge} is negative
     * @throws IllegalStateException if the maximum age was already set
     */
    public Builder maxAge(Duration maxAge) {
      requireNonNull(maxAge, "maxAge");
      if (maxAge.isNegative()) {
        throw new IllegalArgumentException("maxAge must not be negative: " + maxAge);
      }
      this.maxAge = BuilderOptions.once("maxAge", this.maxAge, maxAge);
      return this;
    }

    /** Returns the request. */
    public CacheRequest build() {
      return new CacheRequest(this);
    }
  }
}
