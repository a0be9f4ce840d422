package dev.connect.ca.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.ContentVerifier;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;

/**
 * The one BouncyCastle provider of the CA and the JCA calls made with it.
 *
 * <p>Every key generation, signature and verification names this provider explicitly; it is
 * never registered with {@code Security.addProvider}, so the CA changes nothing for the rest of
 * the JVM. BouncyCastle is used because the JDK 17 SunEC provider is 7 to 12 times slower for
 * P-256. The one exception is parsing X.509 certificates, which uses the JDK's own factory: JSSE
 * and the PKIX validator re-parse every certificate that is not the JDK's implementation.
 *
 * <p>A missing algorithm is a broken JVM, reported as {@link IllegalStateException} with the
 * cause.
 */
public final class Jca {
  /** ECDSA with SHA-256, Consul's signature for an EC CA key of any curve. */
  public static final String SHA256_WITH_ECDSA = "SHA256withECDSA";
  /** SHA-256 with RSA (PKCS#1 v1.5), Consul's signature for an RSA CA key. */
  public static final String SHA256_WITH_RSA = "SHA256withRSA";

  private static final Provider PROVIDER = new BouncyCastleProvider();
  private static final SecureRandom RANDOM = new SecureRandom();
  // Shared: its build(PublicKey) only reads its fields. JcaContentSignerBuilder.build writes
  // one, so a signer builder is made per signature (a map lookup).
  private static final JcaContentVerifierProviderBuilder VERIFIER =
      new JcaContentVerifierProviderBuilder().setProvider(PROVIDER);

  private static final Map<ASN1ObjectIdentifier, String> SIMPLE_SIGNATURES = Map.of(
      X9ObjectIdentifiers.ecdsa_with_SHA256, "SHA256withECDSA",
      X9ObjectIdentifiers.ecdsa_with_SHA384, "SHA384withECDSA",
      X9ObjectIdentifiers.ecdsa_with_SHA512, "SHA512withECDSA",
      PKCSObjectIdentifiers.sha256WithRSAEncryption, "SHA256withRSA",
      PKCSObjectIdentifiers.sha384WithRSAEncryption, "SHA384withRSA",
      PKCSObjectIdentifiers.sha512WithRSAEncryption, "SHA512withRSA");

  private Jca() {}

  /** Returns the BouncyCastle provider every JCA call of the CA uses. */
  public static Provider provider() {
    return PROVIDER;
  }

  /** Returns the CA's one source of randomness: serials, keys, signatures. Thread-safe. */
  public static SecureRandom random() {
    return RANDOM;
  }

