package dev.connect.test;

import static dev.connect.test.ConnectAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.ca.BuiltInCaProvider;
import dev.connect.ca.CaConfiguration;
import dev.connect.ca.CertificateRequest;
import dev.connect.ca.LeafRequests;
import dev.connect.core.InvalidSpiffeIdException;
import dev.connect.core.ServiceId;
import dev.connect.core.SigningId;
import dev.connect.core.SpiffeId;
import dev.connect.testkit.FakeTime;
import dev.connect.testkit.TestCa;
import dev.connect.testkit.TestCertificates;
import dev.connect.testkit.TestLeaf;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.junit.jupiter.api.Test;

class TestCertificatesTest {
  static final String TD = "7f3c0a11-0000-4000-8000-000000000001.consul";
  static final String OTHER_TD = "0000aaaa-1111-2222-3333-444455556666.consul";
  static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

  final FakeTime time = FakeTime.create();
  final Instant now = time.instant();
  final TestCa root = TestCertificates.root(TD).clock(time).build();

  @Test
  void rootHasTheBuiltInCaProfile() throws Exception {
    X509Certificate cert = root.certificate();
    BuiltInCaProvider real = BuiltInCaProvider.generate(SigningId.of(TD),
        CaConfiguration.defaults(), time);
    X509Certificate consul = real.rootCertificate();

    assertThat(cert).isConnectRoot(TD).isSignedBy(cert);
    assertThat(cert.getCriticalExtensionOIDs()).isEqualTo(consul.getCriticalExtensionOIDs());
    assertThat(cert.getNonCriticalExtensionOIDs())
        .isEqualTo(consul.getNonCriticalExtensionOIDs());
    assertThat(cert.getKeyUsage()).isEqualTo(consul.getKeyUsage());
    assertThat(cert.getBasicConstraints()).isEqualTo(consul.getBasicConstraints())
        .isEqualTo(Integer.MAX_VALUE);
    assertThat(eku(cert)).isNull();
    assertThat(cert.getNotBefore()).isEqualTo(consul.getNotBefore()).isEqualTo(Date.from(now));
    assertThat(cert.getNotAfter()).isEqualTo(consul.getNotAfter());
    assertThat(cert.getSigAlgName()).isEqualTo(consul.getSigAlgName())
        .isEqualTo("SHA256withECDSA");
    assertThat(((ECPublicKey) cert.getPublicKey()).getParams().getCurve().getField()
        .getFieldSize()).isEqualTo(256);
    assertThat(cert.getSubjectX500Principal().getName())
        .matches("CN=pri-[a-z0-9]+\\.consul\\.ca\\.7f3c0a11\\.consul");
    assertThat(subjectKeyId(cert)).isEqualTo(sha256(cert.getPublicKey().getEncoded()))
        .isEqualTo(authorityKeyId(cert));
    assertThat(root.chain()).isEmpty();
    assertThat(root.anchor()).isSameAs(cert);
    assertThat(root.trustDomain()).isEqualTo(TD);
  }

