package dev.connect.cache;

import dev.connect.core.CaRoots;
import dev.connect.core.Intentions;

/**
 * Hears about cached values that change: CA roots replaced by a newer answer (a rotation, a new
 * root listed), leaves renewed or re-issued, and the intentions matching a destination changed
 * (from then on, connections to it are decided by the new ones). Register with {@link
 * ConnectCache#addListener(CacheListener)}.
 *
 * <p>Called after the new value is installed, so a read from the callback sees it; only when a
 * value already cached is replaced by a different one, never for a first load. Called on the
 * thread that completed the fetch (a backend or scheduler thread): keep callbacks short and do
 * not block. An exception thrown by a callback is logged and ignored; it never stops the cache's
 * refresh loop or other listeners.
 */
public interface CacheListener {

  /**
   * The roots of a partition changed.
   *
   * @param request the datacenter of the roots, in a request without a token: roots are shared
   *     by every token (match readers with {@link ConnectCache#sameDatacenter})
   * @param roots the roots now served
   */
  default void rootsChanged(CacheRequest request, CaRoots roots) {}

  /**
   * The leaf of a service was renewed or re-issued.
   *
   * @param service the service name
   * @param request the request the leaf entry was loaded with (token and datacenter)
   * @param leaf the leaf now served
   */
  default void leafChanged(String service, CacheRequest request, Leaf leaf) {}

  /**
   * The intentions matching a destination changed: a handshake that reads them from now on
   * decides with {@code intentions}.
   *
   * @param destination the destination, as read with {@link ConnectCache#intentionMatch}
   * @param request the request the entry was loaded with (token and datacenter)
   * @param intentions the intentions now served
   */
  default void intentionsChanged(String destination, CacheRequest request,
      Intentions intentions) {}

  /** A registered listener; closing it removes the listener. */
  interface Registration extends AutoCloseable {
    /** Removes the listener; later changes are not delivered to it. Idempotent. */
    @Override
    void close();
  }
}
