package dev.connect.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * How to run one query against a {@link ConnectBackend}: which ACL token, which datacenter, and
 * whether to block until the data changes (a Consul <em>blocking query</em>).
 *
 * <p>With {@link #minIndex()} {@code 0} a query answers at once. With a positive minimum index it
 * waits until the data's index exceeds it or {@link #maxWait()} elapses, then answers with
 * whatever is current; an answer with an unchanged index is normal and callers must tolerate it.
 * An index greater than the current one is treated as "not changed yet", as Consul does.
 *
 * <p>The token is a secret: {@link #toString()} never shows it.
 */
public final class QueryOptions {
  /** The wait a blocking query uses when none is given: five minutes, as in Consul. */
  public static final Duration DEFAULT_MAX_WAIT = Duration.ofMinutes(5);
  /** The longest wait a backend honours: ten minutes, as in Consul. */
  public static final Duration MAX_WAIT_CAP = Duration.ofMinutes(10);

  private static final QueryOptions DEFAULTS = builder().build();

  private final String tokenSecret;
  private final String datacenter;
  private final long minIndex;
  private final Duration maxWait;

  private QueryOptions(Builder b) {
    this.tokenSecret = b.tokenSecret;
    this.datacenter = b.datacenter;
    this.minIndex = b.minIndex;
    this.maxWait = b.maxWait;
  }

  /** Returns options for a non-blocking query with no token in the backend's own datacenter. */
  public static QueryOptions defaults() {
    return DEFAULTS;
  }

  /** Returns a builder with the defaults: no token, local datacenter, not blocking. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder initialised from these options, in which each option can still be set
   * once: the copied values do not count as set.
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.tokenSecret = tokenSecret;
    b.datacenter = datacenter;
    b.minIndex = minIndex;
    b.maxWait = maxWait;
    return b;
  }

  /** Returns the ACL token's secret ID, if one is set; the anonymous token is used otherwise. */
  public Optional<String> tokenSecret() {
    return Optional.ofNullable(tokenSecret);
  }

  /** Returns the datacenter to query, if not the backend's own. */
  public Optional<String> datacenter() {
    return Optional.ofNullable(datacenter);
  }

  /** Returns the index to block on; {@code 0} for a query that answers at once. */
  public long minIndex() {
    return minIndex;
  }

  /** Returns the longest a blocking query waits; {@link #DEFAULT_MAX_WAIT} unless set. */
  public Duration maxWait() {
    return maxWait;
  }

  /** Tells whether this query blocks, that is whether {@link #minIndex()} is positive. */
  public boolean isBlocking() {
    return minIndex > 0;
  }

  /** Returns the settings with the token redacted. */
  @Override
  public String toString() {
    return "QueryOptions[token=" + (tokenSecret == null ? "anonymous" : "<redacted>")
        + ", datacenter=" + (datacenter == null ? "local" : datacenter)
        + ", minIndex=" + minIndex + ", maxWait=" + maxWait + "]";
  }

  /**
   * A mutable builder of {@link QueryOptions}. Each option may be set once: setting it again
   * throws {@link IllegalStateException} naming the earlier value (never the token), since a
   * second call is more often a mistake than a wish to override. Values copied by {@link
   * QueryOptions#toBuilder()} do not count as set, so each of them can be changed once.
   */
  public static final class Builder {
    private String tokenSecret;
    private String datacenter;
    private long minIndex;
    private Duration maxWait = DEFAULT_MAX_WAIT;
    private boolean tokenSet;
    private boolean datacenterSet;
    private boolean minIndexSet;
    private boolean maxWaitSet;

    private Builder() {}

    /**
     * Sets the ACL token's secret ID. Default: none, so the anonymous token applies.
     *
     * @param secretId the token's secret
     * @return this builder
     * @throws IllegalArgumentException if {@code secretId} is empty
     * @throws IllegalStateException if the token was already set on this builder; the message
     *     does not show it
     */
    public Builder token(String secretId) {
      requireNonNull(secretId, "secretId");
      if (secretId.isEmpty()) {
        throw new IllegalArgumentException("token must not be empty");
      }
      checkNotSet(tokenSet, "token", "<redacted>");
      this.tokenSecret = secretId;
      this.tokenSet = true;
      return this;
    }

    /**
     * Sets the datacenter to query. Default: the backend's own.
     *
     * @param datacenter a datacenter name such as {@code dc1}
     * @return this builder
     * @throws IllegalArgumentException if {@code datacenter} is empty
     * @throws IllegalStateException if the datacenter was already set on this builder
     */
    public Builder datacenter(String datacenter) {
      requireNonNull(datacenter, "datacenter");
      if (datacenter.isEmpty()) {
        throw new IllegalArgumentException("datacenter must not be empty");
      }
      checkNotSet(datacenterSet, "datacenter",
          datacenterSet ? InvalidSpiffeIdException.escape(this.datacenter, 256) : null);
      this.datacenter = datacenter;
      this.datacenterSet = true;
      return this;
    }

    /**
     * Sets the index to block on. Default: {@code 0}, not blocking.
     *
     * @param index the index last seen
     * @return this builder
     * @throws IllegalArgumentException if {@code index} is negative
     * @throws IllegalStateException if the index was already set on this builder
     */
    public Builder minIndex(long index) {
      if (index < 0) {
        throw new IllegalArgumentException("minIndex must not be negative: " + index);
      }
      checkNotSet(minIndexSet, "minIndex", minIndex);
      this.minIndex = index;
      this.minIndexSet = true;
      return this;
    }

    /**
     * Sets the longest a blocking query waits. Default: five minutes; values above ten minutes
     * are capped at ten, as Consul does.
     *
     * @param wait the maximum wait
     * @return this builder
     * @throws IllegalArgumentException if {@code wait} is negative or zero
     * @throws IllegalStateException if the wait was already set on this builder, naming the
     *     earlier wait as capped
     */
    public Builder maxWait(Duration wait) {
      requireNonNull(wait, "wait");
      if (wait.isNegative() || wait.isZero()) {
        throw new IllegalArgumentException("maxWait must be positive: " + wait);
      }
      checkNotSet(maxWaitSet, "maxWait", maxWait);
      this.maxWait = wait.compareTo(MAX_WAIT_CAP) > 0 ? MAX_WAIT_CAP : wait;
      this.maxWaitSet = true;
      return this;
    }

    /** Returns the options. */
    public QueryOptions build() {
      return new QueryOptions(this);
    }

    private static void checkNotSet(boolean set, String option, Object earlier) {
      if (set) {
        throw BuilderOptions.alreadySet(option, earlier);
      }
    }
  }
}
