package dev.connect.core;

import java.util.concurrent.CompletableFuture;

/**
 * A backend that signs leaf certificates from the agent's certificate signing requests: the agent
 * makes the key pair and the private key never leaves its JVM. The embedded server is one, and so
 * will be the project's own remote agent. The other kind is {@link LeafIssuingBackend}.
 *
 * <p>Implementations are thread-safe; see {@link ConnectBackend} for how calls complete.
 */
public interface CsrSigningBackend extends ConnectBackend {

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

  /**
   * Tells whether this backend signs CSRs for requests like {@code options}. A backend that is
   * also a {@link LeafIssuingBackend} and learns from its server which of the two it offers (a
   * client of Consul's HTTP API, which talks to {@code connect agent} and to Consul alike)
   * answers {@code false} where only whole leaves are offered, and the agent's cache then asks
   * for a whole leaf instead. Default: {@code true}, at once.
   *
   * @param options token and datacenter
   * @return a future of the answer; completed exceptionally when it cannot be learnt now
   */
  default CompletableFuture<Boolean> signsCsrs(QueryOptions options) {
    return CompletableFuture.completedFuture(Boolean.TRUE);
  }
}
