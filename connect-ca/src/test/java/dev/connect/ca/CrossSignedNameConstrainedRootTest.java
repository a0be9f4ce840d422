package dev.connect.ca;

import static dev.connect.ca.ProfileAssertions.authorityKeyId;
import static dev.connect.ca.ProfileAssertions.extensionOids;
import static dev.connect.ca.ProfileAssertions.subjectKeyId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.ca.internal.Jca;
import dev.connect.core.ServiceId;
import dev.connect.core.SigningId;
import dev.connect.core.Certificates;
import dev.connect.testkit.TestCertificates;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CertificatePolicies;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.x509.PolicyInformation;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Review finding (MEDIUM): cross-signing copied only key usage, basic constraints, the key
 * identifiers and the SAN of the new root, so name constraints, extended key usage and
 * certificate policies were dropped, and a leaf outside the new root's name constraints still
 * validated on the path through the old root. Go's {@code x509.CreateCertificate} with the new
 * root as template keeps them. Also, any CA certificate was cross-signed, whatever its trust
 * domain.
 */
class CrossSignedNameConstrainedRootTest {
  static final Instant NOW = Instant.parse("2030-06-01T12:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final String TD = BuiltInCaProviderTest.TD;
  static final SigningId TRUST_DOMAIN = SigningId.of(TD);
  static final ASN1ObjectIdentifier POLICY = new ASN1ObjectIdentifier("1.3.6.1.4.1.55555.1");

  static BuiltInCaProvider oldCa;

  @BeforeAll
  static void makeOldCa() {
    oldCa = BuiltInCaProvider.generate(TRUST_DOMAIN, CaConfiguration.defaults(), CLOCK);
  }

  @Test
  void everyExtensionOfTheNewRootButItsAuthorityKeyIdIsKept() {
    X509Certificate newRoot = constrainedCa(TD).rootCertificate();
    X509Certificate cross = oldCa.crossSign(newRoot);

    assertThat(extensionOids(cross)).isEqualTo(extensionOids(newRoot)).contains(
        Extension.nameConstraints.getId(), Extension.extendedKeyUsage.getId(),
        Extension.certificatePolicies.getId());
    assertThat(cross.getCriticalExtensionOIDs()).isEqualTo(newRoot.getCriticalExtensionOIDs());
    Set<String> copied = new HashSet<>(extensionOids(newRoot));
    copied.remove(Extension.authorityKeyIdentifier.getId());
    for (String oid : copied) {
      assertThat(cross.getExtensionValue(oid)).as(oid).isEqualTo(newRoot.getExtensionValue(oid));
    }
    assertThat(authorityKeyId(cross)).isEqualTo(subjectKeyId(oldCa.rootCertificate()))
        .isNotEqualTo(authorityKeyId(newRoot));
    assertThatCode(() -> cross.verify(oldCa.rootCertificate().getPublicKey()))
        .doesNotThrowAnyException();
  }

  @Test
  void leafOutsideTheNewRootsNameConstraintsIsRefusedThroughTheOldRootToo() throws Exception {
    BuiltInCaProvider elsewhere = constrainedCa("elsewhere.consul");
    X509Certificate leaf = leaf(elsewhere);
    X509Certificate cross = oldCa.crossSign(elsewhere.rootCertificate());

    assertThatThrownBy(() -> validate(List.of(leaf, cross), oldCa.rootCertificate()))
        .isInstanceOf(CertPathValidatorException.class)
        .hasMessageContaining("name constraints");
  }

  @Test
  void leafInsideTheNewRootsNameConstraintsChainsToTheOldRoot() throws Exception {
    BuiltInCaProvider ours = constrainedCa(TD);
    X509Certificate leaf = leaf(ours);
    X509Certificate cross = oldCa.crossSign(ours.rootCertificate());

    assertThatCode(() -> validate(List.of(leaf, cross), oldCa.rootCertificate()))
        .doesNotThrowAnyException();
  }

  @Test
  void onlyARootOfThisTrustDomainIsCrossSigned() {
    String other = "spiffe://0000aaaa-1111-2222-3333-444455556666.consul";
    X509Certificate foreign = TestCertificates.root(other.substring("spiffe://".length()))
        .build().certificate();
    assertThatThrownBy(() -> oldCa.crossSign(foreign))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("certificate to cross-sign must have exactly one URI SAN, spiffe://" + TD
            + ", the trust domain of this CA; " + Certificates.sha1Fingerprint(foreign)
            + " has " + other);
    assertThatThrownBy(() -> oldCa.crossSign(
        TestCertificates.root(TD).noUriSan().build().certificate()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageEndingWith(" has none");
    assertThatThrownBy(() -> oldCa.crossSign(
        TestCertificates.root(TD).additionalUri(other).build().certificate()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith(" has spiffe://" + TD + ", " + other);
    assertThatThrownBy(() -> oldCa.crossSign(
        TestCertificates.root(TD).uri("spiffe://" + TD + "/ns/default/dc/dc1/svc/web").build()
            .certificate()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith(" has spiffe://" + TD + "/ns/default/dc/dc1/svc/web");
  }

  /**
   * A CA loaded from a root made with BouncyCastle: URI SAN {@code spiffe://<TD>}, name
   * constraints permitting URIs of host {@code permittedHost} only, extended key usage and a
   * certificate policy, none of which our own roots carry.
   */
  static BuiltInCaProvider constrainedCa(String permittedHost) {
    KeyPair keys = LeafRequests.newKeyPair();
    try {
      X500Name name = new X500Name("CN=Constrained Root");
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
          BigInteger.valueOf(77), Date.from(NOW.minus(Duration.ofDays(1))),
          Date.from(NOW.plus(Duration.ofDays(3650))), name, keys.getPublic());
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(
          KeyUsage.digitalSignature | KeyUsage.keyCertSign | KeyUsage.cRLSign));
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(Extension.subjectKeyIdentifier, false,
          utils.createSubjectKeyIdentifier(keys.getPublic()));
      builder.addExtension(Extension.authorityKeyIdentifier, false,
          utils.createAuthorityKeyIdentifier(keys.getPublic()));
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
          new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://" + TD)));
      builder.addExtension(Extension.nameConstraints, true, new NameConstraints(
          new GeneralSubtree[] {new GeneralSubtree(
              new GeneralName(GeneralName.uniformResourceIdentifier, permittedHost))}, null));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
          new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      builder.addExtension(Extension.certificatePolicies, false,
          new CertificatePolicies(new PolicyInformation(POLICY)));
      X509Certificate root = Jca.toX509(builder.build(new JcaContentSignerBuilder(
          "SHA256withECDSA").setProvider(Jca.provider()).build(keys.getPrivate())));
      StringWriter key = new StringWriter();
      try (JcaPEMWriter writer = new JcaPEMWriter(key)) {
        writer.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null));
      }
      return BuiltInCaProvider.load(key.toString(), Certificates.toPem(root), TRUST_DOMAIN,
          CaConfiguration.defaults(), CLOCK);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static X509Certificate leaf(BuiltInCaProvider ca) {
    return ca.sign(CertificateRequest.validate(
        LeafRequests.csrPem(ServiceId.of(TD, "dc1", "web"), LeafRequests.newKeyPair()),
        TRUST_DOMAIN, "dc1", CaConfiguration.defaults()));
  }

  static void validate(List<X509Certificate> path, X509Certificate anchor) throws Exception {
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
    params.setRevocationEnabled(false);
    params.setDate(Date.from(NOW.plus(Duration.ofHours(1))));
    CertPathValidator.getInstance("PKIX").validate(
        CertificateFactory.getInstance("X.509").generateCertPath(path), params);
  }
}
