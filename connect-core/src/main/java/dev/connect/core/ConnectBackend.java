package dev.connect.core;

import java.util.concurrent.CompletableFuture;

/**
 * The server side of Connect, as the agent side sees it: the seam between the agent (cache, TLS)
 * and whatever owns the state (the embedded server, or a real Consul cluster).
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
   * Signs a leaf certificate from a PKCS#10 certificate signing request. The CSR's single URI SAN
   * names the service; the token must be allowed to write that service. Never blocks on an
   * index: {@link QueryOptions#minIndex()} is ignored.
   *
   * @param csrPem the CSR in PEM form ({@code -----BEGIN CERTIFICATE REQUEST-----})
   * @param options token and datacenter
   * @return a future of the issued certificate and the index at which it was issued; completed
   *     exceptionally with {@link InvalidCsrException} when the CSR is refused
   */
  CompletableFuture<QueryResult<IssuedCertificate>> signLeaf(String csrPem, QueryOptions options);
}
