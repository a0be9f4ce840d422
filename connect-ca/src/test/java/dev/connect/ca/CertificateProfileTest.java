package dev.connect.ca;

import static dev.connect.ca.ProfileAssertions.assertCrossSignedProfile;
import static dev.connect.ca.ProfileAssertions.assertLeafProfile;
import static dev.connect.ca.ProfileAssertions.assertRootProfile;
import static dev.connect.ca.ProfileAssertions.subjectKeyId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.connect.core.ServiceId;
import dev.connect.core.SigningId;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Root, leaf and cross-signed certificates carry the profiles Consul 1.10 writes: the same
 * assertions pass on ours and on the real Consul certificates in {@code shared/consul-samples}.
 */
class CertificateProfileTest {
  static final Instant NOW = Instant.parse("2030-01-01T08:30:15Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final String TD = "7f3c9a1e-0b5d-4c2e-9f13-2a6b8c4d1e70.consul";
  static final SigningId TRUST_DOMAIN = SigningId.of(TD);
  static final ServiceId WEB = ServiceId.of(TD, "dc1", "web");

  static BuiltInCaProvider ecCa;
  static BuiltInCaProvider nextEcCa;
  static BuiltInCaProvider rsaCa;

  @BeforeAll
  static void makeCas() {
    ecCa = BuiltInCaProvider.generate(TRUST_DOMAIN, CaConfiguration.defaults(), CLOCK);
    nextEcCa = BuiltInCaProvider.generate(TRUST_DOMAIN, CaConfiguration.defaults(), CLOCK);
    rsaCa = BuiltInCaProvider.generate(TRUST_DOMAIN,
        CaConfiguration.builder().rsa2048().build(), CLOCK);
  }

  static X509Certificate leaf(BuiltInCaProvider ca, ServiceId id) {
    String csr = LeafRequests.csrPem(id, LeafRequests.newKeyPair());
    return ca.sign(CertificateRequest.validate(csr, TRUST_DOMAIN, "dc1",
        ca.configuration()));
  }

  @Nested
  class Root {
    @Test
    void ourEcRootHasConsulsProfile() {
      X509Certificate root = ecCa.rootCertificate();
      assertRootProfile(root, TD);
      assertThat(root.getNotBefore().toInstant()).as("not back-dated").isEqualTo(NOW);
      assertThat(root.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofHours(87600)));
      assertThat(root.getSigAlgName()).isEqualTo("SHA256withECDSA");
      assertThat(root.getPublicKey().getEncoded()).hasSize(91);
    }

    @Test
    void ourRsaRootHasConsulsProfile() {
      X509Certificate root = rsaCa.rootCertificate();
      assertRootProfile(root, TD);
      assertThat(root.getSigAlgName()).isEqualTo("SHA256withRSA");
    }

    @Test
    void p384RootIsSignedWithEcdsaSha256AsConsulDoesForEveryCurve() {
      BuiltInCaProvider p384 = BuiltInCaProvider.generate(TRUST_DOMAIN,
          CaConfiguration.builder().ecP384().build(), CLOCK);
      assertRootProfile(p384.rootCertificate(), TD);
      assertThat(p384.rootCertificate().getSigAlgName()).isEqualTo("SHA256withECDSA");
    }

    @Test
    void consulsEcRootHasTheSameProfile() {
      X509Certificate root = ConsulSamples.certificate("root-initial-0.crt.pem");
      assertRootProfile(root, ConsulSamples.TRUST_DOMAIN);
      // Consul 1.10 hard-codes ten calendar years; 1.11+ and we use RootCertTTL (87600h).
      assertThat(root.getNotAfter().toInstant()).isEqualTo(
          root.getNotBefore().toInstant().atZone(ZoneOffset.UTC).plusYears(10).toInstant());
    }

    @Test
    void consulsRsaRootHasTheSameProfile() {
      assertRootProfile(ConsulSamples.certificate("nondev-rsa-root.crt.pem"),
          ConsulSamples.RSA_TRUST_DOMAIN);
    }

    @Test
    void commonNameIsAPrintableStringAsGoWritesIt() {
      assertThat(commonNameValue(ecCa.rootCertificate())).isInstanceOf(DERPrintableString.class);
      assertThat(commonNameValue(ConsulSamples.certificate("root-initial-0.crt.pem")))
          .isInstanceOf(DERPrintableString.class);
    }

    @Test
    void eachRootHasItsOwnCommonName() {
      assertThat(nextEcCa.rootCertificate().getSubjectX500Principal())
          .isNotEqualTo(ecCa.rootCertificate().getSubjectX500Principal());
    }
  }

