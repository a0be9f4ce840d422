/**
 * A CA provider backed by HashiCorp Vault's PKI secrets engine.
 *
 * <p>{@link dev.connect.ca.vault.VaultConfiguration} holds the settings in Consul's words ({@code
 * Address}, {@code Token}, {@code RootPKIPath}, {@code IntermediatePKIPath}, {@code CAFile},
 * {@code CertFile}, {@code KeyFile}); {@link dev.connect.ca.vault.VaultCaProvider#factory} makes
 * the {@link dev.connect.ca.ExternalCaProvider.Factory} a server is given; every failure Vault
 * reports becomes a {@link dev.connect.ca.vault.VaultException} naming the endpoint and Vault's
 * reason, never the token.
 *
 * <p>Nothing in this package accepts or returns {@code null}; an absent value is an {@link
 * java.util.Optional}.
 */
package dev.connect.ca.vault;
