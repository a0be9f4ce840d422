package dev.connect.testkit;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The BouncyCastle calls behind the certificate builders. One provider instance, named in every
 * call and never registered with {@code Security.addProvider}, so the JVM's providers stay as
 * the test found them. Certificates come out as the JDK's own X.509 implementation, which is
 * what JSSE and the PKIX validator expect.
 */
final class Pki {
  static final Provider PROVIDER = new BouncyCastleProvider();
  static final SecureRandom RANDOM = new SecureRandom();

  private Pki() {}

  /** The key types a test certificate may have. */
  enum KeyType {
    EC_P256("EC P-256"),
    EC_P384("EC P-384"),
    RSA_2048("RSA 2048");

    private final String description;

    KeyType(String description) {
      this.description = description;
    }

    KeyPair generate() {
      try {
        KeyPairGenerator generator;
        if (this == RSA_2048) {
          generator = KeyPairGenerator.getInstance("RSA", PROVIDER);
          generator.initialize(new RSAKeyGenParameterSpec(2048, RSAKeyGenParameterSpec.F4),
              RANDOM);
        } else {
          generator = KeyPairGenerator.getInstance("EC", PROVIDER);
          generator.initialize(new ECGenParameterSpec(this == EC_P256 ? "secp256r1"
              : "secp384r1"), RANDOM);
        }
        return toJdk(generator.generateKeyPair());
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("BouncyCastle cannot generate " + description + " keys",
            e);
      }
    }

    @Override
    public String toString() {
      return description;
    }

