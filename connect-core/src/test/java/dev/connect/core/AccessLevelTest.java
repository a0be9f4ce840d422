package dev.connect.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AccessLevelTest {

  /** Consul's {@code enforce}: what a rule grants to what an operation needs. */
  @ParameterizedTest(name = "{0} grants {1}: {2}")
  @CsvSource({
      "WRITE, READ, true", "WRITE, LIST, true", "WRITE, WRITE, true",
      "LIST, READ, true", "LIST, LIST, true", "LIST, WRITE, false",
      "READ, READ, true", "READ, LIST, false", "READ, WRITE, false",
      "DENY, READ, false", "DENY, LIST, false", "DENY, WRITE, false"})
  void grantsAsConsulEnforces(AccessLevel rule, AccessLevel required, boolean granted) {
    assertThat(rule.grants(required)).isEqualTo(granted);
  }

  @Test
  void ordersFromLeastToMostPermissive() {
    assertThat(AccessLevel.values()).containsExactly(AccessLevel.DENY, AccessLevel.READ,
        AccessLevel.LIST, AccessLevel.WRITE);
  }

  /** Consul's {@code takesPrecedenceOver}: deny, then write, list, read. */
  @ParameterizedTest(name = "{0} over {1}: {2}")
  @CsvSource({
      "DENY, WRITE, true", "DENY, READ, true", "WRITE, DENY, false", "READ, DENY, false",
      "WRITE, READ, true", "READ, WRITE, false", "WRITE, LIST, true", "LIST, READ, true",
      "READ, LIST, false", "DENY, DENY, false", "READ, READ, false"})
  void mergePrecedence(AccessLevel a, AccessLevel b, boolean wins) {
    assertThat(a.takesPrecedenceOver(b)).isEqualTo(wins);
  }

  @Test
  void parsesConsulsNamesInAnyCase() {
    assertThat(AccessLevel.parse("deny")).isEqualTo(AccessLevel.DENY);
    assertThat(AccessLevel.parse("read")).isEqualTo(AccessLevel.READ);
    assertThat(AccessLevel.parse("list")).isEqualTo(AccessLevel.LIST);
    assertThat(AccessLevel.parse("Write")).isEqualTo(AccessLevel.WRITE);
    assertThat(AccessLevel.WRITE.text()).isEqualTo("write");
    assertThatIllegalArgumentException().isThrownBy(() -> AccessLevel.parse("allow"))
        .withMessage("\"allow\" is not a valid access level (expected deny, read, list or write)");
    assertThatIllegalArgumentException().isThrownBy(() -> AccessLevel.parse(""))
        .withMessage("\"\" is not a valid access level (expected deny, read, list or write)");
  }

  @Test
  void defaultPolicyParsesConsulsConfiguration() {
    assertThat(AclDefaultPolicy.parse("allow")).isEqualTo(AclDefaultPolicy.ALLOW);
    assertThat(AclDefaultPolicy.parse("deny")).isEqualTo(AclDefaultPolicy.DENY);
    assertThat(AclDefaultPolicy.ALLOW.allows()).isTrue();
    assertThat(AclDefaultPolicy.DENY.allows()).isFalse();
    assertThat(AclDefaultPolicy.DENY.text()).isEqualTo("deny");
    assertThatIllegalArgumentException().isThrownBy(() -> AclDefaultPolicy.parse("Deny"))
        .withMessage("acl.default_policy must be \"allow\" or \"deny\", not \"Deny\"");
  }
}