  @Nested
  class Leaf {
    @Test
    void ourLeafHasConsulsProfile() {
      X509Certificate leaf = leaf(ecCa, WEB);
      assertLeafProfile(leaf, ecCa.rootCertificate(), WEB.toString(),
          "web.svc.default.7f3c9a1e.consul", Duration.ofHours(72));
      assertThat(leaf.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofMinutes(1)));
      assertThat(leaf.getNotAfter().toInstant())
          .isEqualTo(NOW.minus(Duration.ofMinutes(1)).plus(Duration.ofHours(72)));
      assertThat(commonNameValue(leaf)).isInstanceOf(DERPrintableString.class);
    }

    @Test
    void serviceNameIsSanitizedInTheCommonNameButNotInTheSan() {
      ServiceId id = ServiceId.of(TD, "dc1", "unregistered-svc");
      assertLeafProfile(leaf(ecCa, id), ecCa.rootCertificate(), id.toString(),
          "unregisteredsvc.svc.default.7f3c9a1e.consul", Duration.ofHours(72));
    }

    @Test
    void leafUnderRsaRootIsSignedWithSha256Rsa() {
      X509Certificate leaf = leaf(rsaCa, WEB);
      assertLeafProfile(leaf, rsaCa.rootCertificate(), WEB.toString(),
          "web.svc.default.7f3c9a1e.consul", Duration.ofHours(72));
      assertThat(leaf.getSigAlgName()).isEqualTo("SHA256withRSA");
    }

    @Test
    void leafTtlComesFromTheConfiguration() {
      BuiltInCaProvider shortLived = BuiltInCaProvider.load(ecCa.exportPrivateKeyPkcs8Pem(),
          ecCa.rootCertificatePem(), TRUST_DOMAIN,
          CaConfiguration.builder().leafCertTtl(Duration.ofHours(24)).build(), CLOCK);
      X509Certificate leaf = leaf(shortLived, WEB);
      assertLeafProfile(leaf, ecCa.rootCertificate(), WEB.toString(),
          "web.svc.default.7f3c9a1e.consul", Duration.ofHours(24));
    }

    @Test
    void consulsLeavesHaveTheSameProfile() {
      X509Certificate root = ConsulSamples.certificate("root-initial-0.crt.pem");
      String td = ConsulSamples.TRUST_DOMAIN;
      assertLeafProfile(ConsulSamples.certificate("leaf-web.crt.pem"), root,
          "spiffe://" + td + "/ns/default/dc/dc1/svc/web", "web.svc.default.5f7a0ac5.consul",
          Duration.ofHours(72));
      assertLeafProfile(ConsulSamples.certificate("leaf-unregistered.crt.pem"), root,
          "spiffe://" + td + "/ns/default/dc/dc1/svc/unregistered-svc",
          "unregisteredsvc.svc.default.5f7a0ac5.consul", Duration.ofHours(72));
      assertLeafProfile(ConsulSamples.certificate("nondev-rsa-leaf-web.crt.pem"),
          ConsulSamples.certificate("nondev-rsa-root.crt.pem"),
          "spiffe://" + ConsulSamples.RSA_TRUST_DOMAIN + "/ns/default/dc/dc1/svc/web",
          "web.svc.default.1078fffb.consul", Duration.ofHours(72));
    }

