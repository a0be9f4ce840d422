package dev.connect.core;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * An immutable set of {@link Intention}s, indexed so that deciding for one connection costs a
 * few hash lookups whatever the number of intentions; the matcher behind Consul's {@code
 * /v1/connect/intentions/match}, {@code /check} and {@code /v1/agent/connect/authorize}.
 *
 * <pre>{@code
 * Intentions intentions = Intentions.of(
 *     Intention.of("web", "db", IntentionAction.ALLOW),
 *     Intention.of("*", "*", IntentionAction.DENY));
 * Decision d = intentions.authorize(db, webUri, serial, DefaultIntentionPolicy.ACLS_DISABLED);
 * // d.allowed() is true; d.reason() is
 * // "Matched L4 intention: default/web => default/db (Precedence: 9, Action: ALLOW)"
 * }</pre>
 *
 * <p>The most precedent intention matching both the source and the destination decides (see
 * {@link Intention} for precedence); when none matches, a {@link DefaultIntentionPolicy} does.
 * Because only intentions whose destination covers a service can decide for it, the intentions
 * {@link #matchByDestination(String)} returns for {@code db}, collected into an {@code
 * Intentions} of their own, decide for {@code db} exactly as the whole set does: that is what an
 * agent caches.
 *
 * <p>A changed set is a new instance: build it with {@link #of(Collection)}, which sorts and
 * indexes in O(n log n), and publish it (for example through an {@code AtomicReference}). L7
 * intentions (HTTP permissions) are not supported yet. Intentions here live in the {@code
 * default} admin partition; a service in another partition matches none of them.
 */
public final class Intentions {
  private static final Intentions EMPTY = new Intentions(List.of());
  private static final String NOT_CONNECT = "ClientCertURI not a valid Connect identifier: ";
  private static final String NOT_SERVICE = "ClientCertURI not a valid Service identifier: ";

  private final IntentionIndex index;

  private Intentions(Collection<Intention> intentions) {
    this.index = new IntentionIndex(intentions);
  }

  /**
   * Returns a set of the given intentions.
   *
   * @param intentions at most one per (source, destination) pair, and IDs that are empty or
   *     unique
   * @return the set
   * @throws IllegalArgumentException if two intentions have the same source and destination
   *     ("duplicate intention found: ..." naming both) or the same non-empty ID
   */
  public static Intentions of(Collection<Intention> intentions) {
    requireNonNull(intentions, "intentions");
    for (Intention intention : intentions) {
      requireNonNull(intention, "intention");
    }
    return intentions.isEmpty() ? EMPTY : new Intentions(intentions);
  }

  /**
   * Returns a set of the given intentions.
   *
   * @param intentions at most one per (source, destination) pair
   * @return the set
   * @throws IllegalArgumentException as {@link #of(Collection)} does
   */
  public static Intentions of(Intention... intentions) {
    return of(List.of(intentions));
  }

  /** Returns the empty set, in which the default policy decides everything. */
  public static Intentions empty() {
    return EMPTY;
  }

  /** Returns the number of intentions. */
  public int size() {
    return index.all().size();
  }

  /**
   * Returns every intention, sorted as Consul lists them: by precedence, highest first, then by
   * source namespace, source name, destination namespace and destination name.
   *
   * @return an immutable list
   */
  public List<Intention> all() {
    return index.all();
  }

  /**
   * Returns the intention for exactly this source and destination, as Consul's {@code GET
   * /v1/connect/intentions/exact} does: wildcards are compared as values, not expanded.
   *
   * @param source the source, for example {@code IntentionTarget.parse("web")}
   * @param destination the destination
   * @return the intention, or empty
   */
  public Optional<Intention> get(IntentionTarget source, IntentionTarget destination) {
    requireNonNull(source, "source");
    requireNonNull(destination, "destination");
    return Optional.ofNullable(index.get(source, destination));
  }

  /**
   * Returns the intention with this ID.
   *
   * @param id a UUID
   * @return the intention, or empty (always empty for the empty string, which is no ID)
   */
  public Optional<Intention> byId(String id) {
    requireNonNull(id, "id");
    return id.isEmpty() ? Optional.empty() : Optional.ofNullable(index.byId(id));
  }

  /**
   * Returns the intentions whose destination covers {@code name}, most precedent first, as
   * Consul's {@code /match?by=destination&name=<name>} does: those to <code>*&#47;*</code>, to
   * {@code ns/*} and to {@code ns/name}. A wildcard name asks only for the wildcard shapes it
   * spells ({@code *} gives those to <code>*&#47;*</code> and {@code default/*}).
   *
   * @param name {@code name} (in the {@code default} namespace) or {@code namespace/name}
   * @return an immutable list, empty when nothing matches
   * @throws IllegalArgumentException if {@code name} is not a valid {@link IntentionTarget}
   */
  public List<Intention> matchByDestination(String name) {
    return index.matchByDestination(IntentionTarget.parse(name));
  }

  /**
   * Returns the intentions whose source covers {@code name}, most precedent first, as Consul's
   * {@code /match?by=source&name=<name>} does.
   *
   * @param name {@code name} (in the {@code default} namespace) or {@code namespace/name}
   * @return an immutable list, empty when nothing matches
   * @throws IllegalArgumentException if {@code name} is not a valid {@link IntentionTarget}
   */
  public List<Intention> matchBySource(String name) {
    return index.matchBySource(IntentionTarget.parse(name));
  }

  /**
   * Decides whether {@code source} may connect to {@code destination}, as Consul's {@code GET
   * /v1/connect/intentions/check} does (which answers only {@link Decision#allowed()}).
   *
   * @param source the client service, {@code name} or {@code namespace/name}; no wildcard
   * @param destination the server service, {@code name} or {@code namespace/name}; no wildcard
   * @param defaultPolicy what decides when no intention matches
   * @return the decision, with the reason {@link #authorize(ServiceId, ConnectId,
   *     DefaultIntentionPolicy)} would give
   * @throws IllegalArgumentException if a service is not a valid target or is a wildcard
   */
  public Decision check(String source, String destination, DefaultIntentionPolicy defaultPolicy) {
    IntentionTarget s = exact("source", source);
    IntentionTarget d = exact("destination", destination);
    requireNonNull(defaultPolicy, "defaultPolicy");
    return decide(s.namespace(), s.name(), d.namespace(), d.name(), defaultPolicy);
  }

  /**
   * Decides whether the holder of a client certificate may connect to {@code destination}, as
   * Consul's {@code POST /v1/agent/connect/authorize} does, but never throws for a bad client:
   * where Consul answers HTTP 400, this denies with Consul's text as the start of the reason.
   *
   * <p>In order: a URI that is not a Connect SPIFFE ID is denied ({@code ClientCertURI not a
   * valid Connect identifier: <why>}); an agent or signing ID is denied ({@code ClientCertURI not
   * a valid Service identifier: <uri>}); then as {@link #authorize(ServiceId, ConnectId,
   * DefaultIntentionPolicy)}. URIs follow {@link SpiffeId#parse(String)}, which is stricter than
   * Consul (no percent-encoding, lower-case trust domain).
   *
   * @param destination the service being connected to, whose trust domain is the local one
   * @param clientCertUri the URI SAN of the client's certificate
   * @param clientCertSerial the client certificate's serial; unused (no revocation), as in
   *     Consul, and may be empty
   * @param defaultPolicy what decides when no intention matches
   * @return the decision
   */
  public Decision authorize(ServiceId destination, String clientCertUri, String clientCertSerial,
      DefaultIntentionPolicy defaultPolicy) {
    requireNonNull(destination, "destination");
    requireNonNull(clientCertUri, "clientCertUri");
    requireNonNull(clientCertSerial, "clientCertSerial");
    requireNonNull(defaultPolicy, "defaultPolicy");
    ConnectId client;
    try {
      client = ConnectId.parse(clientCertUri);
    } catch (InvalidSpiffeIdException e) {
      return Decision.deny(NOT_CONNECT + e.getMessage());
    }
    return authorize(destination, client, defaultPolicy);
  }

  /**
   * Decides whether the workload with SPIFFE ID {@code client} may connect to {@code
   * destination}; as {@link #authorize(ServiceId, String, String, DefaultIntentionPolicy)}, for a
   * caller that has read the ID from a certificate.
   *
   * @param destination the service being connected to, whose trust domain is the local one
   * @param client the client's SPIFFE ID
   * @param defaultPolicy what decides when no intention matches
   * @return the decision
   */
  public Decision authorize(ServiceId destination, SpiffeId client,
      DefaultIntentionPolicy defaultPolicy) {
    requireNonNull(destination, "destination");
    requireNonNull(client, "client");
    requireNonNull(defaultPolicy, "defaultPolicy");
    ConnectId id;
    try {
      id = ConnectId.from(client);
    } catch (InvalidSpiffeIdException e) {
      return Decision.deny(NOT_CONNECT + e.getMessage());
    }
    return authorize(destination, id, defaultPolicy);
  }

  /**
   * Decides whether the Connect identity {@code client} may connect to {@code destination}.
   *
   * <p>In order: an agent or signing identity is denied ({@code ClientCertURI not a valid
   * Service identifier: <uri>}); a service from another trust domain than {@code destination}'s
   * is denied ({@code Identity from an external trust domain: <trust domain>}, Consul 1.2's
   * words; Consul 1.3 and later leave this to the TLS chain); a service in another admin
   * partition is denied ({@code Mismatched partitions: "<client>" != "<destination>"}, Consul
   * 1.11's words); then the most precedent intention from the client's namespace and name to the
   * destination's decides, or {@code defaultPolicy} when none matches. The datacenter in the
   * client's identity is not checked, as in Consul.
   *
   * <p>An allowing or denying intention's decision is made once and reused, so this allocates
   * nothing in the common case.
   *
   * @param destination the service being connected to, whose trust domain is the local one
   * @param client the client's identity
   * @param defaultPolicy what decides when no intention matches
   * @return the decision
   */
  public Decision authorize(ServiceId destination, ConnectId client,
      DefaultIntentionPolicy defaultPolicy) {
    requireNonNull(destination, "destination");
    requireNonNull(client, "client");
    requireNonNull(defaultPolicy, "defaultPolicy");
    Decision refused = refuse(destination, client);
    if (refused != null) {
      return refused;
    }
    ServiceId source = (ServiceId) client;
    if (!source.partition().equals(ConnectId.DEFAULT_PARTITION)) {
      return defaultPolicy.decision();
    }
    return decide(source.namespace(), source.service(), destination.namespace(),
        destination.service(), defaultPolicy);
  }

  /**
   * Returns the denial that no intention can change for a peer of {@code local}, or empty when
   * intentions (or the default policy) decide: the first checks of {@link #authorize(ServiceId,
   * ConnectId, DefaultIntentionPolicy)}, in its order and with its reasons ({@code ClientCertURI
   * not a valid Connect identifier: ...}, {@code ClientCertURI not a valid Service identifier:
   * ...}, {@code Identity from an external trust domain: <host>}, {@code Mismatched partitions:
   * ...}). The one place these situations are decided: a TLS context applies it to servers it
   * reaches as well as to clients, so that each situation has one reason in every role.
   *
   * @param local the local service, whose trust domain and partition are ours
   * @param peer the peer's SPIFFE ID
   * @return the denial, or empty if {@code peer} is a service of our trust domain and partition
   */
  public static Optional<Decision> refusal(ServiceId local, SpiffeId peer) {
    requireNonNull(local, "local");
    requireNonNull(peer, "peer");
    ConnectId id;
    try {
      id = ConnectId.from(peer);
    } catch (InvalidSpiffeIdException e) {
      return Optional.of(Decision.deny(NOT_CONNECT + e.getMessage()));
    }
    return Optional.ofNullable(refuse(local, id));
  }

  /**
   * Returns the denial that no intention can change for a peer of {@code local} whose SPIFFE ID
   * has already been read as {@code peer}, or empty; as {@link #refusal(ServiceId, SpiffeId)}
   * without reading the ID again.
   *
   * @param local the local service
   * @param peer the peer's Connect identity
   * @return the denial, or empty when intentions (or the default policy) decide
   */
  public static Optional<Decision> refusal(ServiceId local, ConnectId peer) {
    requireNonNull(local, "local");
    requireNonNull(peer, "peer");
    return Optional.ofNullable(refuse(local, peer));
  }

  /** Returns {@code Intentions[size=<n>]}. */
  @Override
  public String toString() {
    return "Intentions[size=" + size() + "]";
  }

  private static Decision refuse(ServiceId destination, ConnectId client) {
    if (!(client instanceof ServiceId source)) {
      return Decision.deny(NOT_SERVICE + client);
    }
    if (!source.trustDomain().equals(destination.trustDomain())) {
      return Decision.deny("Identity from an external trust domain: " + source.trustDomain());
    }
    if (!source.partition().equals(destination.partition())) {
      return Decision.deny("Mismatched partitions: \"" + source.partition() + "\" != \""
          + destination.partition() + "\"");
    }
    return null;
  }

  private Decision decide(String sns, String sname, String dns, String dname,
      DefaultIntentionPolicy defaultPolicy) {
    Decision d = index.decide(sns, sname, dns, dname);
    return d != null ? d : defaultPolicy.decision();
  }

  private static IntentionTarget exact(String what, String service) {
    IntentionTarget t = IntentionTarget.parse(requireNonNull(service, what));
    if (!t.isExact()) {
      throw new IllegalArgumentException(
          what + " must name one service, not a wildcard: \"" + service + "\"");
    }
    return t;
  }
}
