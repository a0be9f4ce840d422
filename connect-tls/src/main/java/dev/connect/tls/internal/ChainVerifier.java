package dev.connect.tls.internal;

import dev.connect.core.CaRoots;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.Security;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * PKIX validation of a presented chain against the cache's current roots, by the JDK's
 * validator, with BouncyCastle verifying the signatures (SunEC is several times slower), the
 * date from the caller, and revocation off.
 *
 * <p>{@link PKIXParameters#setSigProvider(String)} takes a provider <em>name</em>, so the first
 * use registers a {@link BouncyCastleProvider} at the lowest priority when no provider named
 * {@code BC} is installed; being last, it changes no other lookup.
 */
public final class ChainVerifier {
  static final String OID_SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  static final String OID_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  private static final String SIG_PROVIDER = sigProvider();

  /** One set of anchors per roots value: rebuilt only when the cache's roots change. */
  private record Anchors(CaRoots roots, Set<TrustAnchor> anchors, Set<X500Principal> subjects) {}

  private volatile Anchors anchors;

  private static String sigProvider() {
    if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
      Provider bc = new BouncyCastleProvider();
      Security.addProvider(bc); // appended last; returns -1 if another thread won
    }
    return BouncyCastleProvider.PROVIDER_NAME;
  }

  private Anchors anchors(CaRoots roots) {
    Anchors a = anchors;
    if (a != null && a.roots == roots) {
      return a;
    }
    Set<TrustAnchor> set = new HashSet<>();
    Set<X500Principal> subjects = new HashSet<>();
    for (X509Certificate root : roots.certificates()) {
      set.add(new TrustAnchor(root, null));
      subjects.add(root.getSubjectX500Principal());
    }
    a = new Anchors(roots, Set.copyOf(set), Set.copyOf(subjects));
    anchors = a;
    return a;
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
    CertificateException first = null;
    for (int k = 1; k <= chain.length; k++) {
      if (!a.subjects.contains(chain[k - 1].getIssuerX500Principal())) {
        continue;
      }
      try {
        validate(Arrays.asList(chain).subList(0, k), a.anchors, now);
        checkExtendedKeyUsage(chain[0], extendedKeyUsage);
        return;
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
        + roots.trustDomain() + ": leaf serial " + chain[0].getSerialNumber().toString(16)
        + " issued by " + chain[chain.length - 1].getIssuerX500Principal());
  }

  private static void validate(List<X509Certificate> path, Set<TrustAnchor> anchors,
      Instant now) throws CertificateException {
    try {
      CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(Date.from(now));
      params.setSigProvider(SIG_PROVIDER);
      CertPathValidator.getInstance("PKIX").validate(certPath, params);
    } catch (java.security.cert.CertPathValidatorException e) {
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
