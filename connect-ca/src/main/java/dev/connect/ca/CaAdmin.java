package dev.connect.ca;

import dev.connect.core.CaRoots;
import dev.connect.core.QueryOptions;
import dev.connect.core.UnsupportedByBackendException;
import java.util.concurrent.CompletableFuture;

/**
 * The administration of a server's certificate authority, beside the read seam ({@link
 * dev.connect.core.ConnectBackend}, which gives the roots): its configuration, as Consul's
 * {@code /v1/connect/ca/configuration} (the Go {@code api} client's {@code CAGetConfig} and
 * {@code CASetConfig}), and rotation.
 *
 * <p>Every call needs {@code operator:write} from the token in {@link QueryOptions} (Consul
 * since 1.8.6), else its future fails with {@link dev.connect.core.PermissionDeniedException}.
 * As in Consul, a configuration that changes the key type or size rotates the root; a rotation
 * makes the new root active, cross-signed by the old one, so leaves of both stay trusted. None of
 * these calls blocks.
 *
 * <p>A backend that offers only some of these operations completes the others exceptionally
 * with {@link dev.connect.core.UnsupportedByBackendException}. Implementations are thread-safe
 * and never park the caller's thread.
 */
public interface CaAdmin {

  /**
   * Returns the CA configuration in force.
   *
   * @param options the token
   * @return a future of the configuration
   */
  CompletableFuture<CaConfiguration> caGetConfig(QueryOptions options);

  /**
   * Changes the CA configuration: a new key type or size rotates the root; TTL changes apply to
   * leaves signed from then on.
   *
   * @param configuration the new configuration
   * @param options the token
   * @return a future of the roots after the change
   */
  CompletableFuture<CaRoots> caSetConfig(CaConfiguration configuration, QueryOptions options);

  /**
   * Replaces the active root with a newly generated one of the configured key type,
   * cross-signed by the old root.
   *
   * @param options the token
   * @return a future of the roots after the rotation, the new root active
   */
  CompletableFuture<CaRoots> caRotate(QueryOptions options);

  /**
   * Replaces the active root with one the operator supplies, cross-signed by the old root (in
   * Consul, a configuration with {@code PrivateKey} and {@code RootCert}).
   *
   * @param privateKeyPem the new root's private key in PEM
   * @param rootCertPem the new root certificate in PEM, a CA certificate for that key
   * @param options the token
   * @return a future of the roots after the rotation; completed exceptionally with {@link
   *     IllegalArgumentException} if the key or certificate is malformed or they do not match
   */
  CompletableFuture<CaRoots> caRotate(String privateKeyPem, String rootCertPem,
      QueryOptions options);

  /**
   * Returns which provider signs and its own settings in Consul's {@code Config} names (no
   * secret). Default: completed exceptionally with {@link UnsupportedByBackendException}.
   *
   * @param options the token
   * @return a future of the provider and its settings
   */
  default CompletableFuture<CaProviderConfig> caGetProviderConfig(QueryOptions options) {
    return CompletableFuture.failedFuture(new UnsupportedByBackendException(
        "CaAdmin.caGetProviderConfig", getClass().getName(), "CaAdmin.caGetProviderConfig"));
  }

  /**
   * Changes the provider's own settings, as Consul's {@code PUT} of a configuration naming the
   * same provider does: a new intermediate, and a new root, cross-signed by the old one, when the
   * settings name another root. Default: completed exceptionally with {@link
   * UnsupportedByBackendException}.
   *
   * @param provider the provider and the settings to change
   * @param options the token
   * @return a future of the roots after the change; completed exceptionally with {@link
   *     IllegalArgumentException} if the provider is another than the one signing (switching
   *     providers is refused) or a setting cannot be changed
   */
  default CompletableFuture<CaRoots> caSetProviderConfig(CaProviderConfig provider,
      QueryOptions options) {
    return CompletableFuture.failedFuture(new UnsupportedByBackendException(
        "CaAdmin.caSetProviderConfig", getClass().getName(), "CaAdmin.caSetProviderConfig"));
  }
}
