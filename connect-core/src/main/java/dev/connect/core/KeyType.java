package dev.connect.core;

import static java.util.Objects.requireNonNull;

/**
 * The family of a CA's private key, as Consul names it in {@code PrivateKeyType}.
 */
public enum KeyType {
  /** Elliptic curve (NIST P-curves); Consul's {@code "ec"}. */
  EC("ec"),
  /** RSA; Consul's {@code "rsa"}. */
  RSA("rsa");

  private final String wireName;

  KeyType(String wireName) {
    this.wireName = wireName;
  }

  /** Returns the name Consul uses in JSON: {@code "ec"} or {@code "rsa"}. */
  public String wireName() {
    return wireName;
  }

  /**
   * Returns the key type with the given Consul name.
   *
   * @param wireName {@code "ec"} or {@code "rsa"}
   * @return the key type
   * @throws IllegalArgumentException with Consul's message if the name is neither
   */
  public static KeyType fromWireName(String wireName) {
    requireNonNull(wireName, "wireName");
    for (KeyType type : values()) {
      if (type.wireName.equals(wireName)) {
        return type;
      }
    }
    throw new IllegalArgumentException(
        "private key type must be either 'ec' or 'rsa', not '" + wireName + "'");
  }
}
