package dev.connect.core;

import java.util.concurrent.CompletableFuture;

/**
 * A backend that issues whole leaves, private key included, as Consul's agent does at {@code GET
 * /v1/agent/connect/ca/leaf/<service>}: Consul's HTTP API has no endpoint that signs a CSR, so
 * the key is made on the Consul side and crosses the wire with the certificate. The other kind is
 * {@link CsrSigningBackend}, where the key never leaves the agent's JVM; prefer it where the
 * backend offers both.
 *
 * <p>The agent's cache checks every leaf it gets before it uses it: the certificate must carry
 * the requested SPIFFE ID and the private key must match its public key. Implementations are
 * thread-safe; see {@link ConnectBackend} for how calls complete.
 */
public interface LeafIssuingBackend extends ConnectBackend {

  /**
   * Issues a leaf for a service, with its private key. The token must be allowed to write the
   * service. With {@link QueryOptions#minIndex()} 0 it answers at once (possibly with a leaf the
   * server issued earlier). With the index of the leaf the caller holds, it may wait up to
   * {@link QueryOptions#maxWait()} for a newer one, as Consul's leaf endpoint does (it blocks
   * until it re-issues the leaf after a root change or at its renewal point); a backend that
   * cannot block answers at once. The caller decides when to ask for a new leaf.
   *
   * @param service the service name, such as {@code web}
   * @param options token and datacenter
   * @return a future of the leaf with its key and the index at which it was issued; completed
   *     exceptionally with {@link PermissionDeniedException} when the token may not write the
   *     service
   */
  CompletableFuture<QueryResult<IssuedLeaf>> issueLeaf(String service, QueryOptions options);
}
