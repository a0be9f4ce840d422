package dev.connect.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Issue 12 (one builder idiom): three idioms checked set-once options, with three wordings
 * ("policies were already set", "secretId was already set", "x was already set to y"); one
 * helper now words them all, and the ACL-to-default-intention-policy mapping exists once.
 */
class BuilderOptionsTest {
  @Test
  void aSecondSettingNamesTheOptionAndItsFirstValue() {
    BuilderOptions options = BuilderOptions.create();
    options.set("leafTtl", "PT72H");
    assertThat(options.isSet("leafTtl")).isTrue();
    assertThat(options.isSet("rootTtl")).isFalse();
    assertThatThrownBy(() -> options.set("leafTtl", "PT1H"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("leafTtl was already set to PT72H");
    assertThat(BuilderOptions.once("datacenter", null, "dc1")).isEqualTo("dc1");
    assertThatThrownBy(() -> BuilderOptions.once("datacenter", "dc1", "dc2"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("datacenter was already set to dc1");
  }

  @Test
  void aclTokenBuilderUsesTheOneWordingAndHidesTheSecret() {
    String secret = "0d3c2b1a-0000-4000-8000-0000000secret";
    assertThatThrownBy(() -> AclToken.builder().secretId(secret).secretId(secret))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("secretId was already set to <redacted>");
  }

  @Test
  void defaultIntentionPolicyFollowsTheAclConfigurationAsConsulDoes() {
    assertThat(DefaultIntentionPolicy.of(false, AclDefaultPolicy.DENY))
        .isEqualTo(DefaultIntentionPolicy.ACLS_DISABLED);
    assertThat(DefaultIntentionPolicy.of(true, AclDefaultPolicy.ALLOW))
        .isEqualTo(DefaultIntentionPolicy.ACLS_DEFAULT_ALLOW);
    assertThat(DefaultIntentionPolicy.of(true, AclDefaultPolicy.DENY))
        .isEqualTo(DefaultIntentionPolicy.ACLS_DEFAULT_DENY);
  }
}
