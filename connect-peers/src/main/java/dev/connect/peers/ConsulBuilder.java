package dev.connect.peers;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The options {@link ConsulAgent.Builder} and {@link ConsulCluster.Builder} share: extra HCL,
 * the ready timeout and the Consul binary. Each returns the builder it is called on.
 *
 * @param <B> the builder's own type
 */
abstract class ConsulBuilder<B extends ConsulBuilder<B>> {
  final List<String> hcl = new ArrayList<>();
  Duration readyTimeout;
  private Optional<Path> binary = Optional.empty();

  ConsulBuilder(Duration defaultReadyTimeout) {
    this.readyTimeout = defaultReadyTimeout;
  }

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /**
   * Adds configuration in HCL (for every server of a cluster), passed as one {@code -hcl}
   * argument after the builder's own; repeatable. Default: none.
   *
   * @throws IllegalArgumentException if {@code config} is blank
   */
  public final B hcl(String config) {
    requireNonNull(config, "config");
    if (config.isBlank()) {
      throw new IllegalArgumentException("hcl must not be blank");
    }
    hcl.add(config);
    return self();
  }

  /**
   * Sets how long {@code start()} waits for readiness, per attempt, and for a cluster also how
   * long {@link ConsulCluster#leader()} waits for a leader. Default: 60 s for an agent, 90 s for
   * a cluster.
   *
   * @throws IllegalArgumentException if {@code timeout} is not positive
   */
  public final B readyTimeout(Duration timeout) {
    requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("readyTimeout must be positive: " + timeout);
    }
    readyTimeout = timeout;
    return self();
  }

  /** Sets the Consul binary. Default: {@link PeerBinaries#consul()}. */
  public final B binary(Path consul) {
    binary = Optional.of(requireNonNull(consul, "consul"));
    return self();
  }

  /** The binary set, or {@link PeerBinaries#consul()}. */
  final Path consul() {
    return binary.orElseGet(PeerBinaries::consul);
  }
}
