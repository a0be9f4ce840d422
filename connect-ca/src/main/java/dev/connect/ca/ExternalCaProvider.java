package dev.connect.ca;

import dev.connect.core.SigningId;
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
