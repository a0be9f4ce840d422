package dev.connect.ca.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.core.ServiceId;
import dev.connect.core.SigningId;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/** Consul's {@code common_names.go}, case by case. */
class CommonNamesTest {
  static final String TD = "5f7a0ac5-b175-3daf-ea2e-20ddcc74d1c0.consul";

  @Test
  void rootCnAsConsulWritesIt() {
    assertThat(CommonNames.rootCn("1nt4ekf", SigningId.of(TD)))
        .isEqualTo("pri-1nt4ekf.consul.ca.5f7a0ac5.consul");
  }

  @Test
  void negativeUidLosesItsSignAndShowsSevenCharacters() {
    assertThat(CommonNames.rootCn("-1nt4ekf", SigningId.of(TD)))
        .isEqualTo("pri-1nt4ekf.consul.ca.5f7a0ac5.consul");
  }

  @Test
  void compactUidIsAtMostEightBase36Characters() {
    SecureRandom random = new SecureRandom();
    for (int i = 0; i < 200; i++) {
      assertThat(CommonNames.compactUid(random)).matches("-?[0-9a-z]{1,8}").hasSizeLessThan(9);
    }
  }

  @Test
  void shortClusterIdIsUsedWhole() {
    assertThat(CommonNames.rootCn("abc", SigningId.of("7f3c.consul")))
        .isEqualTo("pri-abc.consul.ca.7f3c.consul");
    assertThat(CommonNames.serviceCn(ServiceId.of("7f3c.consul", "dc1", "web")))
        .isEqualTo("web.svc.default.7f3c.consul");
  }

  @Test
  void serviceNameIsLowerCasedAndStrippedToAlphanumerics() {
    assertThat(CommonNames.serviceCn(ServiceId.of(TD, "dc1", "unregistered-svc")))
        .isEqualTo("unregisteredsvc.svc.default.5f7a0ac5.consul");
    assertThat(CommonNames.serviceCn(ServiceId.of(TD, "dc1", "Billing_API.v2")))
        .isEqualTo("billingapiv2.svc.default.5f7a0ac5.consul");
  }

  @Test
  void longServiceNameIsCutToFitSixtyFourCharacters() {
    String cn = CommonNames.serviceCn(ServiceId.of(TD, "dc1", "a".repeat(50)));
    assertThat(cn).isEqualTo("a".repeat(36) + ".svc.default.5f7a0ac5.consul").hasSize(64);
  }

  /**
   * The namespace reaches the CN, as in Consul. The CA signs only the {@code default} namespace
   * (review finding: other namespaces escaped intentions), so this is tested here rather than
   * through {@code BuiltInCaProvider.sign}.
   */
  @Test
  void namespaceReachesTheCommonNameAndThePartitionDoesNot() {
    String td = "7f3c9a1e-0b5d-4c2e-9f13-2a6b8c4d1e70.consul";
    assertThat(CommonNames.serviceCn(new ServiceId(td, "part1", "team-a", "dc1", "Billing_API")))
        .isEqualTo("billingapi.svc.team-a.7f3c9a1e.consul");
  }

  @Test
  void longNamespaceIsCutWhenTheServiceNameIsShort() {
    String cn = CommonNames.serviceCn(
        new ServiceId(TD, "default", "n".repeat(50), "dc1", "web"));
    assertThat(cn).isEqualTo("web.svc." + "n".repeat(40) + ".5f7a0ac5.consul").hasSize(64);
  }

  @Test
  void bothLongAreCutEvenlyTheOddCharacterFromTheService() {
    String cn = CommonNames.serviceCn(
        new ServiceId(TD, "default", "n".repeat(30), "dc1", "s".repeat(40)));
    assertThat(cn).isEqualTo("s".repeat(26) + ".svc." + "n".repeat(17) + ".5f7a0ac5.consul");
  }

  @Test
  void unbalancedLengthsKeepFifteenCharactersOfTheShorterSide() {
    String cn = CommonNames.serviceCn(
        new ServiceId(TD, "default", "n".repeat(60), "dc1", "s".repeat(16)));
    assertThat(cn).isEqualTo("s".repeat(15) + ".svc." + "n".repeat(28) + ".5f7a0ac5.consul");
  }
}
