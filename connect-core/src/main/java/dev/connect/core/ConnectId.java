package dev.connect.core;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A SPIFFE ID in one of the forms Consul Connect gives meaning to: a service, a client agent, or
 * the signing (CA) identity of a trust domain.
 *
 * <p>The forms, as Consul writes them:
 *
 * <ul>
 *   <li>{@link ServiceId}: {@code spiffe://<td>/ns/<ns>/dc/<dc>/svc/<name>}, with an optional
 *       {@code /ap/<partition>} prefix before {@code /ns} when the partition is not {@code
 *       default};
 *   <li>{@link AgentId}: {@code spiffe://<td>/agent/client/dc/<dc>/id/<node>}, with the same
 *       optional partition prefix;
 *   <li>{@link SigningId}: {@code spiffe://<td>}, no path; the URI SAN of a CA root.
 * </ul>
 *
 * <p>Path matching is case-sensitive and every segment must be non-empty, as in Consul; the SPIFFE
 * rules of {@link SpiffeId} apply on top. An explicit {@code /ap/default} is read as the default
 * partition, as Consul does, and is not written back: for that one spelling {@code
 * from(id).spiffeId()} is shorter than {@code id}, though both name the same identity.
 */
public sealed interface ConnectId permits ServiceId, AgentId, SigningId {
  /** The partition Consul assumes when a URI has no {@code /ap/} segment. */
  String DEFAULT_PARTITION = "default";
  /** The namespace Consul Community Edition always writes. */
  String DEFAULT_NAMESPACE = "default";

  /** Returns the trust domain this identity belongs to. */
  String trustDomain();

  /** Returns this identity as a SPIFFE ID. */
  SpiffeId spiffeId();

  /**
   * Parses a SPIFFE ID and reads its Connect form.
   *
   * @param uri text such as {@code spiffe://7f3c.consul/ns/default/dc/dc1/svc/web}
   * @return the service, agent or signing identity
   * @throws InvalidSpiffeIdException if {@code uri} is not a valid SPIFFE ID or not one of the
   *     Connect forms
   */
  static ConnectId parse(String uri) {
    return from(SpiffeId.parse(uri));
  }

  /**
   * Reads the Connect form of a SPIFFE ID.
   *
   * @param id a SPIFFE ID
   * @return the service, agent or signing identity
   * @throws InvalidSpiffeIdException if the path is none of the Connect forms, or there is no
   *     path and the trust domain is not {@code <cluster-id>.<domain>}
   */
  static ConnectId from(SpiffeId id) {
    requireNonNull(id, "id");
    List<String> s = id.segments();
    if (s.isEmpty()) {
      return SigningId.of(id.trustDomain());
    }
    String partition = DEFAULT_PARTITION;
    int at = 0;
    if (s.size() > 2 && s.get(0).equals("ap")) {
      partition = s.get(1);
      at = 2;
    }
    int n = s.size() - at;
    switch (s.get(at)) {
      case "ns":
        if (n == 6 && s.get(at + 2).equals("dc") && s.get(at + 4).equals("svc")) {
          return new ServiceId(id.trustDomain(), partition, s.get(at + 1), s.get(at + 3),
              s.get(at + 5));
        }
        throw new InvalidSpiffeIdException(id.toString(), "a service identity must have the"
            + " path [/ap/<partition>]/ns/<ns>/dc/<dc>/svc/<service>");
      case "agent":
        if (n == 6 && s.get(at + 1).equals("client") && s.get(at + 2).equals("dc")
            && s.get(at + 4).equals("id")) {
          return new AgentId(id.trustDomain(), partition, s.get(at + 3), s.get(at + 5));
        }
        throw new InvalidSpiffeIdException(id.toString(), "an agent identity must have the"
            + " path [/ap/<partition>]/agent/client/dc/<dc>/id/<node>");
      default:
        throw new InvalidSpiffeIdException(id.toString(), "not in a Connect form: expected"
            + " [/ap/<partition>]/ns/<ns>/dc/<dc>/svc/<service>,"
            + " [/ap/<partition>]/agent/client/dc/<dc>/id/<node> or no path");
    }
  }
}
