package dev.connect.ca.internal;

import dev.connect.core.InvalidCsrException;
import dev.connect.core.InvalidCsrException.Problem;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.nist.NISTNamedCurves;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * The rule for the public key of a leaf, applied to the encoded SubjectPublicKeyInfo alone:
 * EC on the named curves P-256 or P-384, or RSA with a modulus of 2048 to 4096 bits and an odd
 * public exponent from 3 to 2<sup>32</sup> - 1.
 *
 * <p>It runs before the key is handed to JCA or the CSR's signature is verified (review finding:
 * a CSR with a DSA key of 32768 bits made the CA spend about 50 s decoding and verifying, and an
 * RSA key with a 16384-bit exponent about 2.5 s, before the key rule refused either, all without
 * a valid signature or any ACL). Reading an OID, a curve OID and two DER integers costs
 * microseconds whatever the key claims to be. It also refuses an RSA exponent of 1, which used to
 * pass validation and then fail in {@code sign} with {@link IllegalStateException}.
 */
public final class LeafKeys {
  /** What the refusal messages say a leaf key must be. */
  static final String RULE = "a leaf key must be EC P-256 or P-384, or RSA of 2048 to 4096 bits"
      + " with an odd public exponent from 3 to 2^32 - 1";

  private static final int MIN_RSA_BITS = 2048;
  private static final int MAX_RSA_BITS = 4096;
  private static final BigInteger MIN_EXPONENT = BigInteger.valueOf(3);
  private static final int MAX_EXPONENT_BITS = 32;
  // An exponent longer than this is described by its length, not printed.
  private static final int MAX_SHOWN_EXPONENT_BITS = 64;

  private static final Map<ASN1ObjectIdentifier, String> OTHER_ALGORITHMS = Map.of(
      X9ObjectIdentifiers.id_dsa, "DSA",
      X9ObjectIdentifiers.dhpublicnumber, "DH",
      PKCSObjectIdentifiers.dhKeyAgreement, "DH",
      PKCSObjectIdentifiers.id_RSASSA_PSS, "RSASSA-PSS",
      PKCSObjectIdentifiers.id_RSAES_OAEP, "RSAES-OAEP",
      EdECObjectIdentifiers.id_Ed25519, "Ed25519",
      EdECObjectIdentifiers.id_Ed448, "Ed448",
      EdECObjectIdentifiers.id_X25519, "X25519",
      EdECObjectIdentifiers.id_X448, "X448");

  private LeafKeys() {}

  /**
   * Checks that a leaf may carry the key {@code spki} encodes, without decoding the key itself.
   *
   * @throws InvalidCsrException {@link Problem#KEY_NOT_ALLOWED} naming the algorithm, curve,
   *     modulus size or exponent that is refused; {@link Problem#MALFORMED} if the encoding of
   *     an RSA key, which must be read to know its size, is broken
   */
  public static void check(SubjectPublicKeyInfo spki) {
    ASN1ObjectIdentifier algorithm = spki.getAlgorithm().getAlgorithm();
    ASN1Encodable parameters = spki.getAlgorithm().getParameters();
    if (algorithm.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
      checkEc(parameters);
    } else if (algorithm.equals(PKCSObjectIdentifiers.rsaEncryption)) {
      checkRsa(spki, parameters);
    } else {
      String name = OTHER_ALGORITHMS.get(algorithm);
      throw refused((name != null ? name + " (" + algorithm.getId() + ")"
          : "algorithm " + algorithm.getId()));
    }
  }

  /**
   * Tells whether a leaf may carry the key {@code spki} encodes: {@link #check} passes.
   *
   * @param spki an encoded public key
   * @return true if the key is allowed and its encoding readable
   */
  public static boolean allows(SubjectPublicKeyInfo spki) {
    try {
      check(spki);
      return true;
    } catch (InvalidCsrException e) {
      return false;
    }
  }

  private static void checkEc(ASN1Encodable parameters) {
    if (parameters instanceof ASN1ObjectIdentifier curve) {
      if (curve.equals(SECObjectIdentifiers.secp256r1)
          || curve.equals(SECObjectIdentifiers.secp384r1)) {
        return;
      }
      String nist = NISTNamedCurves.getName(curve);
      String other = ECNamedCurveTable.getName(curve);
      throw refused(nist != null ? "EC " + nist
          : other != null ? "EC " + other + " (" + curve.getId() + ")"
          : "EC on curve " + curve.getId());
    }
    if (parameters instanceof ASN1Sequence) {
      throw refused("EC with explicit curve parameters instead of a named curve (RFC 5480"
          + " requires the name)");
    }
    throw refused("EC without a named curve");
  }

  private static void checkRsa(SubjectPublicKeyInfo spki, ASN1Encodable parameters) {
    if (parameters != null && !DERNull.INSTANCE.equals(parameters)) {
      throw new InvalidCsrException(Problem.MALFORMED,
          "RSA public key in CSR has algorithm parameters; rsaEncryption takes NULL");
    }
    BigInteger modulus;
    BigInteger exponent;
    try {
      // Read by hand: BouncyCastle's RSAPublicKey reads both integers as unsigned, turning a
      // negative modulus into a positive one.
      ASN1Sequence sequence = ASN1Sequence.getInstance(spki.parsePublicKey());
      if (sequence.size() != 2) {
        throw new IllegalArgumentException("RSAPublicKey has " + sequence.size()
            + " elements, not 2");
      }
      modulus = ASN1Integer.getInstance(sequence.getObjectAt(0)).getValue();
      exponent = ASN1Integer.getInstance(sequence.getObjectAt(1)).getValue();
    } catch (IOException | RuntimeException e) {
      throw new InvalidCsrException(Problem.MALFORMED,
          "RSA public key in CSR cannot be decoded: " + e.getMessage());
    }
    if (modulus.signum() <= 0 || exponent.signum() <= 0) {
      throw new InvalidCsrException(Problem.MALFORMED,
          "RSA public key in CSR has a modulus or exponent that is not a positive number");
    }
    int bits = modulus.bitLength();
    if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
      throw refused("RSA " + bits + " bits");
    }
    if (exponent.compareTo(MIN_EXPONENT) < 0 || exponent.bitLength() > MAX_EXPONENT_BITS
        || !exponent.testBit(0)) {
      String shown = exponent.bitLength() > MAX_SHOWN_EXPONENT_BITS
          ? "of " + exponent.bitLength() + " bits" : exponent.toString();
      throw refused("RSA " + bits + " bits with public exponent " + shown);
    }
  }

  private static InvalidCsrException refused(String what) {
    return new InvalidCsrException(Problem.KEY_NOT_ALLOWED,
        "public key in CSR is not allowed: " + what + "; " + RULE);
  }
}
