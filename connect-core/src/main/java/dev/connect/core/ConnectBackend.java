package dev.connect.core;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The server side of Connect, as the agent side sees it: the seam between the agent (cache, TLS)
 * and whatever owns the state (the embedded server, or a real Consul cluster).
 *
 * <p>The agent side reads two things here: the roots and the intentions that match a
 * destination, both blocking queries it keeps fresh. It decides connections with {@link
 * Intentions#authorize(ServiceId, SpiffeId, DefaultIntentionPolicy)}. Leaves come in one of two
 * ways, and a backend says which by its type: {@link CsrSigningBackend} signs the agent's CSR,
 * so the private key never leaves the agent's JVM (the embedded server); {@link
 * LeafIssuingBackend} issues a whole leaf, key included, as Consul's HTTP API does (it has no
 * endpoint that signs a CSR). A backend that is neither serves no leaves. Writes are the admin
 * interfaces beside this one: {@link IntentionAdmin}, {@link AclAdmin} and {@code
 * dev.connect.ca.CaAdmin}; a backend implements those it offers.
 *
 * <p>Every call is asynchronous and never parks a thread while it waits: a blocking query (see
 * {@link QueryOptions}) returns a future that completes when the data changes or the wait
 * elapses, so thousands of outstanding queries cost no threads. Failures complete the future
 * exceptionally with a {@link ConnectException} subtype, for example {@link InvalidCsrException}.
 *
 * <p>Implementations are thread-safe.
 */
public interface ConnectBackend {

  /**
   * Returns the trusted roots. Needs no ACL permission. Blocks when {@code options} asks to.
   *
   * @param options token, datacenter and blocking settings
   * @return a future of the roots and the roots index
   */
  CompletableFuture<QueryResult<CaRoots>> roots(QueryOptions options);

  /**
   * Returns the intentions whose destination covers a service, sorted by precedence, most
   * precedent first, as Consul's {@code GET /v1/connect/intentions/match?by=destination&name=<n>}
   * does: those to {@code ns/name}, to {@code ns/*} and to <code>*&#47;*</code>. Collected with
   * {@link Intentions#of(java.util.Collection)}, they decide every connection to that service
   * exactly as the whole store would. The token needs {@code intention:read} on the name. Blocks
   * on the intentions index when {@code options} asks to, so an agent can keep its copy fresh.
   *
   * @param destination the service, {@code name} (in the {@code default} namespace) or {@code
   *     namespace/name}
   * @param options token, datacenter and blocking settings
   * @return a future of the matching intentions and the intentions index; completed
   *     exceptionally with {@link PermissionDeniedException} when the token may not read them,
   *     {@link AclNotFoundException} for an unknown token, or {@link IllegalArgumentException}
   *     for an invalid name
   */
  CompletableFuture<QueryResult<List<Intention>>> matchIntentions(String destination,
      QueryOptions options);
}
