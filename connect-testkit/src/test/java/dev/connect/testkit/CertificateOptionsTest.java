package dev.connect.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The options {@link TestCa.Builder} and {@link TestLeaf.Builder} share through {@link
 * CertificateOptions}: they chain with each builder's own options in any order, and each is
 * refused when set twice, naming the earlier value, in both builders alike.
 */
class CertificateOptionsTest {
  private static final String TD = "7f3c0a11-0000-4000-8000-000000000001.consul";
  private final FakeTime time = FakeTime.at(Instant.parse("2030-01-01T00:00:00Z"));
  private final TestCa root = TestCertificates.root(TD).clock(time).build();

  @Test
  void sharedOptionsChainWithEachBuildersOwnAndShapeTheCertificate() throws Exception {
    TestLeaf leaf = root.leaf("web").serial(BigInteger.TEN).dnsName("web.service.consul")
        .validFor(Duration.ofHours(1)).clientAuthOnly().subject("CN=web").build();
    TestCa intermediate = root.intermediate().expired().nameConstrained().rsa2048()
        .pathLength(1).build();

    assertThat(leaf.certificate().getSerialNumber()).isEqualTo(BigInteger.TEN);
    assertThat(leaf.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=web");
    assertThat(leaf.certificate().getNotAfter().toInstant())
        .isEqualTo(Instant.parse("2030-01-01T00:59:00Z"));
    assertThat(leaf.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    assertThat(intermediate.certificate().getPublicKey().getAlgorithm()).isEqualTo("RSA");
    assertThat(intermediate.certificate().getNotAfter().toInstant())
        .isEqualTo(Instant.parse("2029-12-31T23:00:00Z"));
    assertThat(intermediate.certificate().getBasicConstraints()).isEqualTo(1);
  }

  @Test
  void aGivenKeyPairAndAPresetAreOneOptionInBothBuilders() {
    KeyPair keys = root.leaf("web").build().keyPair();

    assertThatThrownBy(() -> root.leaf("web").keyPair(keys).rsa2048())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("key was already set to given key pair");
    assertThatThrownBy(() -> root.intermediate().ecP384().keyPair(keys))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("key was already set to EC P-384");
    assertThatThrownBy(() -> root.intermediate().clock(time).clock(time))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("clock was already set to ");
  }
}
