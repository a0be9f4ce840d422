package dev.connect.consul;

import dev.connect.core.Certificates;
import java.io.IOException;
import java.io.StringReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/** PEM keys and the SSLContext of the HTTPS connection to Consul, as Consul's api client makes it. */
final class ConsulTls {
  private ConsulTls() {}

  /**
   * Parses a private key in PEM: PKCS#8, PKCS#1 (RSA) or SEC1 (EC, as Consul's leaves carry).
   *
   * @throws IllegalArgumentException naming {@code what} if it holds no key or does not parse
   */
  static PrivateKey parsePrivateKey(String pem, String what) {
    Object parsed;
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      parsed = parser.readObject();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(what + " is not a PEM private key: " + e.getMessage(), e);
    }
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try {
      if (parsed instanceof PEMKeyPair pair) {
        return converter.getKeyPair(pair).getPrivate();
      }
      if (parsed instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(what + " holds a key that does not parse: "
          + e.getMessage(), e);
    }
    throw new IllegalArgumentException(what + " holds no unencrypted private key"
        + (parsed == null ? "" : " (found " + parsed.getClass().getSimpleName() + ")"));
  }

  /**
   * Returns the context for {@code https://}: the JDK's default one unless a CA file, a client
   * certificate or {@code verify = false} is given.
   */
  static SSLContext context(Path caCert, Path clientCert, Path clientKey, boolean verify)
      throws IOException {
    try {
      if (caCert == null && clientCert == null && verify) {
        return SSLContext.getDefault();
      }
      TrustManager[] trust = null;
      if (!verify) {
        trust = new TrustManager[] {new TrustEverything()};
      } else if (caCert != null) {
        List<X509Certificate> cas = certificates(caCert, "CONSUL_CACERT");
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (int i = 0; i < cas.size(); i++) {
          store.setCertificateEntry("ca-" + i, cas.get(i));
        }
        TrustManagerFactory tmf =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        trust = tmf.getTrustManagers();
      }
      KeyManager[] keys = null;
      if (clientCert != null) {
        List<X509Certificate> chain = certificates(clientCert, "CONSUL_CLIENT_CERT");
        PrivateKey key = parsePrivateKey(
            Files.readString(clientKey, StandardCharsets.US_ASCII), "CONSUL_CLIENT_KEY " + clientKey);
        char[] password = new char[0];
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("client", key, password, chain.toArray(X509Certificate[]::new));
        KeyManagerFactory kmf =
            KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, password);
        keys = kmf.getKeyManagers();
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys, trust, new SecureRandom());
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the TLS context for Consul: " + e, e);
    }
  }

  private static List<X509Certificate> certificates(Path file, String what) throws IOException {
    String pem = Files.readString(file, StandardCharsets.US_ASCII);
    List<X509Certificate> list;
    try {
      list = Certificates.parsePem(pem);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(what + " " + file + " holds no valid PEM certificate: "
          + e.getMessage(), e);
    }
    if (list.isEmpty()) {
      throw new IllegalArgumentException(what + " " + file + " holds no PEM certificate");
    }
    return list;
  }

  /**
   * CONSUL_HTTP_SSL_VERIFY=false: trusts any server certificate and skips the host name check,
   * as Consul's api client does with {@code InsecureSkipVerify}. Never the default.
   */
  private static final class TrustEverything extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
      throw new UnsupportedOperationException("a client context authenticates no clients");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
      throw new UnsupportedOperationException("a client context authenticates no clients");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
      throw new UnsupportedOperationException("a client context authenticates no clients");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
