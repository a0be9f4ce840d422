package dev.connect.ca;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.core.ServiceId;
import dev.connect.core.SigningId;
import dev.connect.core.Certificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What the real {@code openssl} command line makes of our certificates and requests. */
class OpenSslInteropTest {
  static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  /** openssl checks validity at this time, an hour after the CA's clock. */
  static final String AT = Long.toString(NOW.plus(Duration.ofHours(1)).getEpochSecond());
  static final String TD = "7f3c9a1e-0b5d-4c2e-9f13-2a6b8c4d1e70.consul";
  static final SigningId TRUST_DOMAIN = SigningId.of(TD);
  static final ServiceId WEB = ServiceId.of(TD, "dc1", "web");

  static BuiltInCaProvider oldCa;
  static BuiltInCaProvider newCa;

  @TempDir
  Path dir;

  @BeforeAll
  static void makeCas() {
    oldCa = BuiltInCaProvider.generate(TRUST_DOMAIN, CaConfiguration.defaults(), CLOCK);
    newCa = BuiltInCaProvider.generate(TRUST_DOMAIN, CaConfiguration.defaults(), CLOCK);
  }

  @BeforeEach
  void needsOpenSsl() {
    OpenSsl.assumeAvailable();
  }

  @ParameterizedTest
  @EnumSource(value = CaKeySpec.class, names = {"EC_P256", "EC_P384", "RSA_2048"})
  void leafVerifiesAgainstItsRootForTlsClientsAndServers(CaKeySpec spec) throws IOException {
    BuiltInCaProvider ca = spec == CaKeySpec.EC_P256 ? oldCa : BuiltInCaProvider.generate(
        TRUST_DOMAIN, CaConfiguration.builder().keySpec(spec).build(), CLOCK);
    write("root.pem", ca.rootCertificate());
    write("leaf.pem", leaf(ca));
    for (String purpose : List.of("sslclient", "sslserver")) {
      OpenSsl.Result result = OpenSsl.run(dir, "verify", "-x509_strict", "-attime", AT,
          "-purpose", purpose, "-CAfile", "root.pem", "leaf.pem");
      assertThat(result.output()).as(purpose).isEqualTo("leaf.pem: OK\n");
      assertThat(result.exitCode()).isZero();
    }
  }

  @Test
  void afterCrossSigningANewLeafVerifiesAgainstTheOldRootOnlyThroughTheCrossSignedRoot()
      throws IOException {
    write("old-root.pem", oldCa.rootCertificate());
    write("new-root.pem", newCa.rootCertificate());
    write("cross.pem", oldCa.crossSign(newCa.rootCertificate()));
    write("leaf.pem", leaf(newCa));

    OpenSsl.Result viaCross = OpenSsl.run(dir, "verify", "-attime", AT, "-CAfile", "old-root.pem",
        "-untrusted", "cross.pem", "leaf.pem");
    assertThat(viaCross.output()).isEqualTo("leaf.pem: OK\n");
    assertThat(viaCross.exitCode()).isZero();

    OpenSsl.Result withoutCross =
        OpenSsl.run(dir, "verify", "-attime", AT, "-CAfile", "old-root.pem", "leaf.pem");
    assertThat(withoutCross.exitCode()).isNotZero();
    assertThat(withoutCross.output()).contains("unable to get local issuer certificate");

    OpenSsl.Result direct =
        OpenSsl.run(dir, "verify", "-attime", AT, "-CAfile", "new-root.pem", "leaf.pem");
    assertThat(direct.output()).isEqualTo("leaf.pem: OK\n");

    OpenSsl.Result cross =
        OpenSsl.run(dir, "verify", "-attime", AT, "-CAfile", "old-root.pem", "cross.pem");
    assertThat(cross.output()).isEqualTo("cross.pem: OK\n");
  }

  @Test
  void opensslShowsTheLeafFieldsConsulWrites() throws IOException {
    write("leaf.pem", leaf(oldCa));
    String text = text("leaf.pem");
    assertThat(text)
        .contains("Subject: CN = web.svc.default.7f3c9a1e.consul")
        .contains("Issuer: " + opensslName(oldCa.rootCertificate()))
        .contains("URI:" + WEB)
        .contains("CA:FALSE")
        .contains("TLS Web Client Authentication, TLS Web Server Authentication")
        .contains("Digital Signature, Key Encipherment, Data Encipherment, Key Agreement")
        .contains("Signature Algorithm: ecdsa-with-SHA256")
        .doesNotContain("DNS:")
        .doesNotContain("IP Address:");
    assertSameExtensionLayout(text, ConsulSamples.read("leaf-web.txt"));
  }

