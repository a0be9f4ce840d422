package dev.connect.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.InvalidCsrException;
import dev.connect.core.KeyType;
import dev.connect.core.ServiceId;
import dev.connect.core.SigningId;
import dev.connect.testkit.FakeTime;
import dev.connect.testkit.TestCertificates;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BuiltInCaProviderTest {
  static final Instant NOW = Instant.parse("2030-06-01T12:00:00Z");
  static final String TD = "7f3c9a1e-0b5d-4c2e-9f13-2a6b8c4d1e70.consul";
  static final SigningId TRUST_DOMAIN = SigningId.of(TD);
  static final ServiceId WEB = ServiceId.of(TD, "dc1", "web");

  static BuiltInCaProvider ca;

  @BeforeAll
  static void makeCa() {
    ca = BuiltInCaProvider.generate(TRUST_DOMAIN, CaConfiguration.defaults(),
        Clock.fixed(NOW, ZoneOffset.UTC));
  }

  static CertificateRequest request(ServiceId id) {
    return CertificateRequest.validate(LeafRequests.csrPem(id, LeafRequests.newKeyPair()),
        SigningId.of(id.trustDomain()), id.datacenter(), CaConfiguration.defaults());
  }

  @ParameterizedTest
  @EnumSource(CaKeySpec.class)
  void generatesAKeyOfTheConfiguredSpecAndSignsWithIt(CaKeySpec spec) {
    BuiltInCaProvider provider = BuiltInCaProvider.generate(TRUST_DOMAIN,
        CaConfiguration.builder().keySpec(spec).build(), Clock.fixed(NOW, ZoneOffset.UTC));
    assertThat(provider.keySpec()).isEqualTo(spec);
    X509Certificate root = provider.rootCertificate();
    if (spec.keyType() == KeyType.EC) {
      assertThat(((ECPublicKey) root.getPublicKey()).getParams().getCurve().getField()
          .getFieldSize()).isEqualTo(spec.bits());
    } else {
      assertThat(((RSAPublicKey) root.getPublicKey()).getModulus().bitLength())
          .isEqualTo(spec.bits());
    }
    X509Certificate leaf = provider.sign(request(WEB));
    assertThat(leaf.getIssuerX500Principal()).isEqualTo(root.getSubjectX500Principal());
  }

  @Test
  void isTheConsulProviderWithoutIntermediates() {
    assertThat(ca.name()).isEqualTo("consul");
    assertThat(ca.intermediates()).isEmpty();
    assertThat(ca.supportsCrossSigning()).isTrue();
    assertThat(ca.trustDomain()).isEqualTo(TRUST_DOMAIN);
    assertThat(ca.configuration()).isEqualTo(CaConfiguration.defaults());
  }

  @Test
  void toStringShowsMetadataButNeverTheKey() {
    String pem = ca.exportPrivateKeyPkcs8Pem();
    String keyBody = pem.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
    assertThat(ca.toString())
        .startsWith("BuiltInCaProvider[name=consul, trustDomain=" + TD + ", keySpec=EC_P256,"
            + " root=CN=pri-")
        .contains("rootNotAfter=" + NOW.plus(Duration.ofHours(87600)))
        .doesNotContain(keyBody.substring(0, 20));
  }

  @Test
  void withConfigurationKeepsKeyAndRootAndSignsUnderTheNewTtl() {
    BuiltInCaProvider shorter = ca.withConfiguration(
        ca.configuration().toBuilder().leafCertTtl(java.time.Duration.ofHours(24)).build());
    assertThat(shorter.rootCertificate()).isEqualTo(ca.rootCertificate());
    java.security.cert.X509Certificate leaf = shorter.sign(request(WEB));
    assertThat(java.time.Duration.between(leaf.getNotBefore().toInstant(),
        leaf.getNotAfter().toInstant())).isEqualTo(java.time.Duration.ofHours(24));
    assertThat(leaf.getIssuerX500Principal())
        .isEqualTo(ca.rootCertificate().getSubjectX500Principal());
  }

  @Test
  void everyDateComesFromTheClock() {
    FakeTime clock = FakeTime.at(NOW);
    BuiltInCaProvider provider =
        BuiltInCaProvider.generate(TRUST_DOMAIN, CaConfiguration.defaults(), clock);
    clock.advance(Duration.ofDays(100));
    X509Certificate leaf = provider.sign(request(WEB));
    assertThat(leaf.getNotBefore().toInstant())
        .isEqualTo(NOW.plus(Duration.ofDays(100)).minus(Duration.ofMinutes(1)));
    assertThat(provider.rootCertificate().getNotBefore().toInstant()).isEqualTo(NOW);
  }

  @Test
  void datesAreWholeSecondsRoundedDown() {
    FakeTime clock = FakeTime.at(NOW.plusMillis(999));
    BuiltInCaProvider provider =
        BuiltInCaProvider.generate(TRUST_DOMAIN, CaConfiguration.defaults(), clock);
    assertThat(provider.rootCertificate().getNotBefore().toInstant()).isEqualTo(NOW);
    X509Certificate first = provider.sign(request(WEB));
    clock.advance(Duration.ofMillis(1));
    X509Certificate second = provider.sign(request(WEB));
    assertThat(first.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofMinutes(1)));
    assertThat(first.getNotAfter().toInstant())
        .isEqualTo(NOW.minus(Duration.ofMinutes(1)).plus(Duration.ofHours(72)));
    assertThat(second.getNotBefore().toInstant())
        .isEqualTo(NOW.plusSeconds(1).minus(Duration.ofMinutes(1)));
    assertThat(second.getNotAfter().toInstant())
        .isEqualTo(NOW.plusSeconds(1).minus(Duration.ofMinutes(1)).plus(Duration.ofHours(72)));
  }

  @Test
  void expiredRootRefusesToSign() {
    FakeTime clock = FakeTime.at(NOW);
    BuiltInCaProvider provider =
        BuiltInCaProvider.generate(TRUST_DOMAIN, CaConfiguration.defaults(), clock);
    clock.advance(Duration.ofHours(87600).plusSeconds(1));
    assertThatThrownBy(() -> provider.sign(request(WEB)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("root expired: ");
    assertThatThrownBy(() -> provider.crossSign(ca.rootCertificate()))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void requestValidatedForAnotherTrustDomainIsRefused() {
    ServiceId other = ServiceId.of("0000aaaa-1111-2222-3333-444455556666.consul", "dc1", "web");
    assertThatThrownBy(() -> ca.sign(request(other)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(other.toString())
        .hasMessageContaining("this CA signs for spiffe://" + TD);
  }

  @Test
  void crossSigningALeafIsRefused() {
    X509Certificate leaf = ca.sign(request(WEB));
    assertThatThrownBy(() -> ca.crossSign(leaf))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("certificate to cross-sign is not a CA: ");
  }

  @Test
  void crossSigningKeepsTheNewRootsPathLengthLimit() {
    X509Certificate withPathLen = TestCertificates.root(TD).pathLength(0).build()
        .certificate();
    assertThat(ca.crossSign(withPathLen).getBasicConstraints()).isZero();
  }

  /**
   * Review finding: a leaf was signed for any namespace and partition, which intentions and ACLs
   * do not see (see {@link CsrInAnotherNamespaceTest}); this test used to assert that they reach
   * the leaf. The common name rule for namespaces is kept in {@code CommonNamesTest}.
   */
  @Test
  void namespaceAndPartitionOtherThanDefaultAreNeverSigned() {
    ServiceId id = new ServiceId(TD, "part1", "team-a", "dc1", "Billing_API");
    assertThatThrownBy(() -> ca.sign(request(id)))
        .isInstanceOf(InvalidCsrException.class)
        .satisfies(e -> assertThat(((InvalidCsrException) e).problem())
            .isEqualTo(InvalidCsrException.Problem.NAMESPACE_NOT_SUPPORTED));
    X509Certificate leaf = ca.sign(request(WEB));
    assertThat(ProfileAssertions.uriSans(leaf)).containsExactly(
        "spiffe://" + TD + "/ns/default/dc/dc1/svc/web");
  }
}
