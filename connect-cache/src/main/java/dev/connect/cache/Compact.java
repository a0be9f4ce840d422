package dev.connect.cache;

import dev.connect.core.IssuedCertificate;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.slf4j.LoggerFactory;

/**
 * Smaller representations of what a leaf entry keeps for its whole life, measured with 10,000
 * cached services: the JDK's parsed certificate retains about 5.0 KB for a 577-byte Connect
 * leaf, BouncyCastle's about 3.7 KB; a BouncyCastle EC private key about 1.0 KB, the JDK's about
 * 0.46 KB (and SunJSSE signs with it without translating it on every handshake). Both stay
 * ordinary {@link X509Certificate} and {@link PrivateKey} objects with the same encodings.
 *
 * <p>The BouncyCastle provider is a private instance, never registered with {@link
 * java.security.Security}.
 */
final class Compact {
  private Compact() {}

  /** Holds the provider, made on first use. */
  private static final class Bc {
    static final Provider PROVIDER = new BouncyCastleProvider();
  }

  /**
   * Returns {@code issued} with its leaf parsed by BouncyCastle.
   *
   * @throws IllegalStateException if the leaf cannot be encoded or parsed again, which would mean
   *     a broken certificate object from the backend
   */
  static IssuedCertificate certificate(IssuedCertificate issued) {
    X509Certificate leaf = issued.certificate();
    if (leaf.getClass().getName().startsWith("org.bouncycastle.")) {
      return issued;
    }
    try {
      X509Certificate parsed = (X509Certificate) CertificateFactory.getInstance("X.509",
          Bc.PROVIDER).generateCertificate(new ByteArrayInputStream(leaf.getEncoded()));
      return new IssuedCertificate(parsed, issued.intermediates(), issued.service(),
          issued.createIndex(), issued.modifyIndex());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot re-parse leaf serial " + issued.serialNumberHex(),
          e);
    }
  }

  /**
   * Returns {@code key} as the JDK's own key object of its algorithm, or {@code key} itself if it
   * is one already, has no PKCS#8 encoding (a hardware key), or the JDK has no key factory for
   * it.
   */
  static PrivateKey privateKey(PrivateKey key) {
    byte[] encoded = key.getEncoded();
    if (encoded == null || !"PKCS#8".equals(key.getFormat())
        || key.getClass().getName().startsWith("sun.security.")) {
      return key;
    }
    try {
      return KeyFactory.getInstance(key.getAlgorithm())
          .generatePrivate(new PKCS8EncodedKeySpec(encoded));
    } catch (GeneralSecurityException e) {
      // Only a size optimization: the key works as it is (and TLS stacks translate it).
      LoggerFactory.getLogger(Compact.class).debug(
          "keeping the {} key of class {} as it is: {}", key.getAlgorithm(),
          key.getClass().getName(), e.toString());
      return key;
    } finally {
      Arrays.fill(encoded, (byte) 0);
    }
  }
}
