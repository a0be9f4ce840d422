package dev.connect.tls;

/**
 * The JSSE implementation that runs a context's handshakes and records: the JDK's own, or
 * BouncyCastle's. Both run behind the same live key and trust managers, with the same
 * parameters, checks and guarantees; only the TLS engine and its cryptography differ.
 *
 * <p>Neither choice changes JVM-wide state: the BouncyCastle stack uses provider
 * <em>instances</em> held by this library, never {@link java.security.Security#addProvider}.
 */
public enum TlsStack {
  /** The JDK's SunJSSE provider, with the JDK's cryptography. The default. */
  JDK,

  /**
   * BouncyCastle's JSSE provider ({@code BCJSSE}) over a BouncyCastle cryptography provider,
   * which makes its ECDSA and ECDHE several times faster than the JDK 17 SunEC provider.
   * Requires {@code org.bouncycastle:bctls-jdk18on} on the class path, in the version of the
   * {@code bcprov-jdk18on} that {@code connect-tls} uses; {@code connect-tls} declares it as an
   * optional dependency, so an application that chooses this stack adds it itself.
   */
  BOUNCY_CASTLE
}
