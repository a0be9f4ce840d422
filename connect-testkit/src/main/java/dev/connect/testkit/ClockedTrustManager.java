package dev.connect.testkit;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.security.auth.x500.X500Principal;

/**
 * A PKIX trust manager dated by a {@link Clock}: the JDK's validator, revocation off, the
 * extended key usage of the TLS role checked, no host name check. Tries every prefix of the
 * presented chain that ends at a certificate issued by a root, shortest first, so a chain with a
 * cross-signed certificate after the one it needs still validates.
 */
final class ClockedTrustManager extends X509ExtendedTrustManager {
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String ANY_USAGE = "2.5.29.37.0";

  private final Clock clock;
  private final X509Certificate[] roots;
  private final Set<TrustAnchor> anchors = new HashSet<>();
  private final Set<X500Principal> subjects = new HashSet<>();

  ClockedTrustManager(Clock clock, X509Certificate[] roots) {
    this.clock = clock;
    this.roots = roots.clone();
    for (X509Certificate root : this.roots) {
      anchors.add(new TrustAnchor(root, null));
      subjects.add(root.getSubjectX500Principal());
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain, CLIENT_AUTH);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, CLIENT_AUTH);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, CLIENT_AUTH);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain, SERVER_AUTH);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, SERVER_AUTH);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, SERVER_AUTH);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return roots.clone();
  }

  private void check(X509Certificate[] chain, String usage) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("no certificate presented");
    }
    Instant now = clock.instant();
    CertificateException first = null;
    for (int k = 1; k <= chain.length; k++) {
      if (!subjects.contains(chain[k - 1].getIssuerX500Principal())) {
        continue;
      }
      try {
        validate(Arrays.asList(chain).subList(0, k), now);
        checkUsage(chain[0], usage);
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
    throw new CertificateException("no certificate of the chain of "
        + Sans.describe(chain[0]) + " was issued by a trusted root");
  }

  private void validate(List<X509Certificate> path, Instant now) throws CertificateException {
    try {
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(Date.from(now));
      CertPathValidator.getInstance("PKIX").validate(
          CertificateFactory.getInstance("X.509").generateCertPath(path), params);
    } catch (CertPathValidatorException e) {
      throw new CertificateException("chain of " + Sans.describe(path.get(0))
          + " is not valid at " + now + ": " + e.getMessage()
          + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")"), e);
    } catch (InvalidAlgorithmParameterException e) {
      throw new CertificateException("no trusted roots: " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PKIX validation is not available in this JVM", e);
    }
  }

  private static void checkUsage(X509Certificate leaf, String usage)
      throws CertificateException {
    List<String> usages;
    try {
      usages = leaf.getExtendedKeyUsage();
    } catch (CertificateParsingException e) {
      throw new CertificateException("extended key usage cannot be parsed: " + e.getMessage(), e);
    }
    if (usages != null && !usages.contains(usage) && !usages.contains(ANY_USAGE)) {
      throw new CertificateException("leaf " + Sans.describe(leaf) + " does not allow "
          + (usage.equals(CLIENT_AUTH) ? "clientAuth" : "serverAuth") + ": extended key usage "
          + usages);
    }
  }
}