  @Test
  void defaultLeafHasTheProfileOfTheBuiltInCasLeaf() throws Exception {
    BuiltInCaProvider ca = builtIn(root, CaConfiguration.defaults(), time);
    X509Certificate consul = ca.sign(CertificateRequest.validate(
        LeafRequests.csrPem(ServiceId.of(TD, "dc1", "web"), LeafRequests.newKeyPair()),
        SigningId.of(TD), "dc1", CaConfiguration.defaults()));
    TestLeaf leaf = root.leaf("web").build();
    X509Certificate cert = leaf.certificate();

    assertThat(leaf).isConnectLeaf().hasSpiffeId(ServiceId.of(TD, "dc1", "web"))
        .isSignedBy(root.certificate()).chainsTo(root.certificate(), now);
    assertThat(cert.getCriticalExtensionOIDs()).isEqualTo(consul.getCriticalExtensionOIDs());
    assertThat(cert.getNonCriticalExtensionOIDs())
        .isEqualTo(consul.getNonCriticalExtensionOIDs());
    assertThat(cert.getKeyUsage()).isEqualTo(consul.getKeyUsage());
    assertThat(eku(cert)).isEqualTo(eku(consul))
        .containsExactly(CLIENT_AUTH, SERVER_AUTH);
    assertThat(cert.getBasicConstraints()).isEqualTo(consul.getBasicConstraints()).isEqualTo(-1);
    assertThat(cert.getSubjectX500Principal()).isEqualTo(consul.getSubjectX500Principal());
    assertThat(cert.getSubjectX500Principal().getName())
        .isEqualTo("CN=web.svc.default.7f3c0a11.consul");
    assertThat(cert.getIssuerX500Principal()).isEqualTo(consul.getIssuerX500Principal());
    assertThat(cert.getNotBefore()).isEqualTo(consul.getNotBefore())
        .isEqualTo(Date.from(now.minusSeconds(60)));
    assertThat(cert.getNotAfter()).isEqualTo(consul.getNotAfter())
        .isEqualTo(Date.from(now.minusSeconds(60).plus(Duration.ofHours(72))));
    assertThat(cert.getSigAlgName()).isEqualTo(consul.getSigAlgName());
    assertThat(authorityKeyId(cert)).isEqualTo(authorityKeyId(consul))
        .isEqualTo(subjectKeyId(root.certificate()));
    assertThat(subjectKeyId(cert)).isEqualTo(sha256(cert.getPublicKey().getEncoded()));
    assertThat(leaf.chain()).containsExactly(cert);
    assertThat(leaf.anchor()).isEqualTo(root.certificate());
    assertThat(leaf.uri()).contains("spiffe://" + TD + "/ns/default/dc/dc1/svc/web");
    assertThat(SpiffeId.fromCertificate(cert).toString()).isEqualTo(leaf.uri().orElseThrow());
  }

  @Test
  void aTestCaOverABuiltInCaIssuesLeavesThatChainToItsRoot() {
    BuiltInCaProvider ca = BuiltInCaProvider.generate(SigningId.of(TD),
        CaConfiguration.defaults(), time);
    TestLeaf expired = TestCa.fromPem(ca.rootCertificatePem(), ca.exportPrivateKeyPkcs8Pem(),
        time).leaf("web").expired().build();
    assertThat(expired).isSignedBy(ca.rootCertificate())
        .chainsTo(ca.rootCertificate(), now.minus(Duration.ofHours(2)));
  }

