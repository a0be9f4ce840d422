package dev.connect.ca.vault.internal;

import dev.connect.core.Certificates;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/** The SSLContext of the HTTPS connection to Vault: Consul's {@code CAFile}, {@code CertFile}, {@code KeyFile}. */
final class VaultTls {
  private VaultTls() {}

  static SSLContext context(Optional<Path> caFile, Optional<Path> certFile,
      Optional<Path> keyFile) {
    try {
      if (caFile.isEmpty() && certFile.isEmpty()) {
        return SSLContext.getDefault();
      }
      TrustManager[] trust = null;
      if (caFile.isPresent()) {
        List<X509Certificate> cas = certificates(caFile.get(), "CAFile");
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
      if (certFile.isPresent()) {
        List<X509Certificate> chain = certificates(certFile.get(), "CertFile");
        PrivateKey key = privateKey(keyFile.orElseThrow(), "KeyFile " + keyFile.get());
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
      throw new IllegalStateException("cannot build the TLS context for Vault: " + e, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the TLS files for Vault: " + e.getMessage(), e);
    }
  }

  private static PrivateKey privateKey(Path file, String what) throws IOException {
    Object parsed;
    try (PEMParser parser = new PEMParser(new StringReader(
        Files.readString(file, StandardCharsets.US_ASCII)))) {
      parsed = parser.readObject();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Vault " + what + " is not a PEM private key: "
          + e.getMessage(), e);
    }
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    if (parsed instanceof PEMKeyPair pair) {
      return converter.getKeyPair(pair).getPrivate();
    }
    if (parsed instanceof PrivateKeyInfo info) {
      return converter.getPrivateKey(info);
    }
    throw new IllegalArgumentException("Vault " + what + " holds no unencrypted private key");
  }

  private static List<X509Certificate> certificates(Path file, String what) throws IOException {
    List<X509Certificate> list;
    try {
      list = Certificates.parsePem(Files.readString(file, StandardCharsets.US_ASCII));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Vault " + what + " " + file
          + " holds no valid PEM certificate: " + e.getMessage(), e);
    }
    if (list.isEmpty()) {
      throw new IllegalArgumentException("Vault " + what + " " + file + " holds no PEM certificate");
    }
    return list;
  }
}