  /** Generates an EC key pair on the named curve, for example {@code secp256r1}. */
  public static KeyPair generateEcKeyPair(String curve) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", PROVIDER);
      generator.initialize(new ECGenParameterSpec(curve), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("BouncyCastle cannot generate EC " + curve + " keys", e);
    }
  }

  /** Generates an RSA key pair with public exponent 65537. */
  public static KeyPair generateRsaKeyPair(int bits) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA", PROVIDER);
      generator.initialize(new RSAKeyGenParameterSpec(bits, RSAKeyGenParameterSpec.F4), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("BouncyCastle cannot generate RSA-" + bits + " keys", e);
    }
  }

  /**
   * Returns the signature algorithm for a signing key, as Consul's {@code SigAlgoForKey}:
   * SHA-256 with RSA for RSA, ECDSA with SHA-256 for EC.
   *
   * @throws IllegalArgumentException for any other kind of key
   */
  public static String signatureAlgorithm(Key key) {
    if (key instanceof ECKey) {
      return SHA256_WITH_ECDSA;
    }
    if (key instanceof RSAKey) {
      return SHA256_WITH_RSA;
    }
    throw new IllegalArgumentException("unsupported signing key algorithm: " + key.getAlgorithm());
  }

  /** Returns a one-use signer for {@code key} with {@link #signatureAlgorithm(Key)}. */
  public static ContentSigner signer(PrivateKey key) {
    try {
      return new JcaContentSignerBuilder(signatureAlgorithm(key)).setProvider(PROVIDER)
          .setSecureRandom(RANDOM).build(key);
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("BouncyCastle cannot sign with a "
          + key.getAlgorithm() + " key", e);
    }
  }

  /**
   * Returns a verifier for signatures by {@code key}.
   *
   * <p>For the usual ECDSA and RSA PKCS#1 v1.5 algorithms this wraps one BouncyCastle {@link
   * Signature} directly: {@link JcaContentVerifierProviderBuilder} pairs an EC verifier with a
   * "raw" one and verifies every signature twice (BouncyCastle 1.82), doubling the cost of
   * checking a CSR. Any other algorithm goes through that builder unchanged.
   */
  public static ContentVerifierProvider verifier(PublicKey key) {
    ContentVerifierProvider general;
    try {
      general = VERIFIER.build(key);
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("BouncyCastle cannot verify with a "
          + key.getAlgorithm() + " key", e);
    }
    return new ContentVerifierProvider() {
      @Override
      public boolean hasAssociatedCertificate() {
        return false;
      }

      @Override
      public X509CertificateHolder getAssociatedCertificate() {
        return null;
      }

      @Override
      public ContentVerifier get(AlgorithmIdentifier algorithm)
          throws OperatorCreationException {
        String name = SIMPLE_SIGNATURES.get(algorithm.getAlgorithm());
        ASN1Encodable parameters = algorithm.getParameters();
        if (name == null || (parameters != null && !DERNull.INSTANCE.equals(parameters))) {
          return general.get(algorithm);
        }
        Signature signature;
        try {
          signature = Signature.getInstance(name, PROVIDER);
        } catch (NoSuchAlgorithmException e) {
          throw new IllegalStateException("BouncyCastle lacks " + name, e);
        }
        try {
          signature.initVerify(key);
        } catch (InvalidKeyException e) {
          throw new OperatorCreationException(name + " cannot verify with a "
              + key.getAlgorithm() + " key: " + e.getMessage(), e);
        }
        return new SignatureVerifier(algorithm, signature);
      }
    };
  }

  /**
   * Decodes a SubjectPublicKeyInfo with the provider's key factories.
   *
   * @return the key, or null if BouncyCastle knows no key type for its algorithm
   * @throws IOException if the key's encoding is broken
   */
  public static PublicKey publicKey(SubjectPublicKeyInfo spki) throws IOException {
    // A static lookup that constructing a BouncyCastleProvider fills in; calling into this
    // class constructs PROVIDER first, so it is never empty here.
    return BouncyCastleProvider.getPublicKey(spki);
  }

  /** Returns the SHA-256 digest of {@code data}. */
  public static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256", PROVIDER).digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("BouncyCastle lacks SHA-256", e);
    }
  }

  /** Converts a certificate we just built into the JDK's X.509 implementation. */
  public static X509Certificate toX509(X509CertificateHolder holder) {
    try {
      return toX509(holder.getEncoded());
    } catch (IOException e) {
      throw new AssertionError("a certificate built in memory cannot be encoded", e);
    }
  }

  /** Parses DER into the JDK's X.509 implementation; the DER is one we produced. */
  public static X509Certificate toX509(byte[] der) {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException e) {
      throw new IllegalStateException("the JDK cannot parse a certificate built by the CA", e);
    }
  }

  /** A content verifier over one JCA signature, used once. */
  private static final class SignatureVerifier implements ContentVerifier {
    private final AlgorithmIdentifier algorithm;
    private final Signature signature;

    SignatureVerifier(AlgorithmIdentifier algorithm, Signature signature) {
      this.algorithm = algorithm;
      this.signature = signature;
    }

    @Override
    public AlgorithmIdentifier getAlgorithmIdentifier() {
      return algorithm;
    }

    @Override
    public OutputStream getOutputStream() {
      return new OutputStream() {
        @Override
        public void write(int b) {
          write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int off, int len) {
          try {
            signature.update(bytes, off, len);
          } catch (SignatureException e) {
            throw new IllegalStateException("verifier not initialised", e);
          }
        }
      };
    }

    @Override
    public boolean verify(byte[] expected) {
      try {
        return signature.verify(expected);
      } catch (SignatureException e) {
        // A signature that does not even decode does not verify.
        return false;
      }
    }
  }
}
