package dev.connect.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.X509Certificate;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * {@link TestCa#fromPem}, which replaced connect-test's {@code TestCa.of(BuiltInCaProvider,
 * Clock)} when the certificate toolkit moved below every module (issue 12): a CA from elsewhere,
 * given as PEM, issues leaves that chain to its root.
 */
class TestCaFromPemTest {
  private static final String TD = "7f3c0a11-0000-4000-8000-000000000001.consul";
  private final FakeTime time = FakeTime.at(Instant.parse("2030-01-01T00:00:00Z"));
  private final TestCa original = TestCertificates.root(TD).clock(time).build();

  @Test
  void rootAndKeyFromPemIssueLeavesThatChainToThatRoot() throws Exception {
    TestCa again = TestCa.fromPem(original.certificatePem(),
        original.exportPrivateKeyPkcs8Pem(), time);

    assertThat(again.trustDomain()).isEqualTo(TD);
    assertThat(again.certificate()).isEqualTo(original.certificate());
    TestLeaf leaf = again.leaf("web").build();
    X509Certificate certificate = leaf.certificate();
    assertThatCode(() -> certificate.verify(original.certificate().getPublicKey()))
        .doesNotThrowAnyException();
    assertThatCode(() -> TestCertificates.trustManager(time, original.certificate())
        .checkServerTrusted(leaf.chain().toArray(new X509Certificate[0]), "ECDHE_ECDSA"))
        .doesNotThrowAnyException();
    assertThat(TestCertificates.uriSans(certificate))
        .containsExactly("spiffe://" + TD + "/ns/default/dc/dc1/svc/web");
  }

  @Test
  void keyOfAnotherCertificateIsRefusedNamingTheCertificate() {
    TestCa other = TestCertificates.root(TD).clock(time).build();

    assertThatThrownBy(() -> TestCa.fromPem(original.certificatePem(),
        other.exportPrivateKeyPkcs8Pem(), time))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("the private key does not belong to the certificate subject")
        .hasMessageContaining(original.certificate().getSerialNumber().toString(16));
  }

  @Test
  void certificateWithoutATrustDomainUriIsRefused() {
    TestCa foreign = TestCertificates.root(TD).clock(time).noUriSan().build();

    assertThatThrownBy(() -> TestCa.fromPem(foreign.certificatePem(),
        foreign.exportPrivateKeyPkcs8Pem(), time))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("the certificate has no URI SAN spiffe://<trust domain>: ");
  }

  @Test
  void textThatIsNoKeyIsRefusedSayingWhatItHolds() {
    assertThatThrownBy(() -> TestCa.fromPem(original.certificatePem(),
        original.certificatePem(), time))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a PEM private key: it holds X509CertificateHolder");
  }
}
