package dev.connect.core;

import static java.util.Objects.requireNonNull;

/**
 * The identity of a Consul client agent: {@code spiffe://<td>/agent/client/dc/<dc>/id/<node>}.
 *
 * <p>Consul issues these to agents for auto-encrypt and auto-config; Connect authorization never
 * accepts one in place of a service identity.
 *
 * @param trustDomain the trust domain
 * @param partition the admin partition, {@code default} outside Consul Enterprise
 * @param datacenter the datacenter
 * @param node the node name
 */
public record AgentId(String trustDomain, String partition, String datacenter, String node)
    implements ConnectId {

  /**
   * Validates every part by building the SPIFFE ID it stands for.
   *
   * @throws InvalidSpiffeIdException if a part is not a valid SPIFFE trust domain or segment
   */
  public AgentId {
    requireNonNull(trustDomain, "trustDomain");
    requireNonNull(partition, "partition");
    requireNonNull(datacenter, "datacenter");
    requireNonNull(node, "node");
    toSpiffeId(trustDomain, partition, datacenter, node);
  }

  /**
   * Returns the identity of a client agent in the default partition.
   *
   * @param trustDomain the trust domain
   * @param datacenter the datacenter
   * @param node the node name
   * @return the identity
   * @throws InvalidSpiffeIdException if a part is not valid in a SPIFFE ID
   */
  public static AgentId of(String trustDomain, String datacenter, String node) {
    return new AgentId(trustDomain, DEFAULT_PARTITION, datacenter, node);
  }

  @Override
  public SpiffeId spiffeId() {
    return toSpiffeId(trustDomain, partition, datacenter, node);
  }

  /** Returns the SPIFFE ID as text. */
  @Override
  public String toString() {
    return spiffeId().toString();
  }

  private static SpiffeId toSpiffeId(String td, String ap, String dc, String node) {
    return ap.equals(DEFAULT_PARTITION)
        ? SpiffeId.of(td, "agent", "client", "dc", dc, "id", node)
        : SpiffeId.of(td, "ap", ap, "agent", "client", "dc", dc, "id", node);
  }
}
