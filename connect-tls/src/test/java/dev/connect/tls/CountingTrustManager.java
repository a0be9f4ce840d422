package dev.connect.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A server trust manager for the resumption controls: counts the full handshakes (a resumed
 * one never reaches it) and passes the engine on to the Connect trust manager, which then
 * invalidates the session, only if told to. Without the engine it hides the socket too, as a
 * plain (non-extended) wrapper would, so the session is not invalidated.
 */
final class CountingTrustManager extends X509ExtendedTrustManager {
  final X509ExtendedTrustManager delegate;
  final boolean passEngine;
  final AtomicInteger checks = new AtomicInteger();

  CountingTrustManager(X509ExtendedTrustManager delegate, boolean passEngine) {
    this.delegate = delegate;
    this.passEngine = passEngine;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    checkClientTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    if (passEngine) {
      checks.incrementAndGet();
      delegate.checkClientTrusted(chain, authType, engine);
    } else {
      checkClientTrusted(chain, authType);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    checks.incrementAndGet();
    delegate.checkClientTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("server only");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("server only");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("server only");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
