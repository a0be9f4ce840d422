package dev.connect.tls;

import static java.util.Objects.requireNonNull;

import dev.connect.core.SpiffeId;
import java.util.Optional;

/**
 * What a Connect trust manager decided about one peer during a handshake.
 *
 * @param role which side of the connection made the decision
 * @param service the local service, such as {@code db}
 * @param peer the peer's SPIFFE ID, when its certificate carried a valid one
 * @param allowed whether the handshake may continue
 * @param reason why: the intention or default that decided (Consul's words, see {@link
 *     dev.connect.core.Decision#reason()}), or the check that failed; never empty
 */
public record HandshakeEvent(Role role, String service, Optional<SpiffeId> peer, boolean allowed,
    String reason) {

  /** Checks every value is present. */
  public HandshakeEvent {
    requireNonNull(role, "role");
    requireNonNull(service, "service");
    requireNonNull(peer, "peer");
    requireNonNull(reason, "reason");
  }

  /** The side of a connection that checked its peer. */
  public enum Role {
    /** A server checking an inbound client: chain, identity and intentions. */
    SERVER,
    /** A client checking the server it reached: chain and expected identity. */
    CLIENT
  }
}
