package dev.connect.agent;

import static java.util.Objects.requireNonNull;

import dev.connect.ca.CaConfiguration;
import dev.connect.core.CaRoots;
import dev.connect.core.QueryOptions;

/**
 * The certificate authority of a {@link ConnectAgent}'s backend, seen with one ACL token: its
 * roots, configuration and rotation.
 *
 * <pre>{@code
 * CaRoots after = agent.ca(operatorToken).rotate();   // new root, cross-signed by the old one
 * }</pre>
 *
 * <p>Reading the roots needs no permission; the configuration, its changes and rotation need
 * {@code operator:write} ({@link dev.connect.core.PermissionDeniedException} otherwise). After a
 * rotation both roots are trusted and the cache re-issues leaves over a short jittered window,
 * so no connection breaks. The view runs over the backend's {@link dev.connect.ca.CaAdmin}; over
 * a backend without one only {@link #roots()} is available, and the rest throw {@link
 * dev.connect.core.UnsupportedByBackendException} naming the operation and the backend.
 * Thread-safe.
 */
public final class AgentCa {
  private final ConnectAgent agent;
  private final QueryOptions options;

  AgentCa(ConnectAgent agent, QueryOptions options) {
    this.agent = agent;
    this.options = options;
  }

  /**
   * Returns the trusted roots straight from the backend (not the cache). Available with every
   * backend.
   *
   * @return the roots, one of them active
   * @throws IllegalStateException if the agent is closed
   */
  public CaRoots roots() {
    agent.checkOpen();
    return Futures.join(agent.backend().roots(options)).value();
  }

  /**
   * Returns the CA configuration in force.
   *
   * @return the configuration
   * @throws dev.connect.core.PermissionDeniedException if the token lacks {@code operator:write}
   * @throws dev.connect.core.UnsupportedByBackendException if the backend does not implement
   *     {@link dev.connect.ca.CaAdmin}
   * @throws IllegalStateException if the agent is closed
   */
  public CaConfiguration configuration() {
    return Futures.join(agent.caAdmin().caGetConfig(options));
  }

  /**
   * Changes the CA configuration: a new key type rotates the root; TTL changes apply to leaves
   * signed from now on.
   *
   * @param configuration the new configuration
   * @return the roots after the change
   * @throws dev.connect.core.PermissionDeniedException if the token lacks {@code operator:write}
   * @throws dev.connect.core.UnsupportedByBackendException if the backend does not implement
   *     {@link dev.connect.ca.CaAdmin}
   * @throws IllegalStateException if the agent is closed
   */
  public CaRoots updateConfiguration(CaConfiguration configuration) {
    requireNonNull(configuration, "configuration");
    return Futures.join(agent.caAdmin().caSetConfig(configuration, options));
  }

  /**
   * Replaces the active root with a newly generated one, cross-signed by the old root.
   *
   * @return the roots after the rotation, the new root active
   * @throws dev.connect.core.PermissionDeniedException if the token lacks {@code operator:write}
   * @throws dev.connect.core.UnsupportedByBackendException if the backend does not implement
   *     {@link dev.connect.ca.CaAdmin}
   * @throws IllegalStateException if the agent is closed
   */
  public CaRoots rotate() {
    return Futures.join(agent.caAdmin().caRotate(options));
  }

  /**
   * Replaces the active root with one the operator supplies, cross-signed by the old root.
   *
   * @param privateKeyPem the new root's private key in PEM
   * @param rootCertPem the new root certificate in PEM
   * @return the roots after the rotation, the new root active
   * @throws IllegalArgumentException if the key or certificate is malformed or they do not match
   * @throws dev.connect.core.PermissionDeniedException if the token lacks {@code operator:write}
   * @throws dev.connect.core.UnsupportedByBackendException if the backend does not implement
   *     {@link dev.connect.ca.CaAdmin}
   * @throws IllegalStateException if the agent is closed
   */
  public CaRoots rotate(String privateKeyPem, String rootCertPem) {
    requireNonNull(privateKeyPem, "privateKeyPem");
    requireNonNull(rootCertPem, "rootCertPem");
    return Futures.join(agent.caAdmin().caRotate(privateKeyPem, rootCertPem, options));
  }

  /** Returns the agent and whether a token is used (never the token). */
  @Override
  public String toString() {
    return "AgentCa[" + agent + ", token="
        + (options.tokenSecret().isPresent() ? "<redacted>" : "anonymous") + "]";
  }
}
