package dev.connect.tls.internal;

import java.security.Provider;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The one BouncyCastle cryptography provider instance this library uses, for chain signatures
 * and under BouncyCastle's JSSE. Never registered with {@link java.security.Security}: every
 * use passes the instance, so no other code in the JVM sees it.
 */
public final class BouncyCastle {
  private BouncyCastle() {}

  private static final class Holder {
    static final Provider PROVIDER = new BouncyCastleProvider();
  }

  /**
   * Returns the shared, unregistered provider instance (created on first use).
   *
   * @return the provider
   */
  public static Provider provider() {
    return Holder.PROVIDER;
  }
}
