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
}