  @Test
  void opensslShowsTheSameRootAndCrossSignedLayoutAsConsuls() throws IOException {
    write("root.pem", oldCa.rootCertificate());
    write("cross.pem", oldCa.crossSign(newCa.rootCertificate()));
    assertSameExtensionLayout(text("root.pem"), ConsulSamples.read("root-initial-0.txt"));
    assertSameExtensionLayout(text("cross.pem"),
        ConsulSamples.read("ca-rotation-1-root-active-crosssigned-0.txt"));
  }

  @Test
  void opensslMadeEcCsrIsValidatedAndSigned() throws IOException {
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "key.pem", "-out", "csr.pem", "-subj", "/",
        "-addext", "subjectAltName=URI:" + WEB);
    signAndVerify();
  }

  @Test
  void opensslMadeRsaCsrWithASubjectIsValidatedAndSigned() throws IOException {
    openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem",
        "-out", "csr.pem", "-subj", "/CN=whatever the client asks",
        "-addext", "subjectAltName=URI:" + WEB + ",DNS:web.local");
    X509Certificate leaf = signAndVerify();
    assertThat(leaf.getSubjectX500Principal().getName())
        .isEqualTo("CN=web.svc.default.7f3c9a1e.consul");
    assertThat(ProfileAssertions.allSans(leaf)).hasSize(1);
  }

  @Test
  void opensslAcceptsTheSelfSignatureOfOurCsr() throws IOException {
    Files.writeString(dir.resolve("csr.pem"),
        LeafRequests.csrPem(WEB, LeafRequests.newKeyPair()));
    OpenSsl.Result result = OpenSsl.run(dir, "req", "-in", "csr.pem", "-verify", "-noout");
    assertThat(result.exitCode()).isZero();
    assertThat(result.output()).contains("verify OK");
  }

  private X509Certificate signAndVerify() throws IOException {
    CertificateRequest request = CertificateRequest.validate(
        Files.readString(dir.resolve("csr.pem")), TRUST_DOMAIN, "dc1", CaConfiguration.defaults());
    assertThat(request.serviceId()).isEqualTo(WEB);
    X509Certificate leaf = oldCa.sign(request);
    write("root.pem", oldCa.rootCertificate());
    write("leaf.pem", leaf);
    OpenSsl.Result result =
        OpenSsl.run(dir, "verify", "-attime", AT, "-CAfile", "root.pem", "leaf.pem");
    assertThat(result.output()).isEqualTo("leaf.pem: OK\n");
    // The certified key is the one openssl made.
    OpenSsl.Result keyPub = OpenSsl.run(dir, "pkey", "-in", "key.pem", "-pubout");
    OpenSsl.Result certPub = OpenSsl.run(dir, "x509", "-in", "leaf.pem", "-pubkey", "-noout");
    assertThat(certPub.output()).isEqualTo(keyPub.output());
    return leaf;
  }

  /** The X509v3 extension headers (with criticality) in order, and the usage values. */
  private static void assertSameExtensionLayout(String ours, String consuls) {
    assertThat(extensionLayout(ours)).isEqualTo(extensionLayout(consuls));
  }

  private static Map<String, String> extensionLayout(String text) {
    Map<String, String> layout = new LinkedHashMap<>();
    List<String> lines = new ArrayList<>(text.lines().map(String::trim).toList());
    for (int i = 0; i < lines.size() - 1; i++) {
      String line = lines.get(i);
      if (line.startsWith("X509v3 ") && !line.startsWith("X509v3 extensions")) {
        boolean keyId = line.contains("Key Identifier") || line.contains("Alternative Name");
        layout.put(line, keyId ? "(value differs)" : lines.get(i + 1));
      }
    }
    assertThat(layout).isNotEmpty();
    return layout;
  }

  private static String opensslName(X509Certificate certificate) {
    return certificate.getSubjectX500Principal().getName().replace("CN=", "CN = ");
  }

  private X509Certificate leaf(BuiltInCaProvider ca) {
    return ca.sign(CertificateRequest.validate(LeafRequests.csrPem(WEB,
        LeafRequests.newKeyPair()), TRUST_DOMAIN, "dc1", CaConfiguration.defaults()));
  }

  private String text(String file) {
    OpenSsl.Result result = OpenSsl.run(dir, "x509", "-in", file, "-text", "-noout");
    assertThat(result.exitCode()).isZero();
    return result.output();
  }

  private void openssl(String... args) {
    OpenSsl.Result result = OpenSsl.run(dir, args);
    assertThat(result.exitCode()).as(String.join(" ", args) + "\n" + result.output()).isZero();
  }

  private void write(String file, X509Certificate certificate) throws IOException {
    Files.writeString(dir.resolve(file), Certificates.toPem(certificate));
  }
}
