package dev.connect.tls.internal;

import dev.connect.tls.TlsStack;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.util.function.Supplier;
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

  /**
   * Returns a new, uninitialized "TLS" context of {@code stack} for the server role, one that
   * never agrees to a TLS 1.2 session ticket.
   *
   * <p>A Connect server must never resume a session (resumption skips the trust manager, and so
   * authorization), so its trust manager invalidates every handshake session. SunJSSE, however,
   * agrees to a client's session ticket in its ServerHello before the trust manager runs, and
   * then leaves out the NewSessionTicket it promised because the session is no longer
   * resumable: clients that offer tickets by default ({@code openssl s_client}, curl, Go) fail
   * with {@code unexpected_message}. SunJSSE decides whether a server context may use tickets
   * once, when the context is made, from the system property {@value #JDK_SERVER_TICKETS}, and
   * offers no other switch. So the context is made with that property set to {@code false}
   * for that instant, under a lock, and the previous value (or its absence) is restored at
   * once: contexts made elsewhere in the JVM at that same instant may come out without tickets,
   * which only means they fall back to session IDs. BouncyCastle's JSSE never agrees to a
   * ticket, so its contexts are made as usual.
   *
   * @param stack the stack
   * @return the context
   * @throws IllegalStateException if the stack is missing or has no TLS context
   */
  public static SSLContext newServerContext(TlsStack stack) {
    if (stack != TlsStack.JDK) {
      return newContext(stack);
    }
    return withoutJdkServerTickets(() -> newContext(stack));
  }

  /**
   * Runs {@code makeContexts} with SunJSSE's server session tickets turned off for the contexts
   * it makes (see {@link #newServerContext}): for Netty's JDK provider, which makes its {@code
   * SSLContext} itself.
   *
   * @param makeContexts makes one or more SunJSSE server contexts
   * @param <T> what it returns
   * @return what {@code makeContexts} returned
   */
  public static <T> T withoutJdkServerTickets(Supplier<T> makeContexts) {
    synchronized (JDK_SERVER_TICKETS_LOCK) {
      String previous = System.getProperty(JDK_SERVER_TICKETS);
      System.setProperty(JDK_SERVER_TICKETS, "false");
      try {
        return makeContexts.get();
      } finally {
        if (previous == null) {
          System.clearProperty(JDK_SERVER_TICKETS);
        } else {
          System.setProperty(JDK_SERVER_TICKETS, previous);
        }
      }
    }
  }

  /** SunJSSE's switch for stateless TLS 1.2 session tickets in server contexts (JDK 13+). */
  static final String JDK_SERVER_TICKETS = "jdk.tls.server.enableSessionTicketExtension";
  private static final Object JDK_SERVER_TICKETS_LOCK = new Object();

  /** Loaded only once BouncyCastle's JSSE is known to be present. */
  private static final class Bc {
    static final Provider JSSE =
        new org.bouncycastle.jsse.provider.BouncyCastleJsseProvider(BouncyCastle.provider());
  }
}
