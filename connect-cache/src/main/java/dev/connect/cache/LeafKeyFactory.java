package dev.connect.cache;

import static java.util.Objects.requireNonNull;

import dev.connect.core.ServiceId;
import java.security.KeyPair;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Makes the key pair and the certificate signing request of a leaf, so that the cache needs no
 * cryptography library of its own. The private key never leaves the cache that asked for it.
 *
 * <p>{@code dev.connect.ca.LeafRequests} does what a Consul agent does (EC P-256, the SPIFFE ID
 * as the single URI SAN); the adapter is one line:
 *
 * <pre>{@code
 * LeafKeyFactory keys = LeafKeyFactory.of(LeafRequests::newKeyPair, LeafRequests::csrPem);
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

  /**
   * Returns a factory made of two functions, for example {@code
   * LeafKeyFactory.of(LeafRequests::newKeyPair, LeafRequests::csrPem)}.
   *
   * @param newKeyPair makes a key pair for one leaf; thread-safe
   * @param csrPem makes the PEM CSR of a service signed by a key pair; thread-safe
   * @return the factory
   */
  static LeafKeyFactory of(Supplier<KeyPair> newKeyPair,
      BiFunction<ServiceId, KeyPair, String> csrPem) {
    requireNonNull(newKeyPair, "newKeyPair");
    requireNonNull(csrPem, "csrPem");
    return new LeafKeyFactory() {
      @Override
      public KeyPair newKeyPair() {
        return newKeyPair.get();
      }

      @Override
      public String csrPem(ServiceId service, KeyPair keyPair) {
        return csrPem.apply(service, keyPair);
      }
    };
  }
}
