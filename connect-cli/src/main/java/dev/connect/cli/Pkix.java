package dev.connect.cli;

import dev.connect.core.CaRoots;
import dev.connect.core.IssuedCertificate;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.Set;

/** Verifies a leaf against the roots with the JDK's own PKIX validator. */
final class Pkix {
  private Pkix() {}

  /**
   * Validates the leaf's chain at {@code at}.
   *
   * @return the trust anchor's certificate the chain ends at
   * @throws GeneralSecurityException naming what failed, if the chain does not validate
   */
  static X509Certificate verify(IssuedCertificate leaf, CaRoots roots, Instant at)
      throws GeneralSecurityException {
    Set<TrustAnchor> anchors = new HashSet<>();
    for (X509Certificate root : roots.certificates()) {
      anchors.add(new TrustAnchor(root, null));
    }
    PKIXParameters params = new PKIXParameters(anchors);
    params.setRevocationEnabled(false);
    params.setDate(Date.from(at));
    PKIXCertPathValidatorResult result = (PKIXCertPathValidatorResult) CertPathValidator
        .getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(leaf.chain()), params);
    return result.getTrustAnchor().getTrustedCert();
  }
}
