package dev.connect.testkit;

import static java.util.Objects.requireNonNull;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Entry point of the certificate builders: SPIFFE roots, intermediates and leaves in Consul
 * Connect's profiles, for tests.
 *
 * <pre>{@code
 * TestCa root = TestCertificates.root("7f3c0a11-0000-4000-8000-000000000001.consul")
 *     .clock(time).build();
 * TestLeaf web = root.leaf("web").build();                         // a correct Connect leaf
 * TestLeaf expired = root.leaf("web").expired().build();
 * TestLeaf foreign = root.leaf("web").trustDomain("other.consul").build();
 * TestLeaf twoIds = root.leaf("web").additionalUri("spiffe://" + root.trustDomain() + "/x")
 *     .build();
 * TestLeaf noClientAuth = root.leaf("web").serverAuthOnly().build();
 * X509ExtendedTrustManager trust = TestCertificates.trustManager(root.certificate());
 * }</pre>
 *
 * <p>Keys and signatures come from one BouncyCastle provider instance that is never registered
 * with {@link java.security.Security}: using these builders changes no provider of the JVM.
 * Certificates are the JDK's own {@link X509Certificate} implementation.
 */
public final class TestCertificates {
  private TestCertificates() {}

  /**
   * Starts a self-signed root for {@code trustDomain}, in the profile of Consul's built-in CA;
   * see {@link TestCa}.
   *
   * @param trustDomain such as {@code 7f3c0a11-0000-4000-8000-000000000001.consul}
   * @return the builder
   * @throws IllegalArgumentException if {@code trustDomain} is not a valid SPIFFE trust domain
   *     of the form {@code <cluster-id>.<domain>}
   */
  public static TestCa.Builder root(String trustDomain) {
    return TestCa.rootBuilder(trustDomain);
  }

  /**
   * Starts a self-signed root for a new random trust domain, {@code <random UUID>.consul}.
   *
   * @return the builder
   */
  public static TestCa.Builder root() {
    return TestCa.rootBuilder(randomTrustDomain());
  }

  /**
   * Returns a new trust domain in Consul's form, {@code <random UUID>.consul}.
   *
   * @return the trust domain, lower case
   */
  public static String randomTrustDomain() {
    return Pki.randomTrustDomain();
  }

  /**
   * Returns the JDK's PKIX trust manager over {@code roots}: it validates chains (with the
   * intermediates the peer sends) against these anchors at the system's current time,
   * checking signatures, validity, basic and name constraints, key usage and the extended key
   * usage for the TLS role. It knows nothing of SPIFFE IDs. For certificates dated by a {@link
   * FakeTime}, use {@link #trustManager(java.time.Clock, X509Certificate...)}.
   *
   * @param roots the trust anchors; at least one
   * @return the trust manager
   * @throws IllegalArgumentException if {@code roots} is empty
   */
  public static X509ExtendedTrustManager trustManager(X509Certificate... roots) {
    requireNonNull(roots, "roots");
    if (roots.length == 0) {
      throw new IllegalArgumentException("a trust manager needs at least one root");
    }
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      for (int i = 0; i < roots.length; i++) {
        store.setCertificateEntry("root-" + i, requireNonNull(roots[i], "roots[" + i + "]"));
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      factory.init(store);
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509ExtendedTrustManager x509) {
          return x509;
        }
      }
      throw new IllegalStateException("the JDK's PKIX TrustManagerFactory made no"
          + " X509ExtendedTrustManager");
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("the JDK cannot make a PKIX trust manager", e);
    }
  }

  /**
   * Returns a trust manager that validates chains against {@code roots} at the instant {@code
   * clock} reads, so that handshakes work on a {@link FakeTime}: the JDK's PKIX validator with
   * revocation off, then the extended key usage of the role (clientAuth for a client,
   * serverAuth for a server) if the leaf restricts it. It checks no host name and no SPIFFE ID.
   * A chain validates if any prefix of it ending at a certificate a root issued does, as
   * connect-tls does, so a leaf that carries a cross-signed root it does not need is accepted.
   *
   * @param clock the source of the validation date
   * @param roots the trust anchors; at least one
   * @return the trust manager; its failures name the leaf and the date
   * @throws IllegalArgumentException if {@code roots} is empty
   */
  public static X509ExtendedTrustManager trustManager(java.time.Clock clock,
      X509Certificate... roots) {
    requireNonNull(clock, "clock");
    requireNonNull(roots, "roots");
    if (roots.length == 0) {
      throw new IllegalArgumentException("a trust manager needs at least one root");
    }
    for (int i = 0; i < roots.length; i++) {
      requireNonNull(roots[i], "roots[" + i + "]");
    }
    return new ClockedTrustManager(clock, roots);
  }

  /**
   * Returns certificates as concatenated PEM blocks, each ending in a newline.
   *
   * @param certificates the certificates, in order
   * @return the PEM text
   */
  public static String pem(X509Certificate... certificates) {
    requireNonNull(certificates, "certificates");
    return Pki.pem(List.of(certificates));
  }

  /**
   * Returns certificates as concatenated PEM blocks, each ending in a newline.
   *
   * @param certificates the certificates, in order
   * @return the PEM text
   */
  public static String pem(List<X509Certificate> certificates) {
    return Pki.pem(List.copyOf(requireNonNull(certificates, "certificates")));
  }

  /**
   * Returns the URI subject alternative names of {@code certificate}, in order; empty if it has
   * none.
   *
   * @param certificate the certificate
   * @return the URIs, as written
   * @throws IllegalArgumentException if the names cannot be parsed, naming the serial
   */
  public static List<String> uriSans(X509Certificate certificate) {
    return Sans.uris(requireNonNull(certificate, "certificate"));
  }

  /**
   * Returns what a failure message should show of {@code certificate}: its subject, serial (in
   * hex), URI SANs (the first five, and how many in all if more) and validity.
   *
   * @param certificate the certificate
   * @return the description, on one line
   */
  public static String describe(X509Certificate certificate) {
    return Sans.describe(requireNonNull(certificate, "certificate"));
  }

  /**
   * Returns DER of {@code depth} SEQUENCEs, each holding the next, around a NULL: an encoding
   * that makes a recursive ASN.1 decoder overflow its stack (2,000 levels are about 8 KB), for
   * tests that a parser of CSRs or certificates refuses it as malformed instead.
   *
   * @param depth how many SEQUENCEs; 0 or more, with the whole encoding under 64 KiB
   * @return the encoding
   * @throws IllegalArgumentException if {@code depth} is negative or the encoding would reach
   *     64 KiB
   */
  public static byte[] nestedSequences(int depth) {
    if (depth < 0) {
      throw new IllegalArgumentException("depth must be 0 or more: " + depth);
    }
    byte[] current = {0x05, 0x00};
    for (int i = 0; i < depth; i++) {
      int n = current.length;
      if (n > 0xffff) {
        throw new IllegalArgumentException("nestedSequences(" + depth
            + ") would reach 64 KiB, past the two-byte lengths it writes");
      }
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(n + 4);
      out.write(0x30);
      if (n < 0x80) {
        out.write(n);
      } else if (n < 0x100) {
        out.write(0x81);
        out.write(n);
      } else {
        out.write(0x82);
        out.write(n >> 8);
        out.write(n & 0xff);
      }
      out.write(current, 0, n);
      current = out.toByteArray();
    }
    return current;
  }
}
