package dev.connect.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Review finding (LOW): {@link CaConfiguration.Builder} silently overwrote an option set twice,
 * where STYLE.md asks for an {@link IllegalStateException} naming the earlier value ("leafCertTtl
 * was already set to PT72H"). Values copied by {@link CaConfiguration#toBuilder()} are not "set":
 * each may be changed once.
 */
class CaConfigurationOptionSetTwiceTest {
  @Test
  void everyOptionSetTwiceThrowsNamingTheEarlierValue() {
    CaConfiguration.Builder builder = CaConfiguration.builder()
        .leafCertTtl(Duration.ofHours(72)).intermediateCertTtl(Duration.ofHours(300))
        .rootCertTtl(Duration.ofHours(900)).rsa2048().csrMaxPerSecond(10).csrMaxConcurrent(2);

    assertThatIllegalStateException().isThrownBy(() -> builder.leafCertTtl(Duration.ofHours(1)))
        .withMessage("leafCertTtl was already set to PT72H");
    assertThatIllegalStateException()
        .isThrownBy(() -> builder.intermediateCertTtl(Duration.ofHours(3)))
        .withMessage("intermediateCertTtl was already set to PT300H");
    assertThatIllegalStateException().isThrownBy(() -> builder.rootCertTtl(Duration.ofHours(3)))
        .withMessage("rootCertTtl was already set to PT900H");
    assertThatIllegalStateException().isThrownBy(() -> builder.keySpec(CaKeySpec.EC_P384))
        .withMessage("keySpec was already set to RSA_2048");
    assertThatIllegalStateException().isThrownBy(builder::ecP256)
        .withMessage("keySpec was already set to RSA_2048");
    assertThatIllegalStateException().isThrownBy(() -> builder.csrMaxPerSecond(1))
        .withMessage("csrMaxPerSecond was already set to 10.0");
    assertThatIllegalStateException().isThrownBy(() -> builder.csrMaxConcurrent(1))
        .withMessage("csrMaxConcurrent was already set to 2");

    CaConfiguration built = builder.build();
    assertThat(built.leafCertTtl()).as("the first value stays").isEqualTo(Duration.ofHours(72));
    assertThat(built.keySpec()).isEqualTo(CaKeySpec.RSA_2048);
  }

  @Test
  void twoPresetsConflict() {
    assertThatIllegalStateException()
        .isThrownBy(() -> CaConfiguration.builder().rsa2048().ecP256())
        .withMessage("keySpec was already set to RSA_2048");
  }

  @Test
  void settingTheDefaultExplicitlyStillCountsAsSet() {
    CaConfiguration.Builder builder = CaConfiguration.builder().ecP256();
    assertThatIllegalStateException().isThrownBy(builder::rsa4096)
        .withMessage("keySpec was already set to EC_P256");
  }

  @Test
  void toBuilderLetsEachCopiedValueChangeExactlyOnce() {
    CaConfiguration config = CaConfiguration.builder().leafCertTtl(Duration.ofHours(24))
        .rsa4096().build();

    CaConfiguration shorter = config.toBuilder().leafCertTtl(Duration.ofHours(12)).build();
    CaConfiguration ec = config.toBuilder().ecP256().build();
    assertThat(shorter.leafCertTtl()).isEqualTo(Duration.ofHours(12));
    assertThat(shorter.keySpec()).isEqualTo(CaKeySpec.RSA_4096);
    assertThat(ec.keySpec()).isEqualTo(CaKeySpec.EC_P256);
    assertThat(CaConfiguration.defaults().toBuilder().rsa2048().build().keySpec())
        .isEqualTo(CaKeySpec.RSA_2048);

    CaConfiguration.Builder copy = config.toBuilder().leafCertTtl(Duration.ofHours(12));
    assertThatIllegalStateException().isThrownBy(() -> copy.leafCertTtl(Duration.ofHours(6)))
        .withMessage("leafCertTtl was already set to PT12H");
  }

  @Test
  void rejectedValueDoesNotCountAsSet() {
    CaConfiguration.Builder builder = CaConfiguration.builder();
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(() -> builder.csrMaxConcurrent(-1));
    assertThat(builder.csrMaxConcurrent(3).build().csrMaxConcurrent()).isEqualTo(3);
  }
}