  @Test
  void expiredLeafFailsCheckValidity() {
    TestLeaf leaf = root.leaf("web").expired().build();
    X509Certificate cert = leaf.certificate();
    assertThatThrownBy(() -> cert.checkValidity(Date.from(now)))
        .isInstanceOf(CertificateExpiredException.class);
    assertThat(cert.getNotAfter()).isEqualTo(Date.from(now.minus(Duration.ofHours(1))));
    assertThat(Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()))
        .isEqualTo(Duration.ofHours(72));
    assertThatThrownBy(() -> pkix(List.of(cert), root.certificate(), now))
        .isInstanceOf(CertPathValidatorException.class).hasMessage("validity check failed")
        .hasCauseInstanceOf(CertificateExpiredException.class);
  }

  @Test
  void notYetValidLeafFailsCheckValidity() {
    X509Certificate cert = root.leaf("web").notYetValid().build().certificate();
    assertThatThrownBy(() -> cert.checkValidity(Date.from(now)))
        .isInstanceOf(CertificateNotYetValidException.class);
    assertThat(cert.getNotBefore()).isEqualTo(Date.from(now.plus(Duration.ofHours(1))));
  }

  @Test
  void expiredAndNotYetValidRoots() {
    X509Certificate expired = TestCertificates.root(TD).clock(time).expired().build()
        .certificate();
    X509Certificate future = TestCertificates.root(TD).clock(time).notYetValid().build()
        .certificate();
    assertThatThrownBy(() -> expired.checkValidity(Date.from(now)))
        .isInstanceOf(CertificateExpiredException.class);
    assertThatThrownBy(() -> future.checkValidity(Date.from(now)))
        .isInstanceOf(CertificateNotYetValidException.class);
  }

  @Test
  void wrongTrustDomainLeafIsRefusedByConnectsChecks() throws Exception {
    TestLeaf leaf = root.leaf("web").trustDomain(OTHER_TD).build();
    String uri = "spiffe://" + OTHER_TD + "/ns/default/dc/dc1/svc/web";
    assertThat(leaf).hasSpiffeId(uri).isSignedBy(root.certificate());

    // Our CA's rule: a trust domain signs only its own services.
    assertThat(SigningId.of(TD).canSign(ServiceId.parse(leaf.uri().orElseThrow()))).isFalse();
    // A plain PKIX check of an unconstrained root cannot see it, which is why Connect peers
    // compare the trust domain themselves...
    assertThatCode(() -> pkix(List.of(leaf.certificate()), root.certificate(), now))
        .doesNotThrowAnyException();
    // ...and a name-constrained CA makes PKIX refuse it too. The JDK applies the constraints of
    // the certificates on the path, not those of the trust anchor's own certificate, so they go
    // on an intermediate here (OpenSslTest shows OpenSSL applying them on the root as well).
    TestCa constrained = root.intermediate().nameConstrained().build();
    X509Certificate foreign = constrained.leaf("web").trustDomain(OTHER_TD).build()
        .certificate();
    assertThatThrownBy(() -> pkix(List.of(foreign, constrained.certificate()),
        root.certificate(), now)).isInstanceOf(CertPathValidatorException.class)
        .hasMessageContaining("name constraints");
    assertThatCode(() -> pkix(List.of(constrained.leaf("web").build().certificate(),
        constrained.certificate()), root.certificate(), now)).doesNotThrowAnyException();
  }

  @Test
  void rootOfAnotherTrustDomainIsRefusedByTheBuiltInCa() {
    TestCa other = TestCertificates.root(OTHER_TD).clock(time).build();
    assertThatThrownBy(() -> BuiltInCaProvider.load(other.exportPrivateKeyPkcs8Pem(),
        other.certificatePem(), SigningId.of(TD), CaConfiguration.defaults(), time))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is for spiffe://" + OTHER_TD + ", not this CA's trust domain");
    BuiltInCaProvider ca = builtIn(root, CaConfiguration.defaults(), time);
    assertThatThrownBy(() -> ca.crossSign(other.certificate()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith(" has spiffe://" + OTHER_TD);
  }

  @Test
  void twoUriSansAreTwoAndNoSvidParserAcceptsThem() {
    String second = "spiffe://" + TD + "/ns/default/dc/dc1/svc/admin";
    TestLeaf leaf = root.leaf("web").additionalUri(second).build();
    assertThat(leaf).hasUriSans("spiffe://" + TD + "/ns/default/dc/dc1/svc/web", second);
    assertThatThrownBy(() -> SpiffeId.fromCertificate(leaf.certificate()))
        .isInstanceOf(InvalidSpiffeIdException.class)
        .hasMessageContaining("exactly one URI SAN, found 2");
  }

  @Test
  void noUriSanLeafHasNone() throws Exception {
    TestLeaf leaf = root.leaf("web").noUri().dnsName("web.service.consul").build();
    assertThat(leaf).hasNoUriSan();
    assertThat(leaf.uri()).isEmpty();
    assertThat(leaf.certificate().getSubjectAlternativeNames())
        .containsExactly(List.of(2, "web.service.consul"));
    assertThatThrownBy(() -> SpiffeId.fromCertificate(leaf.certificate()))
        .isInstanceOf(InvalidSpiffeIdException.class)
        .hasMessageContaining("exactly one URI SAN, found 0");
  }

  @Test
  void customUriIsWrittenAsGiven() {
    TestLeaf leaf = root.leaf("web").uri("spiffe://" + TD + "/agent/client/dc/dc1/id/node1")
        .build();
    assertThat(leaf).hasSpiffeId("spiffe://" + TD + "/agent/client/dc/dc1/id/node1");
  }

  @Test
  void extendedKeyUsageVariantsAreRefusedByTheJdkForTheMissingRole() throws Exception {
    X509Certificate[] serverOnly = array(root.leaf("web").serverAuthOnly().build());
    X509Certificate[] clientOnly = array(root.leaf("web").clientAuthOnly().build());
    X509Certificate[] noEku = array(root.leaf("web").noExtendedKeyUsage().build());

    assertThat(serverOnly[0].getExtendedKeyUsage()).containsExactly(SERVER_AUTH);
    assertThat(clientOnly[0].getExtendedKeyUsage()).containsExactly(CLIENT_AUTH);
    assertThat(noEku[0].getExtendedKeyUsage()).isNull();

    // The JDK trust manager validates at the real time: date the root and leaves from it.
    TestCa realRoot = TestCertificates.root(TD).build();
    X509ExtendedTrustManager realTrust = realRoot.trustManager();
    X509Certificate[] realServerOnly = array(realRoot.leaf("web").serverAuthOnly().build());
    X509Certificate[] realClientOnly = array(realRoot.leaf("web").clientAuthOnly().build());
    assertThatCode(() -> realTrust.checkServerTrusted(realServerOnly, "ECDHE_ECDSA"))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> realTrust.checkClientTrusted(realServerOnly, "ECDHE_ECDSA"))
        .isInstanceOf(CertificateException.class)
        .hasMessageContaining("Extended key usage does not permit use for TLS client");
    assertThatCode(() -> realTrust.checkClientTrusted(realClientOnly, "ECDHE_ECDSA"))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> realTrust.checkServerTrusted(realClientOnly, "ECDHE_ECDSA"))
        .isInstanceOf(CertificateException.class)
        .hasMessageContaining("Extended key usage does not permit use for TLS server");
  }

  @Test
  void leafWithoutDigitalSignatureIsRefusedByTheJdk() {
    TestCa realRoot = TestCertificates.root(TD).build();
    X509Certificate[] chain = array(realRoot.leaf("web").withoutDigitalSignature().build());
    assertThat(chain[0].getKeyUsage()).containsExactly(false, false, true, false, false, false,
        false, false, false);
    assertThatThrownBy(() -> realRoot.trustManager().checkClientTrusted(chain, "ECDHE_ECDSA"))
        .isInstanceOf(CertificateException.class)
        .hasMessageContaining("KeyUsage does not allow digital signatures");
  }

  @Test
  void selfSignedLeafIsItsOwnIssuerAndChainsToNoRoot() throws Exception {
    TestLeaf leaf = root.leaf("web").selfSigned().build();
    X509Certificate cert = leaf.certificate();
    assertThat(cert.getIssuerX500Principal()).isEqualTo(cert.getSubjectX500Principal());
    assertThat(leaf).isSignedBy(cert).isNotCa().hasSpiffeId("spiffe://" + TD
        + "/ns/default/dc/dc1/svc/web");
    assertThat(authorityKeyId(cert)).isEqualTo(subjectKeyId(cert));
    assertThat(leaf.chain()).containsExactly(cert);
    assertThat(leaf.anchor()).isEqualTo(cert);
    assertThatThrownBy(() -> pkix(List.of(cert), root.certificate(), now))
        .isInstanceOf(CertPathValidatorException.class);
  }

  @Test
  void leafOfAnIntermediateCarriesItAndChainsToTheRoot() throws Exception {
    TestCa intermediate = root.intermediate().build();
    X509Certificate inter = intermediate.certificate();
    assertThat(inter.getBasicConstraints()).isZero();
    assertThat(intermediate).isCa().hasSpiffeId("spiffe://" + TD).isSignedBy(root.certificate());
    assertThat(inter.getSubjectX500Principal().getName()).startsWith("CN=sec-");
    assertThat(authorityKeyId(inter)).isEqualTo(subjectKeyId(root.certificate()));
    assertThat(inter.getNotBefore()).isEqualTo(Date.from(now.minusSeconds(60)));
    assertThat(intermediate.chain()).containsExactly(inter);
    assertThat(intermediate.anchor()).isEqualTo(root.certificate());

    TestLeaf leaf = intermediate.leaf("db").build();
    assertThat(leaf.chain()).containsExactly(leaf.certificate(), inter);
    assertThat(leaf.anchor()).isEqualTo(root.certificate());
    assertThat(leaf).isSignedBy(inter).chainsTo(root.certificate(), now, inter);
    assertThat(authorityKeyId(leaf.certificate())).isEqualTo(subjectKeyId(inter));
    // Path length 0: no CA below the intermediate.
    TestCa below = intermediate.intermediate().build();
    X509Certificate deep = below.leaf("db").build().certificate();
    assertThatThrownBy(() -> pkix(List.of(deep, below.certificate(), inter), root.certificate(),
        now)).isInstanceOf(CertPathValidatorException.class)
        .hasMessageContaining("pathLenConstraint");
  }

  @Test
  void crossSignedRootLetsItsLeavesChainToTheOldRoot() throws Exception {
    TestCa newRoot = TestCertificates.root(TD).clock(time).build();
    TestCa viaOld = newRoot.crossSignedBy(root);
    X509Certificate cross = viaOld.certificate();

    assertThat(cross.getSubjectX500Principal())
        .isEqualTo(newRoot.certificate().getSubjectX500Principal());
    assertThat(cross.getPublicKey()).isEqualTo(newRoot.certificate().getPublicKey());
    assertThat(cross).isSignedBy(root.certificate());
    assertThat(authorityKeyId(cross)).isEqualTo(subjectKeyId(root.certificate()));
    assertThat(subjectKeyId(cross)).isEqualTo(subjectKeyId(newRoot.certificate()));
    assertThat(cross.getCriticalExtensionOIDs())
        .isEqualTo(newRoot.certificate().getCriticalExtensionOIDs());
    assertThat(cross.getNonCriticalExtensionOIDs())
        .isEqualTo(newRoot.certificate().getNonCriticalExtensionOIDs());
    assertThat(Duration.between(cross.getNotBefore().toInstant(),
        cross.getNotAfter().toInstant())).isEqualTo(Duration.ofDays(7));
    assertThat(viaOld.anchor()).isEqualTo(root.certificate());

    TestLeaf leaf = viaOld.leaf("web").build();
    assertThat(leaf.chain()).containsExactly(leaf.certificate(), cross);
    pkix(leaf.chain(), root.certificate(), now);
    pkix(List.of(leaf.certificate()), newRoot.certificate(), now);

    // The same shape as the built-in CA's own cross-signing.
    // A 96 h leaf TTL: the built-in CA cross-signs for twice the leaf TTL when under 7 days.
    X509Certificate consulCross = builtIn(root, 
        CaConfiguration.builder().leafCertTtl(Duration.ofHours(96)).build(), time)
        .crossSign(newRoot.certificate());
    assertThat(cross.getCriticalExtensionOIDs()).isEqualTo(consulCross.getCriticalExtensionOIDs());
    assertThat(cross.getNonCriticalExtensionOIDs())
        .isEqualTo(consulCross.getNonCriticalExtensionOIDs());
    assertThat(cross.getNotAfter()).isEqualTo(consulCross.getNotAfter());
  }

  @Test
  void customSerialValiditySubjectAndDatacenter() {
    Instant from = Instant.parse("2029-06-01T00:00:00Z");
    Instant to = Instant.parse("2031-06-01T00:00:00Z");
    TestLeaf leaf = root.leaf("web").serial(BigInteger.valueOf(42)).validity(from, to)
        .subject("CN=custom,O=Example").datacenter("dc2").build();
    X509Certificate cert = leaf.certificate();
    assertThat(leaf).hasSerial(BigInteger.valueOf(42))
        .hasSpiffeId("spiffe://" + TD + "/ns/default/dc/dc2/svc/web");
    assertThat(cert.getNotBefore()).isEqualTo(Date.from(from));
    assertThat(cert.getNotAfter()).isEqualTo(Date.from(to));
    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=custom,O=Example");

    TestLeaf shortLived = root.leaf("web").validFor(Duration.ofMinutes(10)).build();
    assertThat(shortLived).expiresWithin(Duration.ofMinutes(9), time);

    TestLeaf empty = root.leaf("web").subject("").build();
    assertThat(empty.certificate().getSubjectX500Principal().getName()).isEmpty();
    assertThat(empty.certificate().getCriticalExtensionOIDs()).contains("2.5.29.17");

    TestCa custom = TestCertificates.root(TD).clock(time).serial(BigInteger.TEN)
        .subject("CN=Test Root").validFor(Duration.ofDays(1)).pathLength(2).build();
    assertThat(custom).hasSerial(BigInteger.TEN).isConnectRoot(TD)
        .expiresWithin(Duration.ofDays(1), time);
    assertThat(custom.certificate().getBasicConstraints()).isEqualTo(2);
  }

  @Test
  void otherKeyTypes() {
    assertThat(root.leaf("web").rsa2048().build().certificate().getPublicKey())
        .isInstanceOf(RSAPublicKey.class);
    TestLeaf p384 = root.leaf("web").ecP384().build();
    assertThat(((ECPublicKey) p384.certificate().getPublicKey()).getParams().getCurve()
        .getField().getFieldSize()).isEqualTo(384);
    TestCa rsaRoot = TestCertificates.root(TD).clock(time).rsa2048().build();
    TestLeaf leaf = rsaRoot.leaf("web").build();
    assertThat(leaf.certificate().getSigAlgName()).isEqualTo("SHA256withRSA");
    assertThat(leaf).isSignedBy(rsaRoot.certificate());
  }

  @Test
  void aKeyPairCanBeKeptAcrossLeaves() {
    TestLeaf first = root.leaf("web").build();
    TestLeaf renewed = root.leaf("web").keyPair(first.keyPair()).build();
    assertThat(renewed.certificate().getPublicKey()).isEqualTo(first.certificate().getPublicKey());
    assertThat(renewed.certificate().getSerialNumber())
        .isNotEqualTo(first.certificate().getSerialNumber());
  }

  @Test
  void optionsSetTwiceOrBadArgumentsAreRefusedNamingTheValue() {
    assertThatThrownBy(() -> root.leaf("web").expired().notYetValid())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("validity was already set to expired");
    assertThatThrownBy(() -> root.leaf("web").serial(BigInteger.ONE).serial(BigInteger.TWO))
        .isInstanceOf(IllegalStateException.class).hasMessage("serial was already set to 1");
    assertThatThrownBy(() -> root.leaf("web").noUri().uri("spiffe://x.consul"))
        .isInstanceOf(IllegalStateException.class).hasMessage("uri was already set to none");
    assertThatThrownBy(() -> root.leaf("web").validFor(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("ttl must be positive: PT0S");
    assertThatThrownBy(() -> root.leaf("web").validity(now, now.minusSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("notAfter 2029-12-31T23:59:59Z is before notBefore 2030-01-01T00:00:00Z");
    assertThatThrownBy(() -> root.leaf("we/b")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("service \"we/b\" has the character '/' at 2");
    assertThatThrownBy(() -> TestCertificates.root("Upper.consul"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trust domain \"Upper.consul\" has the character 'U' at 0");
    assertThatThrownBy(() -> TestCertificates.root(TD).rsa2048().ecP384())
        .isInstanceOf(IllegalStateException.class).hasMessage("key was already set to RSA 2048");
  }

  @Test
  void pemRoundTripsAndTheKeyMatchesTheCertificate() throws Exception {
    TestCa intermediate = root.intermediate().build();
    TestLeaf leaf = intermediate.leaf("web").build();
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    List<X509Certificate> parsed = new ArrayList<>();
    for (var c : factory.generateCertificates(new ByteArrayInputStream(
        leaf.chainPem().getBytes(StandardCharsets.US_ASCII)))) {
      parsed.add((X509Certificate) c);
    }
    assertThat(parsed).containsExactlyElementsOf(leaf.chain());
    assertThat(leaf.certificatePem()).startsWith("-----BEGIN CERTIFICATE-----")
        .endsWith("-----END CERTIFICATE-----\n");
    assertThat(TestCertificates.pem(root.certificate())).isEqualTo(root.certificatePem());
    assertThat(TestCertificates.pem(leaf.chain())).isEqualTo(leaf.chainPem());

    String keyPem = leaf.exportPrivateKeyPkcs8Pem();
    assertThat(keyPem).startsWith("-----BEGIN PRIVATE KEY-----\n");
    byte[] der = Base64.getMimeDecoder().decode(keyPem.replaceAll("-----[A-Z ]+-----", ""));
    PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
    assertThat(key).isEqualTo(leaf.privateKey());
    java.security.Signature signer = java.security.Signature.getInstance("SHA256withECDSA");
    signer.initSign(key);
    signer.update(new byte[] {1, 2, 3});
    byte[] signature = signer.sign();
    java.security.Signature verifier = java.security.Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(leaf.certificate());
    verifier.update(new byte[] {1, 2, 3});
    assertThat(verifier.verify(signature)).isTrue();
    assertThat(root.exportPrivateKeyPkcs8Pem()).startsWith("-----BEGIN PRIVATE KEY-----\n");
  }

  @Test
  void keyStoreHoldsTheKeyAndChain() throws Exception {
    TestLeaf leaf = root.intermediate().build().leaf("web").build();
    char[] password = "test".toCharArray();
    KeyStore store = leaf.toKeyStore(password);
    assertThat(store.getCertificateChain("leaf")).containsExactlyElementsOf(leaf.chain());
    assertThat(store.getKey("leaf", password).getEncoded())
        .isEqualTo(leaf.privateKey().getEncoded());
  }

  @Test
  void toStringShowsMetadataNeverTheKey() {
    TestLeaf leaf = root.leaf("web").serial(BigInteger.valueOf(255)).build();
    assertThat(leaf.toString()).contains("serial ff", "spiffe://" + TD)
        .doesNotContain(Base64.getEncoder().encodeToString(leaf.privateKey().getEncoded()));
    assertThat(root.toString()).startsWith("TestCa[CN=pri-").contains("trustDomain " + TD);
  }

  @Test
  void theJvmsProvidersAreLeftAlone() {
    List<String> before = providerNames();
    TestCertificates.root().build().leaf("web").rsa2048().build();
    // Compared with the list before, not with "no BC": connect-tls, in this test JVM too,
    // registers one for PKIXParameters.setSigProvider.
    assertThat(providerNames()).isEqualTo(before);
  }

  @Test
  void randomTrustDomainsAreConsulShaped() {
    String td = TestCertificates.randomTrustDomain();
    assertThat(td).matches("[0-9a-f-]{36}\\.consul");
    assertThat(TestCertificates.root().build().trustDomain()).isNotEqualTo(td)
        .endsWith(".consul");
  }

  static List<String> providerNames() {
    List<String> names = new ArrayList<>();
    for (Provider p : Security.getProviders()) {
      names.add(p.getName());
    }
    return names;
  }

  static List<String> eku(X509Certificate c) {
    try {
      return c.getExtendedKeyUsage();
    } catch (java.security.cert.CertificateParsingException e) {
      throw new AssertionError(e);
    }
  }

  static X509Certificate[] array(TestLeaf leaf) {
    return leaf.chain().toArray(new X509Certificate[0]);
  }

  static void pkix(List<X509Certificate> path, X509Certificate anchor, Instant at)
      throws Exception {
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
    params.setRevocationEnabled(false);
    params.setDate(Date.from(at));
    CertPathValidator.getInstance("PKIX").validate(
        CertificateFactory.getInstance("X.509").generateCertPath(path), params);
  }

  static byte[] subjectKeyId(X509Certificate c) {
    return SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(
        c.getExtensionValue("2.5.29.14")).getOctets()).getKeyIdentifier();
  }

  static byte[] authorityKeyId(X509Certificate c) {
    return AuthorityKeyIdentifier.getInstance(ASN1OctetString.getInstance(
        c.getExtensionValue("2.5.29.35")).getOctets()).getKeyIdentifier();
  }

  static byte[] sha256(byte[] data) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(data);
  }


  /** Returns a built-in CA that signs with {@code ca}'s key and certificate. */
  private static BuiltInCaProvider builtIn(TestCa ca, CaConfiguration config, Clock clock) {
    return BuiltInCaProvider.load(ca.exportPrivateKeyPkcs8Pem(), ca.certificatePem(),
        SigningId.of(ca.trustDomain()), config, clock);
  }
}
