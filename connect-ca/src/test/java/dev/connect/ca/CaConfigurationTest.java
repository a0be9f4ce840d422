package dev.connect.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.ca.internal.Jca;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CaConfigurationTest {
  @Test
  void defaultsAreConsuls() {
    CaConfiguration config = CaConfiguration.defaults();
    assertThat(config.leafCertTtl()).isEqualTo(Duration.ofHours(72));
    assertThat(config.intermediateCertTtl()).isEqualTo(Duration.ofHours(8760));
    assertThat(config.rootCertTtl()).isEqualTo(Duration.ofHours(87600));
    assertThat(config.keySpec()).isEqualTo(CaKeySpec.EC_P256);
    assertThat(config.csrMaxPerSecond()).isEqualTo(50.0);
    assertThat(config.csrMaxConcurrent()).isZero();
    assertThat(config).isEqualTo(CaConfiguration.builder().build());
    assertThat(config.toString()).isEqualTo("CaConfiguration[leafCertTtl=72h0m0s,"
        + " intermediateCertTtl=8760h0m0s, rootCertTtl=87600h0m0s, keySpec=EC_P256,"
        + " csrMaxPerSecond=50.0, csrMaxConcurrent=0]");
  }

  @Test
  void presetsPickTheKeySpec() {
    assertThat(CaConfiguration.builder().rsa2048().build().keySpec())
        .isEqualTo(CaKeySpec.RSA_2048);
    assertThat(CaConfiguration.builder().rsa4096().build().keySpec())
        .isEqualTo(CaKeySpec.RSA_4096);
    assertThat(CaConfiguration.builder().ecP384().build().keySpec())
        .isEqualTo(CaKeySpec.EC_P384);
    assertThat(CaConfiguration.builder().ecP256().build().keySpec())
        .isEqualTo(CaKeySpec.EC_P256);
  }

  @Test
  void toBuilderKeepsEverySettingAndEqualsComparesThem() {
    CaConfiguration config = CaConfiguration.builder().leafCertTtl(Duration.ofHours(24))
        .intermediateCertTtl(Duration.ofHours(100)).rootCertTtl(Duration.ofHours(1000))
        .rsa4096().csrMaxPerSecond(0).csrMaxConcurrent(4).build();
    assertThat(config.toBuilder().build()).isEqualTo(config).hasSameHashCodeAs(config);
    assertThat(config.toBuilder().csrMaxConcurrent(5).build()).isNotEqualTo(config);
    assertThat(config.csrMaxConcurrent()).isEqualTo(4);
  }

  @Test
  void leafTtlBelowOneHour() {
    assertThatThrownBy(() -> CaConfiguration.builder().leafCertTtl(Duration.ofMinutes(30)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("leaf cert TTL must be greater or equal than 1h0m0s: 30m0s");
  }

  @Test
  void leafTtlAboveOneYear() {
    assertThatThrownBy(() -> CaConfiguration.builder().leafCertTtl(Duration.ofHours(8761))
        .intermediateCertTtl(Duration.ofHours(30000)).rootCertTtl(Duration.ofHours(30000))
        .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("leaf cert TTL must be less than 8760h0m0s: 8761h0m0s");
  }

  @Test
  void leafTtlBoundsAreInclusive() {
    assertThat(CaConfiguration.builder().leafCertTtl(Duration.ofHours(1)).build().leafCertTtl())
        .isEqualTo(Duration.ofHours(1));
    assertThat(CaConfiguration.builder().leafCertTtl(Duration.ofHours(8760))
        .intermediateCertTtl(Duration.ofHours(3 * 8760))
        .rootCertTtl(Duration.ofHours(3 * 8760)).build().leafCertTtl())
        .isEqualTo(Duration.ofHours(8760));
  }

  @Test
  void negativeLeafTtl() {
    assertThatThrownBy(() -> CaConfiguration.builder().leafCertTtl(Duration.ofHours(-1)).build())
        .hasMessage("leaf cert TTL must be greater or equal than 1h0m0s: -1h0m0s");
  }

  @Test
  void intermediateTtlBelowThreeHours() {
    assertThatThrownBy(() -> CaConfiguration.builder().leafCertTtl(Duration.ofHours(1))
        .intermediateCertTtl(Duration.ofMinutes(150)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Intermediate Cert TTL must be greater or equal than 3h: 2h30m0s");
  }

  @Test
  void intermediateTtlBelowThreeLeafTtls() {
    assertThatThrownBy(() -> CaConfiguration.builder()
        .intermediateCertTtl(Duration.ofHours(200)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Intermediate Cert TTL must be greater or equal than 3 * LeafCertTTL"
            + " (>=216h0m0s): 200h0m0s");
  }

  /** A TTL beyond Go's 292 years has no Go text, yet the configuration prints and names it. */
  @Test
  void ttlBeyondGoRangeIsStillPrintedAndNamed() {
    CaConfiguration config = CaConfiguration.builder().rootCertTtl(Duration.ofHours(8_766_000))
        .build();
    assertThat(config.toString()).contains("rootCertTtl=8766000h0m0s");
    assertThatThrownBy(() -> CaConfiguration.builder().leafCertTtl(Duration.ofHours(8_766_000))
        .intermediateCertTtl(Duration.ofHours(30000)).rootCertTtl(Duration.ofHours(30000))
        .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("leaf cert TTL must be less than 8760h0m0s: 8766000h0m0s");
  }

  @Test
  void rootTtlBelowIntermediateTtlIsCheckedFirstAsInConsul() {
    assertThatThrownBy(() -> CaConfiguration.builder().leafCertTtl(Duration.ofMinutes(1))
        .rootCertTtl(Duration.ofHours(100)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("root cert TTL is set and is not greater than intermediate cert ttl."
            + " root cert ttl: 100h0m0s, intermediate cert ttl: 8760h0m0s");
  }

  @Test
  void csrLimitsMustNotBeNegative() {
    assertThatThrownBy(() -> CaConfiguration.builder().csrMaxPerSecond(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("csrMaxPerSecond must be a finite number, 0 or more: -1.0");
    assertThatThrownBy(() -> CaConfiguration.builder().csrMaxPerSecond(Double.NaN))
        .hasMessageEndingWith(": NaN");
    assertThatThrownBy(() -> CaConfiguration.builder().csrMaxPerSecond(
        Double.POSITIVE_INFINITY)).hasMessageEndingWith(": Infinity");
    assertThatThrownBy(() -> CaConfiguration.builder().csrMaxConcurrent(-2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("csrMaxConcurrent must be 0 or more: -2");
  }

  @Test
  void nullsAreRefusedAtTheSetter() {
    assertThatThrownBy(() -> CaConfiguration.builder().leafCertTtl(null))
        .isInstanceOf(NullPointerException.class).hasMessage("ttl");
    assertThatThrownBy(() -> CaConfiguration.builder().keySpec(null))
        .isInstanceOf(NullPointerException.class).hasMessage("keySpec");
  }

  @Test
  void leafKeyRule() throws Exception {
    CaConfiguration config = CaConfiguration.defaults();
    assertThat(config.allowsLeafKey(ec("secp256r1"))).isTrue();
    assertThat(config.allowsLeafKey(ec("secp384r1"))).isTrue();
    assertThat(config.allowsLeafKey(ec("secp521r1"))).isFalse();
    assertThat(config.allowsLeafKey(ec("secp256k1"))).as("not a NIST curve").isFalse();
    assertThat(config.allowsLeafKey(rsa(1024))).isFalse();
    assertThat(config.allowsLeafKey(rsa(2048))).isTrue();
    assertThat(config.allowsLeafKey(rsa(3072))).isTrue();
    KeyPairGenerator ed = KeyPairGenerator.getInstance("Ed25519", Jca.provider());
    assertThat(config.allowsLeafKey(ed.generateKeyPair().getPublic())).isFalse();
  }

  @Test
  void jdkKeysAreRecognisedToo() throws Exception {
    KeyPairGenerator jdk = KeyPairGenerator.getInstance("EC", "SunEC");
    jdk.initialize(new ECGenParameterSpec("secp256r1"));
    assertThat(CaConfiguration.defaults().allowsLeafKey(jdk.generateKeyPair().getPublic()))
        .isTrue();
  }

  private static java.security.PublicKey ec(String curve) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", Jca.provider());
    generator.initialize(new ECGenParameterSpec(curve));
    return generator.generateKeyPair().getPublic();
  }

  private static java.security.PublicKey rsa(int bits) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA", Jca.provider());
    generator.initialize(bits);
    return generator.generateKeyPair().getPublic();
  }
}
