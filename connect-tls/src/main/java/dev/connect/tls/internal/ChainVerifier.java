package dev.connect.tls.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.connect.core.CaRoots;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * PKIX validation of a presented chain against the cache's current roots by BouncyCastle's PKIX
 * validator, with the date from the caller and revocation off, and a memo of chains already
 * verified.
 *
 * <p>The validator, the certificate factory and so the signature checks come from a
 * BouncyCastle provider <em>instance</em> ({@link BouncyCastle#provider()}), never registered
 * with {@link java.security.Security}: the JDK's own validator can only be pointed at a
 * signature provider by name, which would need a JVM-wide registration, and the JDK 17 SunEC
 * provider is several times slower.
 *
 * <p><b>Memo.</b> A chain that validated is remembered, keyed by its exact encoded bytes and
 * the generation of the roots it validated against, with the validity window of its path (the
 * latest {@code notBefore} and the earliest {@code notAfter} of its certificates and anchor).
 * A returning peer then skips parsing and signature checks, but only while the current date is
 * inside that window; outside it, or after the roots change (a new generation, which empties
 * the memo), the chain is validated in full again and fails as it would have without the memo.
 * The memo holds at most {@value #MEMO_SIZE} chains. Extended key usage, the SPIFFE checks and
 * authorization are not memoized: the trust manager evaluates them on every handshake.
 */
public final class ChainVerifier {
  static final String OID_SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  static final String OID_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  static final int MEMO_SIZE = 1_024;

  /** One set of anchors per distinct roots value; {@code generation} keys the memo. */
  private record Anchors(CaRoots roots, long generation, Set<TrustAnchor> anchors,
      Set<X500Principal> subjects) {}

  /** A chain's exact encoding under one roots generation. */
  private record ChainKey(long generation, byte[] encoded) {
    @Override
    public boolean equals(Object o) {
      return o instanceof ChainKey k && k.generation == generation
          && Arrays.equals(k.encoded, encoded);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(generation) * 31 + Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
      return "ChainKey[generation=" + generation + ", " + encoded.length + " bytes]";
    }
  }

  /** The window in which the memoized path is valid: no certificate before or after its dates. */
  private record Verified(Instant notBefore, Instant notAfter) {
    boolean covers(Instant now) {
      return !now.isBefore(notBefore) && !now.isAfter(notAfter);
    }
  }

  private final Cache<ChainKey, Verified> memo = Caffeine.newBuilder().maximumSize(MEMO_SIZE)
      .executor(Runnable::run).recordStats().build();
  private volatile Anchors anchors;
  private long generations;

  private Anchors anchors(CaRoots roots) throws CertificateException {
    Anchors a = anchors;
    if (a != null && a.roots == roots) {
      return a;
    }
    synchronized (this) {
      a = anchors;
      if (a != null && (a.roots == roots || a.roots.equals(roots))) {
        if (a.roots != roots) {
          a = new Anchors(roots, a.generation, a.anchors, a.subjects);
          anchors = a;
        }
        return a;
      }
      Set<TrustAnchor> set = new HashSet<>();
      Set<X500Principal> subjects = new HashSet<>();
      for (X509Certificate root : roots.certificates()) {
        X509Certificate bc = toBouncyCastle(List.of(root)).get(0);
        set.add(new TrustAnchor(bc, null));
        subjects.add(bc.getSubjectX500Principal());
      }
      a = new Anchors(roots, ++generations, Set.copyOf(set), Set.copyOf(subjects));
      memo.invalidateAll(); // keyed by the old generation: unreachable from now on
      anchors = a;
      return a;
    }
  }

  /**
   * Validates {@code chain} (leaf first) against {@code roots} at {@code now}.
   *
   * <p>A presented chain may carry more than the path needs: after a rotation a leaf of the new
   * root carries the new root cross-signed by the old one. The shortest prefix of the chain
   * whose last certificate was issued by a trusted root is validated first, then the longer
   * ones, so a chain validates if any of its prefixes reaches a current root.
   *
   * @param chain the peer's chain, leaf first
   * @param roots the roots to trust
   * @param now the validation date
   * @param extendedKeyUsage the OID the leaf must allow, if it restricts its usage
   * @throws CertificateException naming what failed
   */
  void verify(X509Certificate[] chain, CaRoots roots, Instant now, String extendedKeyUsage)
      throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("no certificate presented");
    }
    Anchors a = anchors(roots);
    ChainKey key = new ChainKey(a.generation, encode(chain));
    Verified known = memo.getIfPresent(key);
    if (known == null || !known.covers(now)) {
      Verified verified = validate(chain, roots, a, now);
      if (anchors == a) {
        memo.put(key, verified);
      }
    }
    checkExtendedKeyUsage(chain[0], extendedKeyUsage);
  }

  /** Returns how many chains the memo holds. */
  long memoSize() {
    memo.cleanUp();
    return memo.estimatedSize();
  }

  /** Returns how many lookups found a memoized chain (whether or not its window covered now). */
  long memoHits() {
    return memo.stats().hitCount();
  }

  private static Verified validate(X509Certificate[] presented, CaRoots roots, Anchors a,
      Instant now) throws CertificateException {
    List<X509Certificate> chain = toBouncyCastle(Arrays.asList(presented));
    CertificateException first = null;
    for (int k = 1; k <= chain.size(); k++) {
      if (!a.subjects.contains(chain.get(k - 1).getIssuerX500Principal())) {
        continue;
      }
      List<X509Certificate> path = chain.subList(0, k);
      try {
        TrustAnchor anchor = validate(path, a.anchors, now);
        Instant notBefore = anchor.getTrustedCert().getNotBefore().toInstant();
        Instant notAfter = anchor.getTrustedCert().getNotAfter().toInstant();
        for (X509Certificate c : path) {
          notBefore = max(notBefore, c.getNotBefore().toInstant());
          notAfter = min(notAfter, c.getNotAfter().toInstant());
        }
        return new Verified(notBefore, notAfter);
      } catch (CertificateException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    if (first != null) {
      throw first;
    }
    throw new CertificateException("certificate chain does not lead to a trusted root of "
        + roots.trustDomain() + ": leaf serial " + chain.get(0).getSerialNumber().toString(16)
        + " issued by " + chain.get(chain.size() - 1).getIssuerX500Principal());
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private static byte[] encode(X509Certificate[] chain) throws CertificateException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(chain.length * 700);
    for (X509Certificate c : chain) {
      out.writeBytes(c.getEncoded()); // DER is self-delimiting: the concatenation is exact
    }
    return out.toByteArray();
  }

  /** Parses with BouncyCastle, so that each certificate verifies its signature with it. */
  private static List<X509Certificate> toBouncyCastle(List<X509Certificate> certs)
      throws CertificateException {
    CertificateFactory factory = CertificateFactory.getInstance("X.509",
        BouncyCastle.provider());
    List<X509Certificate> out = new ArrayList<>(certs.size());
    for (X509Certificate c : certs) {
      out.add((X509Certificate) factory.generateCertificate(
          new ByteArrayInputStream(c.getEncoded())));
    }
    return out;
  }

  private static TrustAnchor validate(List<X509Certificate> path, Set<TrustAnchor> anchors,
      Instant now) throws CertificateException {
    try {
      CertPath certPath = CertificateFactory.getInstance("X.509", BouncyCastle.provider())
          .generateCertPath(path);
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(Date.from(now));
      PKIXCertPathValidatorResult result = (PKIXCertPathValidatorResult)
          CertPathValidator.getInstance("PKIX", BouncyCastle.provider()).validate(certPath,
              params);
      return result.getTrustAnchor();
    } catch (CertPathValidatorException e) {
      int i = e.getIndex();
      String which = i >= 0 && i < path.size()
          ? " at certificate " + i + " (" + path.get(i).getSubjectX500Principal() + ", serial "
              + path.get(i).getSerialNumber().toString(16) + ")" : "";
      throw new CertificateException("certificate chain of leaf serial "
          + path.get(0).getSerialNumber().toString(16) + " is not valid at " + now + which
          + ": " + e.getMessage()
          + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")"), e);
    } catch (java.security.InvalidAlgorithmParameterException e) {
      throw new CertificateException("no trusted roots: " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PKIX validation is not available in this JVM", e);
    }
  }

  private static void checkExtendedKeyUsage(X509Certificate leaf, String oid)
      throws CertificateException {
    List<String> usages;
    try {
      usages = leaf.getExtendedKeyUsage();
    } catch (CertificateParsingException e) {
      throw new CertificateException("extended key usage cannot be parsed: " + e.getMessage(), e);
    }
    if (usages != null && !usages.contains(oid) && !usages.contains("2.5.29.37.0")) {
      throw new CertificateException("leaf serial " + leaf.getSerialNumber().toString(16)
          + " does not allow " + (oid.equals(OID_CLIENT_AUTH) ? "clientAuth" : "serverAuth")
          + ": extended key usage " + usages);
    }
  }
}
