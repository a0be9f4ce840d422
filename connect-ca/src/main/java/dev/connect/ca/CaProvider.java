package dev.connect.ca;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A certificate authority that signs Connect leaves: the built-in one ({@link
 * BuiltInCaProvider}) or an external one such as Vault. Consul's {@code ca.Provider}, cut down to
 * what a primary datacenter needs.
 *
 * <p>A provider holds one active root (or an intermediate under it) and signs {@link
 * CertificateRequest}s that already passed validation; the leaf TTL comes from the {@link
 * CaConfiguration} the provider was made with. Rotating to a new root means making a new
 * provider; the old one {@link #crossSign cross-signs} the new root so that leaves of either
 * chain to both during the change.
 *
 * <p>Implementations are thread-safe: every method may be called from many threads at once.
 * Errors are unchecked: {@link IllegalArgumentException} for an argument the provider refuses,
 * {@link IllegalStateException} when it cannot sign now (an expired root, an unreachable
 * backend).
 */
public interface CaProvider {
  /**
   * Returns the provider's name as Consul writes it in the CA configuration's {@code Provider}
   * field: {@code consul} for the built-in CA.
   *
   * @return the name
   */
  String name();

  /**
   * Returns the root certificate leaves chain to: the trust anchor peers are given.
   *
   * @return the root
   */
  X509Certificate rootCertificate();

  /**
   * Returns the certificates between a leaf and the root, leaf side first: an intermediate the
   * provider signs with. Empty when leaves are signed by the root itself, as with the built-in
   * CA. These are not the cross-signed certificates of a rotation, which whoever rotates keeps.
   *
   * @return the intermediates, possibly empty, never null
   */
  List<X509Certificate> intermediates();

  /**
   * Signs a leaf certificate for a validated request, valid for the configuration's leaf TTL.
   *
   * @param request a request that passed {@link CertificateRequest#validate}
   * @return the leaf
   * @throws IllegalArgumentException if the request is for another trust domain than the
   *     provider's
   * @throws IllegalStateException if the provider cannot sign now, for example because its root
   *     has expired
   */
  X509Certificate sign(CertificateRequest request);

  /**
   * Tells whether {@link #crossSign} works, so that a rotation away from this provider can keep
   * old and new leaves trusted together.
   *
   * @return true if this provider can cross-sign
   */
  boolean supportsCrossSigning();

  /**
   * Signs another root's subject and public key with this provider's root key, so that
   * certificates under {@code newRoot} also chain to this provider's root.
   *
   * @param newRoot the root to cross-sign, a CA certificate
   * @return the cross-signed certificate, issued by this provider's root
   * @throws UnsupportedOperationException if {@link #supportsCrossSigning()} is false
   * @throws IllegalArgumentException if {@code newRoot} is not a CA certificate, or not one of
   *     this provider's trust domain
   * @throws IllegalStateException if the provider cannot sign now
   */
  X509Certificate crossSign(X509Certificate newRoot);

  /**
   * Signs the certificate of a Connect agent itself (its HTTPS API), valid for the
   * configuration's leaf TTL: the profile of {@link #sign}, with the agent's SPIFFE ID and the
   * request's DNS names and IP addresses as subject alternative names.
   *
   * <p>The default refuses: a provider signs agent certificates only when it says so, so that
   * an external CA is never asked for a profile it was not written for.
   *
   * @param request the agent, its key and its names
   * @return the leaf
   * @throws IllegalArgumentException if the request is for another trust domain than the
   *     provider's
   * @throws IllegalStateException if the provider cannot sign now, or signs no agent
   *     certificates (the default)
   */
  default X509Certificate signAgent(AgentCertificateRequest request) {
    throw new IllegalStateException("the CA provider " + name()
        + " does not sign agent certificates (requested for " + request.agent() + ")");
  }
}
