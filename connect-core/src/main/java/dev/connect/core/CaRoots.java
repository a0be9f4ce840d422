package dev.connect.core;

import static java.util.Objects.requireNonNull;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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
   * How long before its end an intermediate stops being presented: a peer whose clock runs
   * ahead of ours must never receive it expired. One hour.
   */
  public static final Duration INTERMEDIATE_END_MARGIN = Duration.ofHours(1);

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

  /**
   * Returns those of {@code intermediates} that a chain may carry at {@code now}, in their order:
   * each must be valid at {@code now} and for more than {@link #INTERMEDIATE_END_MARGIN} after
   * it, and be signed by one of these roots or by another intermediate kept.
   *
   * <p>A verifier that validates a chain as presented (java-spiffe's {@code X509SvidValidator},
   * any {@code CertPathValidator} given the chain) refuses a chain carrying an intermediate that
   * has expired or whose issuer it no longer trusts, even when the leaf's own issuer is a
   * trusted root. After a rotation the active root's intermediate is that root cross-signed by
   * the old one: it is presentable while it is valid and the old root is listed, and dropped
   * from the chain after that; the leaf then chains to the active root directly.
   *
   * @param intermediates the intermediates as issued, nearest the leaf first
   * @param now the instant of the injected clock
   * @return the ones to present; an empty list when none is
   */
  public List<X509Certificate> presentable(List<X509Certificate> intermediates, Instant now) {
    return presentable(intermediates, certificates(), now);
  }

  /**
   * Returns those of {@code intermediates} that a chain may carry at {@code now} when {@code
   * roots} are the roots listed: the rule of {@link #presentable(List, Instant)}, for a server
   * that is deciding which roots to list.
   *
   * @param intermediates the intermediates as issued, nearest the leaf first
   * @param roots the root certificates listed
   * @param now the instant of the injected clock
   * @return the ones to present; an empty list when none is
   */
  public static List<X509Certificate> presentable(List<X509Certificate> intermediates,
      List<X509Certificate> roots, Instant now) {
    requireNonNull(intermediates, "intermediates");
    requireNonNull(roots, "roots");
    requireNonNull(now, "now");
    List<X509Certificate> issuers = new ArrayList<>(roots);
    List<X509Certificate> candidates = new ArrayList<>();
    for (X509Certificate c : intermediates) {
      if (!c.getNotBefore().toInstant().isAfter(now)
          && c.getNotAfter().toInstant().minus(INTERMEDIATE_END_MARGIN).isAfter(now)) {
        candidates.add(c);
      }
    }
    List<X509Certificate> kept = new ArrayList<>();
    // Each pass keeps at least one more certificate or ends: at most candidates.size() passes.
    for (boolean grew = true; grew; ) {
      grew = false;
      for (X509Certificate c : candidates) {
        if (!kept.contains(c) && signedByAny(c, issuers)) {
          kept.add(c);
          issuers.add(c);
          grew = true;
        }
      }
    }
    return intermediates.stream().filter(kept::contains).toList();
  }

  /**
   * Returns when the first of {@code presented} stops being presentable by the time rule of
   * {@link #presentable}: {@link #INTERMEDIATE_END_MARGIN} before it ends.
   *
   * @param presented intermediates a chain carries
   * @return the earliest such instant; empty when there is none
   */
  public static Optional<Instant> presentableUntil(List<X509Certificate> presented) {
    return presented.stream().map(c -> c.getNotAfter().toInstant())
        .min(Instant::compareTo).map(end -> end.minus(INTERMEDIATE_END_MARGIN));
  }

  /**
   * Tells whether {@code issuer} issued {@code cert}: the names match and the signature verifies
   * with its key.
   *
   * @param cert the certificate
   * @param issuer the candidate issuer
   * @return true if {@code issuer} signed {@code cert}
   */
  public static boolean issuedBy(X509Certificate cert, X509Certificate issuer) {
    return signedByAny(cert, List.of(issuer));
  }

  private static boolean signedByAny(X509Certificate cert, List<X509Certificate> issuers) {
    for (X509Certificate issuer : issuers) {
      if (issuer != cert
          && issuer.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) {
        try {
          cert.verify(issuer.getPublicKey());
          return true;
        } catch (GeneralSecurityException | RuntimeException e) {
          // Another issuer may carry the same name (a root rotated to one with a reused name).
        }
      }
    }
    return false;
  }
}
