package dev.connect.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests of {@link Certificates}, against what Consul recorded for the same certificates. */
class CertificatesTest {
  private static final String INITIAL_ID =
      "02:65:fb:55:93:cb:f8:7d:66:7f:45:b0:5b:b1:39:04:a7:48:26:32";

  @Test
  void colonHexIsLowerCaseWithColons() {
    assertThat(Certificates.colonHex(new byte[] {0x1f, (byte) 0x91, (byte) 0xca}))
        .isEqualTo("1f:91:ca");
    assertThat(Certificates.colonHex(new byte[] {0})).isEqualTo("00");
    assertThat(Certificates.colonHex(new byte[] {(byte) 0xff, 0x0a})).isEqualTo("ff:0a");
    assertThat(Certificates.colonHex(new byte[0])).isEmpty();
  }

  @Test
  void sha1FingerprintOfInitialRootIsItsRecordedId() {
    X509Certificate root = Samples.certificate("root-initial-0.crt.pem");

    String fingerprint = Certificates.sha1Fingerprint(root);

    assertThat(fingerprint).isEqualTo(INITIAL_ID);
    assertThat(Samples.activeRootId("agent-ca-roots.json")).isEqualTo(fingerprint);
    assertThat(Samples.roots("agent-ca-roots.json")).extracting(Samples.RecordedRoot::id)
        .containsExactly(fingerprint);
    assertThat(Samples.activeRootId("connect-ca-roots.json")).isEqualTo(fingerprint);
    assertThat(Samples.roots("connect-ca-roots.json")).extracting(Samples.RecordedRoot::id)
        .containsExactly(fingerprint);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "root-initial-0.crt.pem,            agent-ca-roots.json",
      "ca-rotation-1-root-old.crt.pem,    ca-rotation-1-roots-after.json",
      "ca-rotation-1-root-active.crt.pem, ca-rotation-1-roots-after.json",
      "ca-user-supplied-root.crt.pem,     ca-rotation-1-roots-after.json",
      "ca-rotation-2-root-active.crt.pem, ca-rotation-2-roots-after.json",
      "nondev-rsa-root.crt.pem,           nondev-connect-ca-roots.json",
  })
  void sha1FingerprintOfEveryRecordedRootIsItsId(String pemFile, String rootsJson) {
    X509Certificate root = Samples.certificate(pemFile);

    String id = Certificates.sha1Fingerprint(root);

    Samples.RecordedRoot recorded = Samples.roots(rootsJson).stream()
        .filter(r -> r.id().equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError(id + " is not a root ID in " + rootsJson));
    assertThat(Certificates.parseOnePem(recorded.rootCertPem())).isEqualTo(root);
    assertThat(recorded.serialNumber()).isEqualTo(root.getSerialNumber().longValue());
    // Each recorded root signs its own leaves (no intermediates in a primary datacenter).
    assertThat(recorded.signingKeyId()).isEqualTo(Certificates.colonHex(subjectKeyId(root)));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"agent-ca-roots.json", "connect-ca-roots.json",
      "ca-rotation-1-roots-after.json", "ca-rotation-2-roots-after.json",
      "nondev-connect-ca-roots.json"})
  void everyRecordedRootIdIsTheFingerprintOfItsRootCert(String rootsJson) {
    for (Samples.RecordedRoot r : Samples.roots(rootsJson)) {
      X509Certificate root = Certificates.parseOnePem(r.rootCertPem());
      assertThat(Certificates.sha1Fingerprint(root)).as(r.id()).isEqualTo(r.id());
    }
  }

  @Test
  void sha256FingerprintMatchesOpenssl() {
    // openssl x509 -in root-initial-0.crt.pem -noout -fingerprint -sha256
    assertThat(Certificates.sha256Fingerprint(Samples.certificate("root-initial-0.crt.pem")))
        .isEqualTo("a9:e2:8c:0f:43:2b:39:77:1c:73:0e:63:51:ce:c8:18:"
            + "df:77:d8:51:6a:d2:67:54:27:0e:f5:2a:12:be:0b:6d");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "1, 01",
      "8, 08",
      "11, 0b",
      "127, 7f",
      "128, 80",
      "255, ff",
      "256, 01:00",
      "8348323757982645770, 73:db:34:3a:00:82:7e:0a",
  })
  void serialHexIsColonHexOfTheMagnitude(BigInteger serial, String hex) {
    assertThat(Certificates.serialHex(serial)).isEqualTo(hex);
  }

  @Test
  void serialHexOf160BitSerialHasNoLeadingZeroByte() {
    BigInteger topBitSet = BigInteger.ONE.shiftLeft(159).add(BigInteger.valueOf(0x2a));
    assertThat(topBitSet.toByteArray()).hasSize(21); // Java adds a sign byte

    String hex = Certificates.serialHex(topBitSet);

    assertThat(hex).startsWith("80:00:").endsWith(":2a").doesNotStartWith("00");
    assertThat(hex.split(":")).hasSize(20);
  }

  @Test
  void serialHexOfRecorded160BitRootMatchesOpenssl() {
    X509Certificate root = Samples.certificate("ca-rotation-1-root-active.crt.pem");

    // As printed in ca-rotation-1-root-active.txt.
    assertThat(Certificates.serialHex(root.getSerialNumber()))
        .isEqualTo("26:97:9a:cf:90:5b:8f:23:d3:21:2c:72:73:db:34:3a:00:82:7e:0a");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "leaf-web.crt.pem,               agent-ca-leaf-web.json",
      "ca-rotation-1-leaf-web.crt.pem, ca-rotation-1-leaf-web-after.json",
      "leaf-db.crt.pem,                agent-ca-leaf-db.json",
  })
  void serialHexOfRecordedLeafIsConsulsSerialNumber(String pemFile, String leafJson) {
    X509Certificate leaf = Samples.certificate(pemFile);

    assertThat(Certificates.serialHex(leaf.getSerialNumber()))
        .isEqualTo(Samples.jsonString(leafJson, "SerialNumber"));
  }

  @Test
  void serialHexOfNegativeSerialIsItsMagnitude() {
    assertThat(Certificates.serialHex(BigInteger.valueOf(-1))).isEqualTo("01");
    assertThat(Certificates.serialHex(BigInteger.valueOf(-256))).isEqualTo("01:00");
  }

  @Test
  void toPemWritesWhatConsulWrites() {
    X509Certificate root = Samples.certificate("root-initial-0.crt.pem");

    String pem = Certificates.toPem(root);

    assertThat(pem).isEqualTo(Samples.text("root-initial-0.crt.pem"))
        .startsWith("-----BEGIN CERTIFICATE-----\n").endsWith("-----END CERTIFICATE-----\n");
    assertThat(pem.lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(64));
    assertThat(Certificates.parseOnePem(pem)).isEqualTo(root);
  }

  @Test
  void toPemOfChainConcatenatesBlocks() {
    List<X509Certificate> chain = Samples.certificates("ca-rotation-1-leaf-web.crt.pem");

    assertThat(chain).hasSize(2);
    assertThat(Certificates.toPem(chain)).isEqualTo(Samples.text("ca-rotation-1-leaf-web.crt.pem"));
  }

  @Test
  void derIsTheDecodedPemBody() {
    String pem = Samples.text("leaf-web.crt.pem");
    String body = pem.replace("-----BEGIN CERTIFICATE-----", "")
        .replace("-----END CERTIFICATE-----", "").replace("\n", "");

    byte[] der = Certificates.der(Samples.certificate("leaf-web.crt.pem"));

    assertThat(der).isEqualTo(Base64.getDecoder().decode(body));
  }

  @Test
  void parsePemReadsEveryCertificateAndParseOnePemOnlyOne() {
    String chain = Samples.text("ca-rotation-1-leaf-web.crt.pem");

    assertThat(Certificates.parsePem(chain)).hasSize(2);
    assertThatIllegalArgumentException().isThrownBy(() -> Certificates.parseOnePem(chain))
        .withMessage("expected one certificate in PEM, found 2");
    assertThat(Certificates.parsePem(Samples.text("leaf-web.crt.pem"))).hasSize(1);
  }

  @Test
  void parsePemRejectsTextWithoutCertificates() {
    assertThatIllegalArgumentException().isThrownBy(() -> Certificates.parsePem(""))
        .withMessage("no PEM-encoded certificate found");
    assertThatIllegalArgumentException().isThrownBy(() -> Certificates.parsePem("not a pem"))
        .withMessageStartingWith("malformed certificate PEM: ");
    String pem = Samples.text("leaf-web.crt.pem");
    String truncated = pem.substring(0, pem.length() / 2) + "\n-----END CERTIFICATE-----\n";
    assertThatIllegalArgumentException().isThrownBy(() -> Certificates.parsePem(truncated))
        .withMessageStartingWith("malformed certificate PEM: ");
    assertThatNullPointerException().isThrownBy(() -> Certificates.parsePem(null))
        .withMessage("pem");
  }

  @Test
  void malformedPemIsExplainedWithoutJavaClassNames() {
    // HttpFuzzTest seed 26033230649331: a CA configuration whose root PEM had a byte turned to
    // '?' was answered "... java.io.IOException: java.lang.IllegalArgumentException: Illegal
    // base64 character 3f".
    String pem = Samples.text("leaf-web.crt.pem");
    int at = pem.indexOf('\n', pem.indexOf("BEGIN CERTIFICATE")) + 10;
    String bad = pem.substring(0, at) + "?" + pem.substring(at + 1);
    assertThatIllegalArgumentException().isThrownBy(() -> Certificates.parsePem(bad))
        .withMessage("malformed certificate PEM: Illegal base64 character 3f");
  }

  /** Returns the key identifier in the subject key identifier extension. */
  private static byte[] subjectKeyId(X509Certificate certificate) {
    // OCTET STRING (extension value) { OCTET STRING (key identifier) }, both short-form here.
    byte[] ext = certificate.getExtensionValue("2.5.29.14");
    assertThat(ext[0]).isEqualTo((byte) 0x04);
    assertThat(ext[2]).isEqualTo((byte) 0x04);
    assertThat(ext[3] & 0xff).isEqualTo(ext.length - 4);
    return Arrays.copyOfRange(ext, 4, ext.length);
  }

  @Test
  void subjectKeyIdHelperReadsTheRecordedValue() {
    // ca-rotation-1-root-active.txt: X509v3 Subject Key Identifier F0:B3:B0:C9:...:73:C6.
    byte[] ski = subjectKeyId(Samples.certificate("ca-rotation-1-root-active.crt.pem"));

    assertThat(HexFormat.of().formatHex(ski))
        .isEqualTo("f0b3b0c99c3ba156c188bef229ba26944cd973c6");
  }
}
