package dev.connect.test;

import static java.util.Objects.requireNonNull;

import dev.connect.core.Decision;
import dev.connect.testkit.TestCa;
import dev.connect.testkit.TestLeaf;
import java.security.cert.X509Certificate;
import org.assertj.core.api.Assertions;

/**
 * Entry point of the AssertJ assertions for Connect types, and of all of AssertJ's own. It
 * extends AssertJ's {@link Assertions}, so one static import gives both: {@code assertThat} on a
 * certificate, a {@link TestLeaf}, a {@link TestCa} or a {@link Decision}, and every AssertJ
 * overload ({@code assertThat(String)}, {@code assertThatThrownBy}, ...) beside them.
 *
 * <pre>{@code
 * import static dev.connect.test.ConnectAssertions.assertThat;
 *
 * assertThat(leaf).hasSpiffeId("spiffe://7f3c.consul/ns/default/dc/dc1/svc/web")
 *     .isSignedBy(root).expiresWithin(Duration.ofHours(72), clock);
 * assertThat(intentions.check("web", "db", DefaultIntentionPolicy.ACLS_DEFAULT_DENY))
 *     .isDenied().hasReason("Default behavior configured by ACLs");
 * assertThat(leaf.certificate().getSubjectX500Principal().getName()).startsWith("CN=web");
 * }</pre>
 *
 * <p>Importing AssertJ's {@code Assertions.*} beside it, or both classes on demand, works too:
 * the overloads are the same methods, so no call is ambiguous.
 */
public final class ConnectAssertions extends Assertions {
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
