package dev.connect.ca;

import dev.connect.core.SigningId;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link CaProvider} whose keys live outside this process, such as Vault's PKI secrets engine:
 * the server keeps only the provider's {@linkplain #state() state} (which mounts, which
 * intermediate is active, the public certificates), never a key.
 *
 * <p>The server persists {@link #state()} in its data directory next to its own CA state and
 * hands it back to {@link Factory#open} on the next start, so a restart reuses the provider's
 * root and intermediate instead of making new ones. Rotating means {@link #rotateIntermediate()}:
 * the root stays, a new intermediate signs leaves from then on. Implementations are immutable and
 * thread-safe; every method that talks to the external CA may throw the provider's own
 * unchecked exception (a subtype of {@link IllegalStateException}) naming what failed.
 */
public interface ExternalCaProvider extends CaProvider {
  /**
   * Returns what the server persists to reopen this provider: JSON text holding no secret.
   *
   * @return the state, never empty
   */
  String state();

  /**
   * Makes a new intermediate under the same root and returns the provider signing with it. The
   * provider this is called on keeps signing with the old intermediate until the new one is
   * ready, so leaves can be issued throughout.
   *
   * @return the provider signing with the new intermediate
   * @throws IllegalStateException if the external CA cannot make it; nothing changed then
   */
  ExternalCaProvider rotateIntermediate();

  /**
   * Returns this provider, same root and intermediate, signing under another configuration (a
   * new leaf TTL, for example).
   *
   * @param configuration the new configuration
   * @return the provider under it
   */
  ExternalCaProvider withConfiguration(CaConfiguration configuration);

  /**
   * Returns the provider's own settings under the names Consul gives them in the CA
   * configuration's {@code Config} (for Vault: {@code Address}, {@code RootPKIPath}, {@code
   * IntermediatePKIPath}, ...), without any secret such as a token. Default: none.
   *
   * @return the settings, never holding a secret
   */
  default Map<String, Object> settings() {
    return Map.of();
  }

  /**
   * Applies changed {@linkplain #settings() settings}, as a {@code PUT} of Consul's CA
   * configuration does: a new intermediate, and a new root when the settings name another one
   * (for Vault: another {@code RootPKIPath}). A new root comes cross-signed by the current one
   * and that certificate is listed among the returned provider's {@link #intermediates()}, after
   * the intermediate that signs leaves, so peers trusting only the old root accept new leaves.
   * This provider keeps signing until the returned one is ready.
   *
   * @param settings the settings, in Consul's names; keys not given keep their value
   * @return the provider signing under the new settings
   * @throws IllegalArgumentException if a setting cannot be changed or is invalid, naming it
   * @throws IllegalStateException if the external CA cannot make the change; nothing changed
   */
  default ExternalCaProvider reconfigure(Map<String, Object> settings) {
    throw new IllegalArgumentException("the " + name() + " CA provider's settings cannot be"
        + " changed: " + settings.keySet());
  }

  /**
   * Renews the provider's credentials at the external CA when they expire (a renewable Vault
   * token), and returns when to call this again. The server calls it when it opens and then as
   * asked, on its scheduler. Default: nothing to renew.
   *
   * @return the delay until the next renewal, or empty when the credentials need none
   * @throws IllegalStateException if the renewal fails; the server tries again later
   */
  default Optional<Duration> renewCredentials() {
    return Optional.empty();
  }

  /**
   * Makes or reopens an {@link ExternalCaProvider}: what a server is given to use an external CA
   * instead of the built-in one.
   */
  interface Factory {
    /**
     * Returns the provider's name as Consul writes it in the CA configuration's {@code Provider}
     * field, such as {@code vault}.
     *
     * @return the name
     */
    String name();

    /**
     * Opens the provider: sets up a new root and intermediate when {@code state} is empty (a new
     * data directory), or reopens the ones {@code state} names.
     *
     * @param trustDomain the trust domain the provider signs for
     * @param configuration the TTLs and key spec
     * @param state what an earlier provider's {@link ExternalCaProvider#state()} returned, or
     *     empty for a new data directory
     * @return the provider
     * @throws IllegalArgumentException if {@code state} is malformed or names another trust
     *     domain or provider
     * @throws IllegalStateException if the external CA cannot be set up
     */
    ExternalCaProvider open(SigningId trustDomain, CaConfiguration configuration,
        Optional<String> state);
  }
}
