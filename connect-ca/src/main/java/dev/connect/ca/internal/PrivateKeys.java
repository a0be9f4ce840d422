package dev.connect.ca.internal;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.ContentVerifier;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Private keys in PEM: PKCS#1 ({@code RSA PRIVATE KEY}), SEC1 ({@code EC PRIVATE KEY}) and
 * PKCS#8 ({@code PRIVATE KEY}) in; PKCS#8 out. Messages never contain key material.
 */
public final class PrivateKeys {
  private static final byte[] CHALLENGE =
      "Connect for Java: does this key match the certificate?".getBytes(StandardCharsets.US_ASCII);

  private PrivateKeys() {}

  /**
   * Reads the first private key in PEM text; {@code EC PARAMETERS} blocks before it, as {@code
   * openssl ecparam -genkey} writes them, are skipped.
   *
   * @throws IllegalArgumentException if there is no PEM, no private key, or an encrypted one
   */
  public static PrivateKey parsePem(String pem) {
    requireNonNull(pem, "pem");
    Object object;
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      object = parser.readObject();
      while (object instanceof ASN1ObjectIdentifier || object instanceof X9ECParameters) {
        object = parser.readObject();
      }
    } catch (IOException | RuntimeException e) {
      // The cause names the parsing step, never key bytes.
      throw new IllegalArgumentException("private key: PEM cannot be decoded ("
          + e.getClass().getSimpleName() + ")", e);
    }
    if (object == null) {
      throw new IllegalArgumentException("private key: no PEM-encoded data found");
    }
    if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
      throw new IllegalArgumentException("private key: encrypted keys are not supported;"
          + " decrypt it first, for example with openssl pkey");
    }
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider(Jca.provider());
    try {
      if (object instanceof PEMKeyPair pair) {
        return converter.getKeyPair(pair).getPrivate();
      }
      if (object instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("private key: PEM holds a key that cannot be decoded ("
          + e.getClass().getSimpleName() + ")", e);
    }
    throw new IllegalArgumentException("private key: expected a PKCS#1, SEC1 or PKCS#8 private"
        + " key in PEM, found " + object.getClass().getSimpleName());
  }

  /** Returns the key as an unencrypted PKCS#8 PEM block ({@code PRIVATE KEY}). */
  public static String toPkcs8Pem(PrivateKey key) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(new JcaPKCS8Generator(key, null));
    } catch (IOException e) {
      throw new IllegalStateException("private key cannot be encoded as PKCS#8 ("
          + key.getAlgorithm() + ")", e);
    }
    return out.toString();
  }

  /**
   * Tells whether {@code key} is the private half of {@code publicKey}: a signature by one
   * verifies with the other.
   */
  public static boolean matches(PrivateKey key, PublicKey publicKey) {
    ContentSigner signer;
    try {
      signer = Jca.signer(key);
    } catch (IllegalArgumentException e) {
      return false;
    }
    try {
      try (OutputStream out = signer.getOutputStream()) {
        out.write(CHALLENGE);
      }
      byte[] signature = signer.getSignature();
      ContentVerifier verifier =
          Jca.verifier(publicKey).get(signer.getAlgorithmIdentifier());
      try (OutputStream out = verifier.getOutputStream()) {
        out.write(CHALLENGE);
      }
      return verifier.verify(signature);
    } catch (OperatorCreationException | RuntimeException e) {
      // A key of another family than the certificate's: cannot verify, so no match.
      return false;
    } catch (IOException e) {
      throw new AssertionError("in-memory signature stream failed", e);
    }
  }
}
