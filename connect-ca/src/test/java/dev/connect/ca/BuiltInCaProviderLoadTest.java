package dev.connect.ca;

import static dev.connect.ca.ProfileAssertions.authorityKeyId;
import static dev.connect.ca.ProfileAssertions.subjectKeyId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.ca.internal.Jca;
import dev.connect.core.ServiceId;
import dev.connect.core.SigningId;
import dev.connect.core.Certificates;
import dev.connect.testkit.TestCa;
import dev.connect.testkit.TestCertificates;
import dev.connect.testkit.TestLeaf;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link BuiltInCaProvider#load}: key formats, real Consul material and what it refuses. */
class BuiltInCaProviderLoadTest {
  static final Instant NOW = Instant.parse("2030-03-01T00:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final String TD = "7f3c9a1e-0b5d-4c2e-9f13-2a6b8c4d1e70.consul";
  static final SigningId TRUST_DOMAIN = SigningId.of(TD);
  static final CaConfiguration CONFIG = CaConfiguration.defaults();

  static BuiltInCaProvider ec;
  static BuiltInCaProvider rsa;

  @BeforeAll
  static void makeCas() {
    ec = BuiltInCaProvider.generate(TRUST_DOMAIN, CONFIG, CLOCK);
    rsa = BuiltInCaProvider.generate(TRUST_DOMAIN, CaConfiguration.builder().rsa2048().build(),
        CLOCK);
  }

  @Test
  void pkcs8ExportLoadsBackAsTheSameCa() {
    String pem = ec.exportPrivateKeyPkcs8Pem();
    assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n")
        .endsWith("-----END PRIVATE KEY-----\n");
    BuiltInCaProvider loaded = BuiltInCaProvider.load(pem, ec.rootCertificatePem(),
        TRUST_DOMAIN, CONFIG, CLOCK);
    assertThat(loaded.rootCertificate()).isEqualTo(ec.rootCertificate());
    assertThat(loaded.keySpec()).isEqualTo(CaKeySpec.EC_P256);
    assertSignsVerifiableLeaves(loaded);
  }

  @Test
  void sec1EcKey() {
    String sec1 = traditionalPem(ec.exportPrivateKeyPkcs8Pem());
    assertThat(sec1).startsWith("-----BEGIN EC PRIVATE KEY-----");
    assertSignsVerifiableLeaves(
        BuiltInCaProvider.load(sec1, ec.rootCertificatePem(), TRUST_DOMAIN, CONFIG, CLOCK));
  }

  @Test
  void pkcs1RsaKey() {
    String pkcs1 = traditionalPem(rsa.exportPrivateKeyPkcs8Pem());
    assertThat(pkcs1).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    BuiltInCaProvider loaded =
        BuiltInCaProvider.load(pkcs1, rsa.rootCertificatePem(), TRUST_DOMAIN, CONFIG, CLOCK);
    assertThat(loaded.keySpec()).as("read from the key, not the configuration")
        .isEqualTo(CaKeySpec.RSA_2048);
    assertSignsVerifiableLeaves(loaded);
  }

  @Test
  void consulsUserSuppliedRootWithItsRealKey() {
    String td = ConsulSamples.TRUST_DOMAIN;
    X509Certificate root = ConsulSamples.certificate("ca-user-supplied-root.crt.pem");
    BuiltInCaProvider loaded = BuiltInCaProvider.load(ConsulSamples.userSuppliedRootKey(),
        Certificates.toPem(root), SigningId.of(td),
        CONFIG, Clock.fixed(Instant.parse("2026-11-28T00:00:00Z"), ZoneOffset.UTC));
    assertThat(loaded.keySpec()).isEqualTo(CaKeySpec.EC_P256);
    X509Certificate leaf = loaded.sign(CertificateRequest.validate(
        LeafRequests.csrPem(ServiceId.of(td, "dc1", "web"), LeafRequests.newKeyPair()),
        SigningId.of(td), "dc1", CONFIG));
    ProfileAssertions.assertLeafProfile(leaf, root, "spiffe://" + td + "/ns/default/dc/dc1/svc/web",
        "web.svc.default.5f7a0ac5.consul", CONFIG.leafCertTtl());
    X509Certificate consulLeaf = ConsulSamples.certificate("ca-rotation-1-leaf-web.crt.pem");
    assertThat(authorityKeyId(leaf)).as("the root's 20-byte SHA-1 key ID, as Consul wrote")
        .isEqualTo(authorityKeyId(consulLeaf)).isEqualTo(subjectKeyId(root)).hasSize(20);
    assertThat(leaf.getIssuerX500Principal()).isEqualTo(consulLeaf.getIssuerX500Principal());
  }

  @Test
  void opensslKeysInEveryFormat(@TempDir Path dir) throws Exception {
    OpenSsl.assumeAvailable();
    String san = "subjectAltName=URI:spiffe://" + TD;
    openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "ec-pkcs8.pem", "-out", "ec-root.pem", "-days", "3650", "-subj", "/CN=EC Root",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,digitalSignature,keyCertSign,cRLSign", "-addext", san);
    openssl(dir, "ec", "-in", "ec-pkcs8.pem", "-out", "ec-sec1.pem");
    openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "rsa-pkcs8.pem",
        "-out", "rsa-root.pem", "-days", "3650", "-subj", "/CN=RSA Root", "-addext", san);
    openssl(dir, "rsa", "-in", "rsa-pkcs8.pem", "-traditional", "-out", "rsa-pkcs1.pem");
    openssl(dir, "ecparam", "-name", "secp384r1", "-genkey", "-out", "p384-with-params.pem");
    openssl(dir, "req", "-x509", "-key", "p384-with-params.pem", "-out", "p384-root.pem",
        "-days", "3650", "-subj", "/CN=P-384 Root");

    assertThat(read(dir, "ec-pkcs8.pem")).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(read(dir, "ec-sec1.pem")).startsWith("-----BEGIN EC PRIVATE KEY-----");
    assertThat(read(dir, "rsa-pkcs1.pem")).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    assertThat(read(dir, "p384-with-params.pem")).startsWith("-----BEGIN EC PARAMETERS-----");

    String[][] cases = {
        {"ec-pkcs8.pem", "ec-root.pem", "EC_P256"}, {"ec-sec1.pem", "ec-root.pem", "EC_P256"},
        {"rsa-pkcs8.pem", "rsa-root.pem", "RSA_2048"},
        {"rsa-pkcs1.pem", "rsa-root.pem", "RSA_2048"},
        {"p384-with-params.pem", "p384-root.pem", "EC_P384"}};
    Clock now = Clock.systemUTC();
    for (String[] c : cases) {
      BuiltInCaProvider loaded = BuiltInCaProvider.load(read(dir, c[0]), read(dir, c[1]),
          TRUST_DOMAIN, CONFIG, now);
      assertThat(loaded.keySpec()).as(c[0]).isEqualTo(CaKeySpec.valueOf(c[2]));
      X509Certificate leaf = loaded.sign(CertificateRequest.validate(
          LeafRequests.csrPem(ServiceId.of(TD, "dc1", "web"), LeafRequests.newKeyPair()),
          TRUST_DOMAIN, "dc1", CONFIG));
      Files.writeString(dir.resolve("leaf.pem"), Certificates.toPem(leaf));
      OpenSsl.Result verify = OpenSsl.run(dir, "verify", "-CAfile", c[1], "leaf.pem");
      assertThat(verify.output()).as(c[0]).contains("leaf.pem: OK");
      assertThat(verify.exitCode()).isZero();
    }
  }

