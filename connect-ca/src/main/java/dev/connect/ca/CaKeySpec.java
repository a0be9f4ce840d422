package dev.connect.ca;

import static java.util.Objects.requireNonNull;

import dev.connect.core.KeyType;

/**
 * The type and size of a CA's own key: what Consul configures with {@code PrivateKeyType} and
 * {@code PrivateKeyBits}.
 *
 * <p>The key type also picks the signature algorithm of everything the CA signs, as Consul's
 * {@code SigAlgoForKey} does: ECDSA with SHA-256 for an EC key of any curve, SHA-256 with RSA
 * (PKCS#1 v1.5) for an RSA key. Leaf keys are chosen by whoever makes the CSR, whatever the CA's
 * key is; see {@link CaConfiguration#allowsLeafKey(java.security.PublicKey)}.
 *
 * <p>Consul also accepts EC P-224 and P-521; this CA does not. P-224 is below the strength of the
 * other choices, and P-521 is slow and poorly supported by TLS peers.
 */
public enum CaKeySpec {
  /** EC on NIST P-256 (secp256r1); the default, as in Consul. */
  EC_P256(KeyType.EC, 256),
  /** EC on NIST P-384 (secp384r1). */
  EC_P384(KeyType.EC, 384),
  /** RSA with a 2048-bit modulus. */
  RSA_2048(KeyType.RSA, 2048),
  /** RSA with a 4096-bit modulus. */
  RSA_4096(KeyType.RSA, 4096);

  private final KeyType keyType;
  private final int bits;

  CaKeySpec(KeyType keyType, int bits) {
    this.keyType = keyType;
    this.bits = bits;
  }

  /** Returns the key family, Consul's {@code PrivateKeyType}. */
  public KeyType keyType() {
    return keyType;
  }

  /** Returns the key size in bits, Consul's {@code PrivateKeyBits}: 256, 384, 2048 or 4096. */
  public int bits() {
    return bits;
  }

  /**
   * Returns the key spec Consul's {@code PrivateKeyType} and {@code PrivateKeyBits} describe.
   *
   * @param keyType the key family
   * @param bits the key size in bits
   * @return the matching spec
   * @throws IllegalArgumentException if this CA does not support that size, naming the value and
   *     the sizes it accepts
   */
  public static CaKeySpec of(KeyType keyType, int bits) {
    requireNonNull(keyType, "keyType");
    for (CaKeySpec spec : values()) {
      if (spec.keyType == keyType && spec.bits == bits) {
        return spec;
      }
    }
    if (keyType == KeyType.EC) {
      throw new IllegalArgumentException("EC key length must be one of (256, 384) bits, not "
          + bits + (bits == 224 || bits == 521
              ? " (Consul also accepts 224 and 521; this CA does not)" : ""));
    }
    throw new IllegalArgumentException("RSA key length must be 2048 or 4096 bits, not " + bits);
  }
}
