package dev.connect.core;

import static dev.connect.core.Samples.TRUST_DOMAIN_A;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IssuedCertificateTest {
  private static final String LEAF_JSON = "ca-rotation-1-leaf-web-after.json";

  private static IssuedCertificate recordedAfterRotation() {
    List<X509Certificate> chain = Samples.certificates("ca-rotation-1-leaf-web.crt.pem");
    return new IssuedCertificate(chain.get(0), chain.subList(1, chain.size()),
        ServiceId.parse(SpiffeId.fromCertificate(chain.get(0)).toString()), 74, 74);
  }

  @Test
  void reportsWhatConsulReportedForTheLeaf() {
    IssuedCertificate issued = recordedAfterRotation();

    assertThat(issued.serialNumberHex()).isEqualTo(Samples.jsonString(LEAF_JSON, "SerialNumber"))
        .isEqualTo("10");
    assertThat(issued.service()).isEqualTo(ServiceId.of(TRUST_DOMAIN_A, "dc1", "web"));
    assertThat(issued.service().toString())
        .isEqualTo(Samples.jsonString(LEAF_JSON, "ServiceURI"));
    assertThat(issued.validAfter())
        .isEqualTo(Instant.parse(Samples.jsonString(LEAF_JSON, "ValidAfter")));
    assertThat(issued.validBefore())
        .isEqualTo(Instant.parse(Samples.jsonString(LEAF_JSON, "ValidBefore")));
    assertThat(issued.certPem()).isEqualTo(Samples.jsonString(LEAF_JSON, "CertPEM"));
  }

  @Test
  void chainIsLeafThenIntermediates() {
    IssuedCertificate issued = recordedAfterRotation();

    assertThat(issued.chain()).containsExactlyElementsOf(
        Samples.certificates("ca-rotation-1-leaf-web.crt.pem"));
    assertThat(issued.chain().get(1)).isEqualTo(
        Samples.certificate("ca-rotation-1-root-active-crosssigned-0.crt.pem"));
    assertThatExceptionOfType(UnsupportedOperationException.class)
        .isThrownBy(() -> issued.chain().clear());
  }

  @Test
  void intermediatesAreCopied() {
    List<X509Certificate> intermediates = new ArrayList<>();
    X509Certificate leaf = Samples.certificate("leaf-web.crt.pem");
    IssuedCertificate issued = new IssuedCertificate(leaf, intermediates,
        ServiceId.of(TRUST_DOMAIN_A, "dc1", "web"), 32, 32);

    intermediates.add(leaf);

    assertThat(issued.intermediates()).isEmpty();
    assertThat(issued.certPem()).isEqualTo(Samples.text("leaf-web.crt.pem"));
    assertThat(issued.serialNumberHex()).isEqualTo("0b");
  }

  @Test
  void toStringNamesServiceSerialAndValidity() {
    assertThat(recordedAfterRotation().toString()).isEqualTo("IssuedCertificate[spiffe://"
        + TRUST_DOMAIN_A + "/ns/default/dc/dc1/svc/web, serial=10,"
        + " validAfter=2026-11-27T08:25:30Z, validBefore=2026-11-30T08:25:30Z]");
  }

  @Test
  void nullsAreRejectedByName() {
    X509Certificate leaf = Samples.certificate("leaf-web.crt.pem");
    ServiceId web = ServiceId.of(TRUST_DOMAIN_A, "dc1", "web");

    assertThatNullPointerException().isThrownBy(() -> new IssuedCertificate(null, List.of(),
        web, 1, 1)).withMessage("certificate");
    assertThatNullPointerException().isThrownBy(() -> new IssuedCertificate(leaf, null,
        web, 1, 1)).withMessage("intermediates");
    assertThatNullPointerException().isThrownBy(() -> new IssuedCertificate(leaf, List.of(),
        null, 1, 1)).withMessage("service");
  }
}
