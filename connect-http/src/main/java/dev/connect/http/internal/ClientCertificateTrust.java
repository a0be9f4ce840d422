package dev.connect.http.internal;

import static java.util.Objects.requireNonNull;

import dev.connect.core.QueryOptions;
import dev.connect.server.EmbeddedServer;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The trust manager of the HTTPS listener when client certificates are required (Consul's
 * {@code verify_incoming}): a client's chain must validate (PKIX, revocation off, the date from
 * the agent's clock) to one of the CA roots the server lists now, and its leaf must allow TLS
 * client authentication. Any leaf of the trust domain passes: the ACL token, not the
 * certificate, decides what a request may do, as in Consul.
 *
 * <p>The roots are read from the server on every handshake, so a rotation is seen at once.
 */
final class ClientCertificateTrust extends X509ExtendedTrustManager {
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  private final EmbeddedServer server;
  private final Clock clock;

  ClientCertificateTrust(EmbeddedServer server, Clock clock) {
    this.server = requireNonNull(server, "server");
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    verify(chain);
  }

  /** Verifies a client's chain, leaf first; also after a resumed handshake. */
  void verify(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("no client certificate: this agent requires one issued by"
          + " its CA");
    }
    X509Certificate leaf = chain[0];
    List<String> usages = leaf.getExtendedKeyUsage();
    if (usages != null && !usages.contains(CLIENT_AUTH)) {
      throw new CertificateException("client certificate serial "
          + leaf.getSerialNumber().toString(16) + " does not allow TLS client authentication");
    }
    List<X509Certificate> roots = server.roots(QueryOptions.defaults()).join().value()
        .certificates();
    Set<TrustAnchor> anchors = new HashSet<>();
    for (X509Certificate root : roots) {
      anchors.add(new TrustAnchor(root, null));
    }
    try {
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(Date.from(clock.instant()));
      CertPathValidator.getInstance("PKIX").validate(
          CertificateFactory.getInstance("X.509").generateCertPath(Arrays.asList(chain)), params);
    } catch (GeneralSecurityException e) {
      throw new CertificateException("client certificate serial "
          + leaf.getSerialNumber().toString(16) + " (" + leaf.getSubjectX500Principal()
          + ") does not chain to this agent's CA roots: " + e.getMessage(), e);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("the agent's HTTPS listener authenticates clients only");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("the agent's HTTPS listener authenticates clients only");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("the agent's HTTPS listener authenticates clients only");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    // Empty rather than the roots: a list read once would go stale after a rotation, and
    // clients then offer whatever certificate they have.
    return new X509Certificate[0];
  }
}
