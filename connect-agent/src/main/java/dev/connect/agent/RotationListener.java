package dev.connect.agent;

import dev.connect.cache.Leaf;
import dev.connect.core.CaRoots;

/**
 * Told when a service's certificate material changes under its contexts: a new leaf (renewed
 * before expiry, or re-issued after a root rotation) or a new set of trusted roots.
 *
 * <p>Contexts need no action: they read the current leaf and roots on every handshake. Listen
 * for logs, metrics, or for copies kept elsewhere (files, another TLS stack).
 *
 * <p>Called on the cache's scheduler thread after the new value is installed, so a read from the
 * handle already returns it; keep it short and never block. An exception it throws is logged
 * and ignored.
 */
public interface RotationListener {

  /**
   * Reports a new leaf for the service.
   *
   * @param service the handle whose leaf changed
   * @param leaf the leaf now served
   */
  default void leafChanged(ConnectService service, Leaf leaf) {}

  /**
   * Reports a change of the trusted roots, such as a rotation to a new active root.
   *
   * @param service the handle whose roots changed
   * @param roots the roots now trusted
   */
  default void rootsChanged(ConnectService service, CaRoots roots) {}
}
