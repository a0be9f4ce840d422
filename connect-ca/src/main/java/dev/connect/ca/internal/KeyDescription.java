package dev.connect.ca.internal;

import static java.util.Objects.requireNonNull;

import dev.connect.ca.CaKeySpec;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * What kind of public key something carries: family, size and, for EC, the NIST curve. Used to
 * name a decoded key in messages and to read a loaded CA key's spec; the leaf key rule is {@link
 * LeafKeys}, which judges a key before it is decoded.
 *
 * @param family {@code EC}, {@code RSA} or the JCA algorithm name of anything else
 * @param bits the key size (the curve's field size for EC, the modulus length for RSA); 0 if
 *     unknown
 * @param curve the NIST name of an EC curve ({@code P-256}); empty for other keys, for EC keys
 *     on curves we do not name and for EC keys that spell out their curve's parameters instead
 *     of naming it (RFC 5480 requires the name in certificates)
 */
public record KeyDescription(String family, int bits, String curve) {
  private static final String[][] CURVES = {
      {"P-224", "secp224r1"}, {"P-256", "secp256r1"}, {"P-384", "secp384r1"},
      {"P-521", "secp521r1"}};
  private static final ECParameterSpec[] CURVE_SPECS = curveSpecs();

  /** Checks that every value is present. */
  public KeyDescription {
    requireNonNull(family, "family");
    requireNonNull(curve, "curve");
  }

  /** Describes a public key. */
  public static KeyDescription of(PublicKey key) {
    requireNonNull(key, "key");
    if (key instanceof ECPublicKey ec) {
      ECParameterSpec params = ec.getParams();
      int bits = params.getCurve().getField().getFieldSize();
      if (!namedCurve(key)) {
        return new KeyDescription("EC", bits, "");
      }
      for (int i = 0; i < CURVES.length; i++) {
        if (sameCurve(params, CURVE_SPECS[i])) {
          return new KeyDescription("EC", bits, CURVES[i][0]);
        }
      }
      return new KeyDescription("EC", bits, "");
    }
    if (key instanceof RSAPublicKey rsa) {
      return new KeyDescription("RSA", rsa.getModulus().bitLength(), "");
    }
    return new KeyDescription(key.getAlgorithm(), 0, "");
  }

  /** Returns the CA key spec of a key of this kind, if this CA supports it. */
  public Optional<CaKeySpec> caKeySpec() {
    for (CaKeySpec spec : CaKeySpec.values()) {
      boolean ec = family.equals("EC") && curve.equals("P-" + spec.bits());
      boolean rsa = family.equals("RSA") && bits == spec.bits();
      if (spec.keyType().name().equals(family) && (ec || rsa)) {
        return Optional.of(spec);
      }
    }
    return Optional.empty();
  }

  /** Returns a short description: {@code EC P-256}, {@code RSA 1024 bits}, {@code Ed25519}. */
  @Override
  public String toString() {
    if (family.equals("EC")) {
      return curve.isEmpty()
          ? "EC on an unnamed " + bits + "-bit curve or with explicit curve parameters"
          : "EC " + curve;
    }
    return bits > 0 ? family + " " + bits + " bits" : family;
  }

  private static boolean namedCurve(PublicKey key) {
    try {
      return SubjectPublicKeyInfo.getInstance(key.getEncoded()).getAlgorithm().getParameters()
          instanceof ASN1ObjectIdentifier;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static boolean sameCurve(ECParameterSpec a, ECParameterSpec b) {
    return a.getOrder().equals(b.getOrder()) && a.getCofactor() == b.getCofactor()
        && a.getCurve().equals(b.getCurve()) && a.getGenerator().equals(b.getGenerator());
  }

  private static ECParameterSpec[] curveSpecs() {
    ECParameterSpec[] specs = new ECParameterSpec[CURVES.length];
    try {
      for (int i = 0; i < CURVES.length; i++) {
        AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC", Jca.provider());
        parameters.init(new ECGenParameterSpec(CURVES[i][1]));
        specs[i] = parameters.getParameterSpec(ECParameterSpec.class);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("BouncyCastle lacks the NIST curves", e);
    }
    return specs;
  }
}
