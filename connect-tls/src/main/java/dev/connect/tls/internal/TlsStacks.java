package dev.connect.tls.internal;

import dev.connect.tls.TlsStack;
import java.security.GeneralSecurityException;
import java.security.Provider;
import javax.net.ssl.SSLContext;

/**
 * Makes uninitialized TLS contexts for a {@link TlsStack}. The BouncyCastle JSSE provider is an
 * optional dependency: its classes are touched only once the stack is chosen, and only after
 * {@link #requireAvailable} has found them.
 */
public final class TlsStacks {
  /** The artifact that holds BouncyCastle's JSSE provider, named in the error without it. */
  public static final String BCTLS_ARTIFACT = "org.bouncycastle:bctls-jdk18on";
  private static final String BCJSSE_CLASS =
      "org.bouncycastle.jsse.provider.BouncyCastleJsseProvider";

  private TlsStacks() {}

  /**
   * Checks that {@code stack} can be used in this JVM.
   *
   * @param stack the stack
   * @throws IllegalStateException naming the missing artifact if {@code stack} is {@link
   *     TlsStack#BOUNCY_CASTLE} and BouncyCastle's JSSE provider is not on the class path
   */
  public static void requireAvailable(TlsStack stack) {
    requireAvailable(stack, BCJSSE_CLASS);
  }

  static void requireAvailable(TlsStack stack, String providerClass) {
    if (stack != TlsStack.BOUNCY_CASTLE) {
      return;
    }
    try {
      Class.forName(providerClass, false, TlsStacks.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException("TlsStack.BOUNCY_CASTLE needs " + BCTLS_ARTIFACT
          + " on the class path, in the version of bcprov-jdk18on (" + bcVersion()
          + "); " + providerClass + " was not found", e);
    }
  }

  private static String bcVersion() {
    Package p = org.bouncycastle.jce.provider.BouncyCastleProvider.class.getPackage();
    String v = p == null ? null : p.getImplementationVersion();
    return v == null ? "unknown version" : v;
  }

  /**
   * Returns a new, uninitialized "TLS" context of {@code stack}.
   *
   * @param stack the stack
   * @return the context
   * @throws IllegalStateException if the stack is missing or has no TLS context
   */
  public static SSLContext newContext(TlsStack stack) {
    requireAvailable(stack);
    try {
      return stack == TlsStack.JDK
          ? SSLContext.getInstance("TLS")
          : SSLContext.getInstance("TLS", Bc.JSSE);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no TLS SSLContext for " + stack + " in this JVM", e);
    }
  }

  /** Loaded only once BouncyCastle's JSSE is known to be present. */
  private static final class Bc {
    static final Provider JSSE =
        new org.bouncycastle.jsse.provider.BouncyCastleJsseProvider(BouncyCastle.provider());
  }
}
