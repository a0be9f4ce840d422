package dev.connect.tls.internal;

import dev.connect.core.ConnectId;
import dev.connect.core.Decision;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.Intentions;
import dev.connect.core.InvalidSpiffeIdException;
import dev.connect.core.ServiceId;
import dev.connect.core.SpiffeId;
import java.util.Optional;

/**
 * The one place a Connect TLS context decides about a peer's identity, in both roles, once its
 * chain has validated: {@link Intentions#refusal} (not a Connect service, another trust domain
 * or partition, in Consul's words), then another namespace than {@code default}, which the CA
 * never issues and no intention can name (docs/security.md, handshake step 3); on a server the
 * intentions and the default policy decide the rest.
 */
public final class PeerRules {
  private PeerRules() {}

  /**
   * Returns the denial of {@code peer} by {@code local} that no intention can change, or empty.
   *
   * @param local the local service
   * @param peer the peer's SPIFFE ID
   * @return the denial, or empty when {@code peer} is a service of our trust domain, in the
   *     default namespace and partition
   */
  public static Optional<Decision> refusal(ServiceId local, SpiffeId peer) {
    ConnectId id;
    try {
      id = ConnectId.from(peer);
    } catch (InvalidSpiffeIdException e) {
      return Intentions.refusal(local, peer); // words the refusal of what is no Connect ID
    }
    return refusal(local, peer, id);
  }

  /** {@link #refusal(ServiceId, SpiffeId)} for a peer whose ID has been read as {@code id}. */
  private static Optional<Decision> refusal(ServiceId local, SpiffeId peer, ConnectId id) {
    Optional<Decision> refused = Intentions.refusal(local, id);
    if (refused.isPresent()) {
      return refused;
    }
    ServiceId service = (ServiceId) id; // refusal() accepted only a service
    if (!service.namespace().equals(ConnectId.DEFAULT_NAMESPACE)) {
      return Optional.of(new Decision(false, "peer " + peer + " is in namespace \""
          + service.namespace() + "\"; only the \"" + ConnectId.DEFAULT_NAMESPACE
          + "\" namespace is accepted", Optional.empty()));
    }
    return Optional.empty();
  }

  /**
   * Decides whether {@code client} may connect to {@code server}: {@link #refusal}, then the most
   * precedent of {@code intentions} matching, then {@code policy}.
   *
   * @param server the local service
   * @param intentions the intentions for it
   * @param client the client's SPIFFE ID
   * @param policy what decides when no intention matches
   * @return the decision
   */
  public static Decision authorize(ServiceId server, Intentions intentions, SpiffeId client,
      DefaultIntentionPolicy policy) {
    ConnectId id;
    try {
      id = ConnectId.from(client); // read once per handshake
    } catch (InvalidSpiffeIdException e) {
      return Intentions.refusal(server, client).orElseThrow();
    }
    Optional<Decision> refused = refusal(server, client, id);
    if (refused.isPresent()) {
      return refused.get();
    }
    return intentions.authorize(server, id, policy);
  }
}
