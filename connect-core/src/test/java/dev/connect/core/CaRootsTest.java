package dev.connect.core;

import static dev.connect.core.Samples.TRUST_DOMAIN_A;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CaRootsTest {
  private static final String INITIAL_ID =
      "02:65:fb:55:93:cb:f8:7d:66:7f:45:b0:5b:b1:39:04:a7:48:26:32";
  private static final String ROTATED_ID =
      "46:32:9c:4f:6f:1d:70:8c:ba:40:3f:0c:43:ab:2b:bb:89:e1:4b:87";

  /** Returns a root made from a recorded PEM file, its ID computed as Consul does. */
  static CaRoot root(String pemFile, boolean active, List<X509Certificate> intermediates) {
    X509Certificate certificate = Certificates.parsePem(Samples.text(pemFile)).get(0);
    return new CaRoot(Certificates.sha1Fingerprint(certificate), "Consul CA Root Cert",
        certificate.getSerialNumber(), "b9:c4", "5f7a0ac5-b175-3daf-ea2e-20ddcc74d1c0",
        certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant(),
        certificate, intermediates, active, KeyType.EC, 256, Optional.empty(), 9, 9);
  }

  static CaRoot root(String pemFile, boolean active) {
    return root(pemFile, active, List.of());
  }

  /** Returns a root as recorded in a roots response, from its PEM text. */
  static CaRoot root(Samples.RecordedRoot r) {
    X509Certificate certificate = Certificates.parseOnePem(r.rootCertPem());
    List<X509Certificate> intermediates = new ArrayList<>();
    for (String pem : r.intermediatePems()) {
      intermediates.addAll(Certificates.parsePem(pem));
    }
    return new CaRoot(r.id(), "Consul CA Root Cert", certificate.getSerialNumber(),
        r.signingKeyId(), r.externalTrustDomain(), certificate.getNotBefore().toInstant(),
        certificate.getNotAfter().toInstant(), certificate, intermediates, r.active(),
        KeyType.fromWireName(r.privateKeyType()), r.privateKeyBits(), Optional.empty(),
        r.createIndex(), r.modifyIndex());
  }

  @Test
  void oneActiveRoot() {
    CaRoot initial = root("root-initial-0.crt.pem", true);

    CaRoots roots = new CaRoots(TRUST_DOMAIN_A, INITIAL_ID, List.of(initial));

    assertThat(initial.id()).isEqualTo(INITIAL_ID);
    assertThat(roots.active()).isSameAs(initial);
    assertThat(roots.certificates()).containsExactly(initial.certificate());
    assertThat(roots.trustDomain()).isEqualTo(TRUST_DOMAIN_A);
  }

  @Test
  void afterRotationTheNewRootIsActiveAndTheOldOneStillTrusted() {
    CaRoot old = root("ca-rotation-1-root-old.crt.pem", false);
    CaRoot active = root("ca-rotation-1-root-active.crt.pem", true,
        Samples.certificates("ca-rotation-1-root-active-crosssigned-0.crt.pem"));

    CaRoots roots = new CaRoots(TRUST_DOMAIN_A, ROTATED_ID, List.of(old, active));

    assertThat(roots.active()).isSameAs(active);
    assertThat(roots.active().id()).isEqualTo(ROTATED_ID)
        .isEqualTo(Samples.activeRootId("ca-rotation-1-roots-after.json"));
    assertThat(roots.certificates()).containsExactly(old.certificate(), active.certificate());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"agent-ca-roots.json", "connect-ca-roots.json",
      "ca-rotation-1-roots-after.json", "ca-rotation-2-roots-after.json",
      "nondev-connect-ca-roots.json", "nondev-rsa-agent-ca-roots.json"})
  void recordedRootsResponsesAreValid(String jsonFile) {
    List<Samples.RecordedRoot> recorded = Samples.roots(jsonFile);
    List<CaRoot> list = recorded.stream().map(CaRootsTest::root).toList();

    CaRoots roots = new CaRoots(Samples.rootsTrustDomain(jsonFile),
        Samples.activeRootId(jsonFile), list);

    assertThat(roots.active().id()).isEqualTo(Samples.activeRootId(jsonFile));
    assertThat(roots.roots()).hasSameSizeAs(recorded);
    for (int i = 0; i < recorded.size(); i++) {
      Samples.RecordedRoot r = recorded.get(i);
      CaRoot root = roots.roots().get(i);
      // What our record gives back is what Consul put on the wire.
      assertThat(root.rootCertPem()).isEqualTo(r.rootCertPem());
      assertThat(root.intermediateCertPems()).isEqualTo(r.intermediatePems());
      assertThat(root.serialNumberLow64()).isEqualTo(r.serialNumber());
      assertThat(root.id()).isEqualTo(Certificates.sha1Fingerprint(root.certificate()));
      assertThat(SpiffeId.fromCertificate(root.certificate()))
          .isEqualTo(SpiffeId.of(roots.trustDomain()));
    }
  }

  @Test
  void serialNumberLow64OfRecorded160BitSerial() {
    CaRoot userSupplied = root("ca-user-supplied-root.crt.pem", true);

    assertThat(userSupplied.serialNumber().bitLength()).isGreaterThan(64);
    // SerialNumber of this root in ca-rotation-1-roots-after.json.
    assertThat(userSupplied.serialNumberLow64()).isEqualTo(8348323757982645770L);
  }

  @Test
  void noActiveRootIsRejected() {
    CaRoot old = root("root-initial-0.crt.pem", false);

    assertThatIllegalArgumentException()
        .isThrownBy(() -> new CaRoots(TRUST_DOMAIN_A, INITIAL_ID, List.of(old)))
        .withMessage("there must be exactly one active CA root, found 0");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new CaRoots(TRUST_DOMAIN_A, INITIAL_ID, List.of()))
        .withMessage("there must be exactly one active CA root, found 0");
  }

  @Test
  void twoActiveRootsAreRejected() {
    CaRoot a = root("root-initial-0.crt.pem", true);
    CaRoot b = root("ca-rotation-1-root-active.crt.pem", true);

    assertThatIllegalArgumentException()
        .isThrownBy(() -> new CaRoots(TRUST_DOMAIN_A, ROTATED_ID, List.of(a, b)))
        .withMessage("there must be exactly one active CA root, found 2");
  }

  @Test
  void activeRootIdMustNameTheActiveRoot() {
    CaRoot old = root("ca-rotation-1-root-old.crt.pem", false);
    CaRoot active = root("ca-rotation-1-root-active.crt.pem", true);

    // The old root's ID, as a client that missed the rotation would send it.
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new CaRoots(TRUST_DOMAIN_A, INITIAL_ID, List.of(old, active)))
        .withMessage("activeRootId " + INITIAL_ID + " is not the active root " + ROTATED_ID);
  }

  @Test
  void rootsAreCopied() {
    List<CaRoot> list = new ArrayList<>(List.of(root("root-initial-0.crt.pem", true)));
    CaRoots roots = new CaRoots(TRUST_DOMAIN_A, INITIAL_ID, list);

    list.add(root("ca-rotation-1-root-active.crt.pem", true));

    assertThat(roots.roots()).hasSize(1);
    assertThatThrownByUnsupported(() -> roots.roots().clear());
  }

  @Test
  void nullsAreRejectedByName() {
    CaRoot initial = root("root-initial-0.crt.pem", true);

    assertThatNullPointerException().isThrownBy(() -> new CaRoots(TRUST_DOMAIN_A, INITIAL_ID,
        null)).withMessage("roots");
    assertThatNullPointerException().isThrownBy(() -> new CaRoots(null, INITIAL_ID,
        List.of(initial))).withMessage("trustDomain");
    assertThatNullPointerException().isThrownBy(() -> new CaRoots(TRUST_DOMAIN_A, null,
        List.of(initial))).withMessage("activeRootId");
    assertThatNullPointerException()
        .isThrownBy(() -> root("root-initial-0.crt.pem", true, null))
        .withMessage("intermediates");
  }

  @Test
  void caRootChecksKeyBitsAndCopiesIntermediates() {
    CaRoot valid = root("ca-rotation-1-root-active.crt.pem", true,
        new ArrayList<>(Samples.certificates("ca-rotation-1-root-active-crosssigned-0.crt.pem")));

    assertThatIllegalArgumentException().isThrownBy(() -> new CaRoot(valid.id(), valid.name(),
        valid.serialNumber(), valid.signingKeyId(), valid.externalTrustDomain(),
        valid.notBefore(), valid.notAfter(), valid.certificate(), valid.intermediates(), true,
        KeyType.EC, 0, Optional.empty(), 1, 1))
        .withMessage("privateKeyBits must be positive: 0");
    assertThatThrownByUnsupported(() -> valid.intermediates().clear());
    assertThat(valid.intermediateCertPems()).containsExactly(
        Samples.text("ca-rotation-1-root-active-crosssigned-0.crt.pem"));
  }

  @Test
  void caRootToStringIsOneLineWithoutCertificate() {
    CaRoot initial = root("root-initial-0.crt.pem", true);

    assertThat(initial.toString()).isEqualTo("CaRoot[id=" + INITIAL_ID
        + ", name=Consul CA Root Cert, active=true, notBefore=2026-11-27T08:24:43Z,"
        + " notAfter=2036-11-27T08:24:43Z]");
  }

  private static void assertThatThrownByUnsupported(Runnable mutation) {
    org.assertj.core.api.Assertions.assertThatExceptionOfType(
        UnsupportedOperationException.class).isThrownBy(mutation::run);
  }
}