    @Test
    void consulsLeafUnderAUserSuppliedRootNamesThatRootsSha1KeyId() {
      X509Certificate userRoot = ConsulSamples.certificate("ca-user-supplied-root.crt.pem");
      assertLeafProfile(ConsulSamples.certificate("ca-rotation-1-leaf-web.crt.pem"), userRoot,
          "spiffe://" + ConsulSamples.TRUST_DOMAIN + "/ns/default/dc/dc1/svc/web",
          "web.svc.default.5f7a0ac5.consul", Duration.ofHours(72));
      assertThat(subjectKeyId(userRoot)).hasSize(20);
    }

    @Test
    void jdkPkixAcceptsTheLeafAsAClientAndServerCertificate() throws Exception {
      validateWithJdk(List.of(leaf(ecCa, WEB)), ecCa.rootCertificate());
    }
  }

  @Nested
  class CrossSigned {
    @Test
    void ourCrossSignedRootHasConsulsProfile() {
      X509Certificate cross = ecCa.crossSign(nextEcCa.rootCertificate());
      assertCrossSignedProfile(cross, ecCa.rootCertificate(), nextEcCa.rootCertificate());
      assertThat(cross.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofMinutes(1)));
    }

    @Test
    void rsaRootCrossSignsAnEcRootWithItsOwnSignatureAlgorithm() {
      X509Certificate cross = rsaCa.crossSign(ecCa.rootCertificate());
      assertCrossSignedProfile(cross, rsaCa.rootCertificate(), ecCa.rootCertificate());
      assertThat(cross.getSigAlgName()).isEqualTo("SHA256withRSA");
    }

    @Test
    void consulsCrossSignedRootsHaveTheSameProfile() {
      X509Certificate first = ConsulSamples.certificate("root-initial-0.crt.pem");
      X509Certificate user = ConsulSamples.certificate("ca-rotation-1-root-active.crt.pem");
      X509Certificate third = ConsulSamples.certificate("ca-rotation-2-root-active.crt.pem");
      assertCrossSignedProfile(
          ConsulSamples.certificate("ca-rotation-1-root-active-crosssigned-0.crt.pem"),
          first, user, Duration.ofDays(7));
      assertCrossSignedProfile(
          ConsulSamples.certificate("ca-rotation-2-root-active-crosssigned-0.crt.pem"),
          user, third, Duration.ofDays(7));
    }

    @Test
    void crossSigningAUserSuppliedRootCopiesItsSha1KeyIdAsConsulDoes() {
      X509Certificate user = ConsulSamples.certificate("ca-user-supplied-root.crt.pem");
      // The sample root is for the trust domain of the Consul run, and only a root of its own
      // trust domain is cross-signed.
      BuiltInCaProvider consulTdCa = BuiltInCaProvider.generate(
          SigningId.of(ConsulSamples.TRUST_DOMAIN), CaConfiguration.defaults(), CLOCK);
      X509Certificate cross = consulTdCa.crossSign(user);
      assertCrossSignedProfile(cross, consulTdCa.rootCertificate(), user);
      assertThat(subjectKeyId(cross)).hasSize(20);
    }

    @Test
    void newLeafChainsToTheOldRootThroughTheCrossSignedRoot() throws Exception {
      X509Certificate cross = ecCa.crossSign(nextEcCa.rootCertificate());
      X509Certificate leaf = leaf(nextEcCa, WEB);
      validateWithJdk(List.of(leaf, cross), ecCa.rootCertificate());
      validateWithJdk(List.of(leaf), nextEcCa.rootCertificate());
    }
  }

  static void validateWithJdk(List<X509Certificate> path, X509Certificate anchor)
      throws Exception {
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
    params.setRevocationEnabled(false);
    params.setDate(Date.from(NOW.plus(Duration.ofHours(1))));
    assertThatCode(() -> CertPathValidator.getInstance("PKIX").validate(
        CertificateFactory.getInstance("X.509").generateCertPath(path), params))
        .doesNotThrowAnyException();
  }

  static ASN1Encodable commonNameValue(X509Certificate certificate) {
    X500Name name = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    return name.getRDNs(BCStyle.CN)[0].getFirst().getValue();
  }
}