    /**
     * Re-reads a BouncyCastle key pair with the JDK's key factories: JSSE reads curve
     * parameters from the key objects and knows its own classes best.
     */
    private static KeyPair toJdk(KeyPair keys) throws GeneralSecurityException {
      java.security.KeyFactory factory =
          java.security.KeyFactory.getInstance(keys.getPublic().getAlgorithm());
      return new KeyPair(
          factory.generatePublic(new java.security.spec.X509EncodedKeySpec(
              keys.getPublic().getEncoded())),
          factory.generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(
              keys.getPrivate().getEncoded())));
    }
  }

  /** Returns a random positive serial of at most 159 bits, as the built-in CA writes. */
  static BigInteger randomSerial() {
    return new BigInteger(159, RANDOM).setBit(0);
  }

  /** Returns a random trust domain in Consul's form, {@code <uuid>.consul}. */
  static String randomTrustDomain() {
    return java.util.UUID.randomUUID() + ".consul";
  }

  /** Returns Consul's key ID: SHA-256 of the DER SubjectPublicKeyInfo. */
  static byte[] keyId(PublicKey key) {
    try {
      return MessageDigest.getInstance("SHA-256", PROVIDER).digest(key.getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("BouncyCastle lacks SHA-256", e);
    }
  }

  /** Returns the subject key identifier extension value for {@code key}. */
  static SubjectKeyIdentifier subjectKeyId(PublicKey key) {
    return new SubjectKeyIdentifier(keyId(key));
  }

  /** Returns the authority key identifier naming {@code issuer}'s key as Go copies it. */
  static AuthorityKeyIdentifier authorityKeyId(X509Certificate issuer) {
    byte[] skid = issuer.getExtensionValue(Extension.subjectKeyIdentifier.getId());
    if (skid == null) {
      return new AuthorityKeyIdentifier(keyId(issuer.getPublicKey()));
    }
    return new AuthorityKeyIdentifier(SubjectKeyIdentifier.getInstance(
        org.bouncycastle.asn1.ASN1OctetString.getInstance(skid).getOctets()).getKeyIdentifier());
  }

  /**
   * Parses an RFC 4514 name with the JDK, which orders it as RFC 4514 says (the last RDN of the
   * text is the first of the encoding), unlike BouncyCastle's {@code X500Name(String)}.
   *
   * @throws IllegalArgumentException if {@code dn} is not a distinguished name
   */
  static X500Name name(String dn) {
    return X500Name.getInstance(new javax.security.auth.x500.X500Principal(dn).getEncoded());
  }

  /** Returns {@code CN=<cn>}, a PrintableString when it can be one, else UTF8String, as Go. */
  static X500Name commonName(String cn) {
    ASN1Encodable value = DERPrintableString.isPrintableString(cn)
        ? new DERPrintableString(cn) : new DERUTF8String(cn);
    return new X500Name(new RDN[] {new RDN(BCStyle.CN, value)});
  }

  /** Starts a certificate with the given names, serial, validity and public key. */
  static X509v3CertificateBuilder builder(X500Name issuer, BigInteger serial, Instant notBefore,
      Instant notAfter, X500Name subject, PublicKey key) {
    return new JcaX509v3CertificateBuilder(issuer, serial, Date.from(notBefore),
        Date.from(notAfter), subject, key);
  }

  /** Starts a certificate from an existing subject public key (a cross-signed root). */
  static X509v3CertificateBuilder builder(X500Name issuer, BigInteger serial, Instant notBefore,
      Instant notAfter, X500Name subject, SubjectPublicKeyInfo key) {
    return new X509v3CertificateBuilder(issuer, serial, Date.from(notBefore),
        Date.from(notAfter), subject, key);
  }

  static void add(X509v3CertificateBuilder builder, ASN1ObjectIdentifier oid, boolean critical,
      ASN1Encodable value) {
    try {
      builder.addExtension(oid, critical, value);
    } catch (CertIOException e) {
      throw new AssertionError("an extension built in memory cannot be encoded: " + oid, e);
    }
  }

  /** Signs with {@code key}: ECDSA with SHA-256 for EC keys, SHA-256 with RSA for RSA keys. */
  static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) {
    String algorithm = key instanceof RSAKey ? "SHA256withRSA" : "SHA256withECDSA";
    try {
      return new JcaX509CertificateConverter().getCertificate(builder.build(
          new JcaContentSignerBuilder(algorithm).setProvider(PROVIDER).setSecureRandom(RANDOM)
              .build(key)));
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("BouncyCastle cannot sign with " + algorithm, e);
    } catch (CertificateException e) {
      throw new IllegalStateException("the JDK cannot parse a certificate BouncyCastle made", e);
    }
  }

  /** Returns the certificates as concatenated PEM blocks, each ending in a newline. */
  static String pem(List<X509Certificate> certificates) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      for (X509Certificate certificate : certificates) {
        writer.writeObject(certificate);
      }
    } catch (IOException e) {
      throw new AssertionError("PEM to memory cannot fail", e);
    }
    return out.toString();
  }

  /** Returns the key as an unencrypted PKCS#8 PEM block ({@code PRIVATE KEY}). */
  static String pkcs8Pem(PrivateKey key) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(new JcaPKCS8Generator(key, null));
    } catch (IOException e) {
      throw new AssertionError("PEM to memory cannot fail", e);
    }
    return out.toString();
  }

  /**
   * Parses one PEM certificate with the JDK.
   *
   * @throws IllegalArgumentException if {@code pem} holds no certificate
   */
  static X509Certificate parseCertificate(String pem) {
    try {
      return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
          .generateCertificate(new java.io.ByteArrayInputStream(
              pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    } catch (CertificateException e) {
      throw new IllegalArgumentException("not a PEM certificate: " + e.getMessage(), e);
    }
  }

  /**
   * Parses a PEM private key (PKCS#8, PKCS#1 or SEC1) as the JDK's own key type.
   *
   * @throws IllegalArgumentException if {@code pem} holds no private key, naming what it holds
   */
  static PrivateKey parsePrivateKey(String pem) {
    Object parsed;
    try (org.bouncycastle.openssl.PEMParser parser =
        new org.bouncycastle.openssl.PEMParser(new java.io.StringReader(pem))) {
      parsed = parser.readObject();
    } catch (IOException e) {
      throw new IllegalArgumentException("not a PEM private key: " + e.getMessage(), e);
    }
    org.bouncycastle.asn1.pkcs.PrivateKeyInfo info;
    if (parsed instanceof org.bouncycastle.openssl.PEMKeyPair pair) {
      info = pair.getPrivateKeyInfo();
    } else if (parsed instanceof org.bouncycastle.asn1.pkcs.PrivateKeyInfo plain) {
      info = plain;
    } else {
      throw new IllegalArgumentException("not a PEM private key: it holds "
          + (parsed == null ? "no PEM block" : parsed.getClass().getSimpleName()));
    }
    try {
      PrivateKey key = new org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter()
          .setProvider(PROVIDER).getPrivateKey(info);
      // BouncyCastle names EC keys "ECDSA"; the JDK's key factory is "EC".
      String algorithm = key.getAlgorithm().startsWith("EC") ? "EC" : key.getAlgorithm();
      return java.security.KeyFactory.getInstance(algorithm).generatePrivate(
          new java.security.spec.PKCS8EncodedKeySpec(key.getEncoded()));
    } catch (GeneralSecurityException | org.bouncycastle.openssl.PEMException e) {
      throw new IllegalArgumentException("the PEM private key cannot be read: "
          + e.getMessage(), e);
    }
  }

  /** Tells whether {@code key} signs what {@code publicKey} verifies. */
  static boolean matches(PrivateKey key, PublicKey publicKey) {
    String algorithm = key instanceof RSAKey ? "SHA256withRSA" : "SHA256withECDSA";
    try {
      byte[] challenge = new byte[32];
      RANDOM.nextBytes(challenge);
      java.security.Signature signer = java.security.Signature.getInstance(algorithm, PROVIDER);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      java.security.Signature verifier = java.security.Signature.getInstance(algorithm,
          PROVIDER);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (java.security.InvalidKeyException | java.security.SignatureException e) {
      return false;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("BouncyCastle cannot sign with " + algorithm, e);
    }
  }

  /** Returns the serial in lower-case hex, as messages show it. */
  static String hex(BigInteger serial) {
    return serial.toString(16);
  }
}
