package dev.connect.cache;

import dev.connect.core.ServiceId;
import java.security.KeyPair;

/**
 * Makes the key pair and the certificate signing request of a leaf, so that the cache needs no
 * cryptography library of its own. The private key never leaves the cache that asked for it.
 *
 * <p>{@code dev.connect.ca.LeafRequests} does what a Consul agent does (EC P-256, the SPIFFE ID
 * as the single URI SAN); an adapter is two lines:
 *
 * <pre>{@code
 * LeafKeyFactory keys = new LeafKeyFactory() {
 *   public KeyPair newKeyPair() { return LeafRequests.newKeyPair(); }
 *   public String csrPem(ServiceId service, KeyPair pair) {
 *     return LeafRequests.csrPem(service, pair);
 *   }
 * };
 * }</pre>
 *
 * <p>Implementations are thread-safe; the cache calls them from its own threads.
 */
public interface LeafKeyFactory {

  /**
   * Generates a new key pair for one leaf.
   *
   * @return a fresh key pair
   */
  KeyPair newKeyPair();

  /**
   * Returns a PEM {@code CERTIFICATE REQUEST} for {@code service}, signed by {@code keyPair}.
   *
   * @param service the identity the leaf should carry
   * @param keyPair the key pair from {@link #newKeyPair()}
   * @return the CSR in PEM form
   */
  String csrPem(ServiceId service, KeyPair keyPair);
}
