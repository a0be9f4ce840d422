package dev.connect.core;

import static java.util.Objects.requireNonNull;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The trust bundle of a Connect cluster: its trust domain and every root it trusts, exactly one
 * of them active. Consul's {@code IndexedCARoots}.
 *
 * @param trustDomain the trust domain, {@code <cluster-id>.consul}
 * @param activeRootId the {@link CaRoot#id()} of the active root
 * @param roots every trusted root, oldest first
 */
public record CaRoots(String trustDomain, String activeRootId, List<CaRoot> roots) {

  /**
   * Checks that exactly one root is active and that {@code activeRootId} names it.
   *
   * @throws IllegalArgumentException if no root or more than one is active, or the active one's
   *     ID differs from {@code activeRootId}
   */
  public CaRoots {
    requireNonNull(trustDomain, "trustDomain");
    requireNonNull(activeRootId, "activeRootId");
    roots = List.copyOf(requireNonNull(roots, "roots"));
    List<CaRoot> active = roots.stream().filter(CaRoot::active).toList();
    if (active.size() != 1) {
      throw new IllegalArgumentException(
          "there must be exactly one active CA root, found " + active.size());
    }
    if (!active.get(0).id().equals(activeRootId)) {
      throw new IllegalArgumentException("activeRootId " + activeRootId
          + " is not the active root " + active.get(0).id());
    }
  }

  /** Returns the root that signs new leaves. */
  public CaRoot active() {
    return roots.stream().filter(CaRoot::active).findFirst().orElseThrow();
  }

  /** Returns every root certificate, for a trust store. */
  public List<X509Certificate> certificates() {
    return roots.stream().map(CaRoot::certificate).toList();
  }
}
