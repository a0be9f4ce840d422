package dev.connect.server;

import dev.connect.ca.LeafRequests;
import dev.connect.core.CaRoots;
import dev.connect.core.IssuedCertificate;
import dev.connect.core.QueryOptions;
import dev.connect.core.ServiceId;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Issues leaves through a server and checks them with the JDK's PKIX validator. */
final class Leaves {
  private Leaves() {}

  static IssuedCertificate issue(EmbeddedServer server, String service) throws Exception {
    return issue(server, service, QueryOptions.defaults());
  }

  static IssuedCertificate issue(EmbeddedServer server, String service, QueryOptions options)
      throws Exception {
    return server.signLeaf(csr(server, service), options).get(10, TimeUnit.SECONDS).value();
  }

  static String csr(EmbeddedServer server, String service) {
    ServiceId id = ServiceId.of(server.trustDomain().trustDomain(), server.datacenter(), service);
    return LeafRequests.csrPem(id, LeafRequests.newKeyPair());
  }

  static CaRoots roots(EmbeddedServer server) throws Exception {
    return server.roots(QueryOptions.defaults()).get(10, TimeUnit.SECONDS).value();
  }

  /** Validates {@code chain} against {@code anchors} at {@code at}; returns the anchor used. */
  static X509Certificate pkix(List<X509Certificate> chain, List<X509Certificate> anchors,
      Instant at) throws GeneralSecurityException {
    Set<TrustAnchor> trust = anchors.stream().map(c -> new TrustAnchor(c, null))
        .collect(Collectors.toSet());
    PKIXParameters params = new PKIXParameters(trust);
    params.setRevocationEnabled(false);
    params.setDate(Date.from(at));
    PKIXCertPathValidatorResult result = (PKIXCertPathValidatorResult) CertPathValidator
        .getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), params);
    return result.getTrustAnchor().getTrustedCert();
  }
}
