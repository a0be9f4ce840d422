package dev.connect.core;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

/**
 * Certificate encodings as Consul writes them: PEM blocks, DER, SHA-1 and SHA-256 fingerprints,
 * and the lower-case colon-hex of root IDs and serial numbers.
 *
 * <p>Uses the JDK only. {@link #toPem(X509Certificate)} ends each block with a newline, as the
 * files Consul's agent writes do; {@link #parsePem(String)} accepts several blocks (a chain or a
 * roots bundle) and names what it could not parse. Certificates only: private keys travel
 * through {@code LeafRequests.exportPrivateKeyPkcs8Pem} in {@code connect-ca}, loudly.
 */
public final class Certificates {
  private static final Base64.Encoder PEM_BASE64 =
      Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
  private static final HexFormat COLON_HEX = HexFormat.ofDelimiter(":");

  private Certificates() {}

  /**
   * Returns the URI subject alternative names of a certificate, in order; empty when it has none.
   *
   * @param certificate the certificate
   * @param what how errors name it, such as {@code "root certificate"}
   * @return its URI SANs
   * @throws IllegalArgumentException if its SANs cannot be parsed, naming its SHA-1 fingerprint
   */
  public static List<String> uriSans(X509Certificate certificate, String what) {
    requireNonNull(certificate, "certificate");
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new IllegalArgumentException(what + " " + sha1Fingerprint(certificate)
          + ": SANs cannot be parsed", e);
    }
    List<String> uris = new ArrayList<>();
    if (names != null) {
      for (List<?> name : names) {
        if (Integer.valueOf(6).equals(name.get(0))) {
          uris.add(String.valueOf(name.get(1)));
        }
      }
    }
    return uris;
  }

  /** Returns the DER encoding; a certificate we hold always has one. */
  public static byte[] der(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("certificate cannot be encoded: serial "
          + certificate.getSerialNumber().toString(16), e);
    }
  }

  /** Returns one PEM block ending in a newline, as Consul writes certificates. */
  public static String toPem(X509Certificate certificate) {
    return "-----BEGIN CERTIFICATE-----\n" + PEM_BASE64.encodeToString(der(certificate))
        + "\n-----END CERTIFICATE-----\n";
  }

  /** Returns the PEM blocks of every certificate, concatenated. */
  public static String toPem(List<X509Certificate> certificates) {
    StringBuilder out = new StringBuilder();
    for (X509Certificate c : certificates) {
      out.append(toPem(c));
    }
    return out.toString();
  }

  /**
   * Parses every certificate in PEM (or DER) text.
   *
   * @throws IllegalArgumentException if the text holds no certificate or a malformed one
   */
  public static List<X509Certificate> parsePem(String pem) {
    requireNonNull(pem, "pem");
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      Collection<? extends java.security.cert.Certificate> parsed = factory.generateCertificates(
          new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
      List<X509Certificate> out = new ArrayList<>();
      for (java.security.cert.Certificate c : parsed) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new IllegalArgumentException("no PEM-encoded certificate found");
      }
      return List.copyOf(out);
    } catch (CertificateException e) {
      throw new IllegalArgumentException("malformed certificate PEM: " + reason(e), e);
    }
  }

  /** A Java class name and colon that the JDK's parsers put before a wrapped cause's message. */
  private static final java.util.regex.Pattern CLASS_PREFIX = java.util.regex.Pattern.compile(
      "(?:[a-zA-Z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error):\\s*");

  /**
   * The innermost message of a parse failure, without the class names the JDK's certificate
   * factory chains into it ({@code java.io.IOException: java.lang.IllegalArgumentException:
   * Illegal base64 character 3f}): a message a caller may show to whoever sent the PEM.
   */
  private static String reason(Exception e) {
    String message = null;
    int depth = 0;
    for (Throwable t = e; t != null && depth < 16; t = t.getCause(), depth++) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        message = t.getMessage();
      }
    }
    String clean = message == null ? "" : CLASS_PREFIX.matcher(message).replaceAll("").strip();
    return clean.isEmpty() ? "unreadable" : clean;
  }

  /** Parses exactly one certificate from PEM text. */
  public static X509Certificate parseOnePem(String pem) {
    List<X509Certificate> all = parsePem(pem);
    if (all.size() != 1) {
      throw new IllegalArgumentException("expected one certificate in PEM, found " + all.size());
    }
    return all.get(0);
  }

  /** Returns lower-case colon-hex, Consul's {@code connect.HexString}: {@code 1f:91:ca}. */
  public static String colonHex(byte[] bytes) {
    return COLON_HEX.formatHex(bytes);
  }

  /** Returns the SHA-1 fingerprint of the DER certificate in colon-hex: Consul's root ID. */
  public static String sha1Fingerprint(X509Certificate certificate) {
    return colonHex(digest("SHA-1", der(certificate)));
  }

  /** Returns the SHA-256 fingerprint of the DER certificate in colon-hex. */
  public static String sha256Fingerprint(X509Certificate certificate) {
    return colonHex(digest("SHA-256", der(certificate)));
  }

  /** Returns a digest of {@code data}; the JDK always has SHA-1 and SHA-256. */
  public static byte[] digest(String algorithm, byte[] data) {
    try {
      return MessageDigest.getInstance(algorithm).digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JVM lacks " + algorithm, e);
    }
  }

  /**
   * Returns the serial number as Consul encodes it: colon-hex of the big-endian magnitude bytes,
   * no sign byte ({@code 8} is {@code "08"}; a negative serial, which a non-conforming certificate
   * may carry, is written by its absolute value as Go's {@code big.Int.Bytes} does).
   */
  public static String serialHex(java.math.BigInteger serial) {
    byte[] bytes = serial.abs().toByteArray();
    int start = bytes.length > 1 && bytes[0] == 0 ? 1 : 0;
    byte[] magnitude = java.util.Arrays.copyOfRange(bytes, start, bytes.length);
    return colonHex(magnitude);
  }
}
