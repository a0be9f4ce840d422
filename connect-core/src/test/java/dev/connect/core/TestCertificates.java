package dev.connect.core;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;

/**
 * Self-signed certificates with chosen subject alternative names, made with the JDK alone.
 *
 * <p>The JDK has no public certificate builder, so this writes the few DER structures needed by
 * hand; that is fine for test input but nothing for production code (use bcpkix there). The CA
 * module covers the same cases with certificates from its BouncyCastle builder.
 */
final class TestCertificates {
  private static final int URI = 6;
  private static final int DNS = 2;
  private static final byte[] ECDSA_WITH_SHA256 = {0x06, 0x08, 0x2a, (byte) 0x86, 0x48,
      (byte) 0xce, 0x3d, 0x04, 0x03, 0x02};
  private static final byte[] COMMON_NAME = {0x06, 0x03, 0x55, 0x04, 0x03};
  private static final byte[] SUBJECT_ALT_NAME = {0x06, 0x03, 0x55, 0x1d, 0x11};
  private static KeyPair keyPair;

  private TestCertificates() {}

  /** Returns a certificate whose SAN extension holds exactly these URIs, in order. */
  static X509Certificate withUriSans(String... uris) {
    byte[][] names = new byte[uris.length][];
    for (int i = 0; i < uris.length; i++) {
      names[i] = generalName(URI, uris[i]);
    }
    return build(names);
  }

  /** Returns a certificate whose SAN extension holds one DNS name and the given URIs. */
  static X509Certificate withDnsAndUriSans(String dnsName, String... uris) {
    byte[][] names = new byte[uris.length + 1][];
    names[0] = generalName(DNS, dnsName);
    for (int i = 0; i < uris.length; i++) {
      names[i + 1] = generalName(URI, uris[i]);
    }
    return build(names);
  }

  /** Returns a certificate with no SAN extension at all. */
  static X509Certificate withoutSanExtension() {
    return build(null);
  }

  private static X509Certificate build(byte[][] generalNames) {
    try {
      KeyPair keys = keyPair();
      byte[] algorithm = tlv(0x30, ECDSA_WITH_SHA256);
      byte[] name = tlv(0x30, tlv(0x31, tlv(0x30, COMMON_NAME,
          tlv(0x0c, "connect-core test".getBytes(StandardCharsets.UTF_8)))));
      byte[] validity = tlv(0x30, tlv(0x17, ascii("260101000000Z")),
          tlv(0x17, ascii("360101000000Z")));
      byte[] extensions = generalNames == null ? new byte[0]
          : tlv(0xa3, tlv(0x30, tlv(0x30, SUBJECT_ALT_NAME,
              tlv(0x04, tlv(0x30, generalNames)))));
      byte[] tbs = tlv(0x30,
          tlv(0xa0, tlv(0x02, new byte[] {2})),
          tlv(0x02, BigInteger.valueOf(0x1234).toByteArray()),
          algorithm, name, validity, name,
          keys.getPublic().getEncoded(),
          extensions);
      Signature signer = Signature.getInstance("SHA256withECDSA");
      signer.initSign(keys.getPrivate());
      signer.update(tbs);
      byte[] signature = signer.sign();
      byte[] bitString = new byte[signature.length + 1];
      System.arraycopy(signature, 0, bitString, 1, signature.length);
      byte[] der = tlv(0x30, tbs, algorithm, tlv(0x03, bitString));
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static synchronized KeyPair keyPair() throws GeneralSecurityException {
    if (keyPair == null) {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      keyPair = generator.generateKeyPair();
    }
    return keyPair;
  }

  private static byte[] generalName(int tag, String value) {
    return tlv(0x80 | tag, ascii(value));
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** Returns one DER tag-length-value with the given contents concatenated. */
  private static byte[] tlv(int tag, byte[]... contents) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (byte[] c : contents) {
      body.writeBytes(c);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int length = body.size();
    if (length < 0x80) {
      out.write(length);
    } else {
      byte[] len = BigInteger.valueOf(length).toByteArray();
      int start = len[0] == 0 ? 1 : 0;
      out.write(0x80 | (len.length - start));
      out.write(len, start, len.length - start);
    }
    out.writeBytes(body.toByteArray());
    return out.toByteArray();
  }
}
