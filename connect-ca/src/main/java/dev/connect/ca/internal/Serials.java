package dev.connect.ca.internal;

import java.math.BigInteger;

/**
 * Random certificate serial numbers: 20 bytes from the CA's one {@link java.security.SecureRandom}
 * with the top bit cleared, so 159 random bits in a positive integer that DER encodes in at most
 * the 20 octets RFC 5280 allows. Zero is drawn again.
 *
 * <p>Consul uses a cluster-wide counter instead; random serials need no shared state and never
 * repeat in practice: among {@code n} serials the chance of any two being equal is below {@code
 * n^2 / 2^160}, about {@code 2^-80} after a trillion ({@code 2^40}) certificates.
 */
public final class Serials {
  /** Bytes drawn per serial. */
  public static final int BYTES = 20;

  private Serials() {}

  /** Returns a new random serial number, positive and below {@code 2^159}. */
  public static BigInteger next() {
    byte[] raw = new byte[BYTES];
    BigInteger serial;
    do {
      Jca.random().nextBytes(raw);
      raw[0] &= 0x7f;
      serial = new BigInteger(raw);
    } while (serial.signum() == 0);
    return serial;
  }
}
