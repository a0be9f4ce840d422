package dev.connect.test;

import static java.util.Objects.requireNonNull;

import dev.connect.core.Decision;
import java.security.cert.X509Certificate;

/**
 * Entry point of the AssertJ assertions for Connect types. Import its {@code assertThat}
 * statically beside AssertJ's own; Java picks the most specific overload.
 *
 * <pre>{@code
 * import static dev.connect.test.ConnectAssertions.assertThat;
 *
 * assertThat(leaf).hasSpiffeId("spiffe://7f3c.consul/ns/default/dc/dc1/svc/web")
 *     .isSignedBy(root).expiresWithin(Duration.ofHours(72), clock);
 * assertThat(intentions.check("web", "db", DefaultIntentionPolicy.ACLS_DEFAULT_DENY))
 *     .isDenied().hasReason("Default behavior configured by ACLs");
 * }</pre>
 */
public final class ConnectAssertions {
  private ConnectAssertions() {}

  /**
   * Starts assertions on a certificate.
   *
   * @param actual the certificate; a null one fails every assertion
   * @return the assertions
   */
  public static CertificateAssert assertThat(X509Certificate actual) {
    return new CertificateAssert(actual);
  }

  /**
   * Starts assertions on a test leaf's certificate.
   *
   * @param actual the leaf
   * @return the assertions on {@link TestLeaf#certificate()}
   */
  public static CertificateAssert assertThat(TestLeaf actual) {
    return new CertificateAssert(requireNonNull(actual, "actual").certificate());
  }

  /**
   * Starts assertions on a test CA's certificate.
   *
   * @param actual the CA
   * @return the assertions on {@link TestCa#certificate()}
   */
  public static CertificateAssert assertThat(TestCa actual) {
    return new CertificateAssert(requireNonNull(actual, "actual").certificate());
  }

  /**
   * Starts assertions on an authorization decision.
   *
   * @param actual the decision; a null one fails every assertion
   * @return the assertions
   */
  public static DecisionAssert assertThat(Decision actual) {
    return new DecisionAssert(actual);
  }
}