  @Test
  void keyOfAnotherCaIsRefusedNamingTheCertificatesFingerprint() {
    BuiltInCaProvider other = BuiltInCaProvider.generate(TRUST_DOMAIN, CONFIG, CLOCK);
    String key = other.exportPrivateKeyPkcs8Pem();
    assertThatThrownBy(() -> BuiltInCaProvider.load(key, ec.rootCertificatePem(), TRUST_DOMAIN,
        CONFIG, CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("private key (EC) does not match the public key of root certificate "
            + Certificates.sha1Fingerprint(ec.rootCertificate()))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(key.substring(28, 60)));
  }

  @Test
  void rsaKeyForAnEcRootIsRefused() {
    assertThatThrownBy(() -> BuiltInCaProvider.load(rsa.exportPrivateKeyPkcs8Pem(),
        ec.rootCertificatePem(), TRUST_DOMAIN, CONFIG, CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not match")
        .hasMessageContaining(Certificates.sha1Fingerprint(ec.rootCertificate()));
  }

  @Test
  void certificateThatIsNotACaIsRefused() {
    TestLeaf leaf = TestCertificates.root(TD).build().leaf("web").selfSigned()
        .subject("CN=not a CA").build();
    X509Certificate notCa = leaf.certificate();
    assertThatThrownBy(() -> BuiltInCaProvider.load(leaf.exportPrivateKeyPkcs8Pem(),
        Certificates.toPem(notCa), TRUST_DOMAIN, CONFIG, CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("root certificate " + Certificates.sha1Fingerprint(notCa)
            + " is not a CA: basic constraints CA:TRUE is missing (subject CN=not a CA)");
  }

  @Test
  void caCertificateWithoutCertSignIsRefused() {
    TestCa ca = TestCertificates.root(TD).subject("CN=no certSign").noCertSign().build();
    X509Certificate noCertSign = ca.certificate();
    assertThatThrownBy(() -> BuiltInCaProvider.load(ca.exportPrivateKeyPkcs8Pem(),
        Certificates.toPem(noCertSign), TRUST_DOMAIN, CONFIG, CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Certificates.sha1Fingerprint(noCertSign))
        .hasMessageEndingWith("is not a CA: its key usage lacks keyCertSign");
  }

  @Test
  void rootOfAnotherTrustDomainIsRefused() {
    SigningId other = SigningId.of("0000aaaa-1111-2222-3333-444455556666.consul");
    assertThatThrownBy(() -> BuiltInCaProvider.load(ec.exportPrivateKeyPkcs8Pem(),
        ec.rootCertificatePem(), other, CONFIG, CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is for spiffe://" + TD + ", not this CA's trust domain " + other);
  }

  @Test
  void unsupportedRootKeyIsRefused() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", Jca.provider());
    generator.initialize(new ECGenParameterSpec("secp521r1"));
    KeyPair keys = generator.generateKeyPair();
    X509Certificate p521 = TestCertificates.root(TD).subject("CN=P-521").keyPair(keys).build()
        .certificate();
    assertThatThrownBy(() -> BuiltInCaProvider.load(pkcs8(keys.getPrivate()),
        Certificates.toPem(p521), TRUST_DOMAIN, CONFIG, CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has an unsupported EC P-521 key");
  }

  @Test
  void garbagePemIsRefusedWithConsulsWords() {
    assertThatThrownBy(() -> BuiltInCaProvider.load("not a key", ec.rootCertificatePem(),
        TRUST_DOMAIN, CONFIG, CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("private key: no PEM-encoded data found");
    assertThatThrownBy(() -> BuiltInCaProvider.load(ec.exportPrivateKeyPkcs8Pem(), "garbage",
        TRUST_DOMAIN, CONFIG, CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("root certificate: no PEM-encoded data found");
  }

  @Test
  void certificatePemInPlaceOfTheKeyIsRefused() {
    assertThatThrownBy(() -> BuiltInCaProvider.load(ec.rootCertificatePem(),
        ec.rootCertificatePem(), TRUST_DOMAIN, CONFIG, CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("private key: expected a PKCS#1, SEC1 or PKCS#8 private key in PEM,"
            + " found X509CertificateHolder");
  }

  @Test
  void chainInPlaceOfTheRootIsRefused() {
    String chain = ec.rootCertificatePem() + rsa.rootCertificatePem();
    assertThatThrownBy(() -> BuiltInCaProvider.load(ec.exportPrivateKeyPkcs8Pem(), chain,
        TRUST_DOMAIN, CONFIG, CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("root certificate: expected one certificate in PEM, found 2");
  }

  @Test
  void encryptedKeyIsRefused() throws Exception {
    PrivateKey key = parse(ec.exportPrivateKeyPkcs8Pem());
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(new JcaPKCS8Generator(key,
          new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
              .setProvider(Jca.provider()).setPassword("secret".toCharArray()).build()));
    }
    assertThat(out.toString()).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
    assertThatThrownBy(() -> BuiltInCaProvider.load(out.toString(), ec.rootCertificatePem(),
        TRUST_DOMAIN, CONFIG, CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("private key: encrypted keys are not supported");
  }

  private static void assertSignsVerifiableLeaves(BuiltInCaProvider provider) {
    X509Certificate leaf = provider.sign(CertificateRequest.validate(
        LeafRequests.csrPem(ServiceId.of(TD, "dc1", "web"), LeafRequests.newKeyPair()),
        TRUST_DOMAIN, "dc1", CONFIG));
    ProfileAssertions.assertLeafProfile(leaf, provider.rootCertificate(),
        "spiffe://" + TD + "/ns/default/dc/dc1/svc/web", "web.svc.default.7f3c9a1e.consul",
        CONFIG.leafCertTtl());
  }

  /** Re-writes a PKCS#8 key the way JcaPEMWriter writes keys: SEC1 for EC, PKCS#1 for RSA. */
  private static String traditionalPem(String pkcs8) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(parse(pkcs8));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    return out.toString();
  }

  private static String pkcs8(PrivateKey key) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(new JcaPKCS8Generator(key, null));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    return out.toString();
  }

  private static PrivateKey parse(String pkcs8) {
    try (PEMParser parser = new PEMParser(new StringReader(pkcs8))) {
      return new JcaPEMKeyConverter().setProvider(Jca.provider())
          .getPrivateKey((PrivateKeyInfo) parser.readObject());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void openssl(Path dir, String... args) {
    OpenSsl.Result result = OpenSsl.run(dir, args);
    assertThat(result.exitCode()).as(String.join(" ", args) + "\n" + result.output()).isZero();
  }

  private static String read(Path dir, String file) throws java.io.IOException {
    return Files.readString(dir.resolve(file));
  }
}
