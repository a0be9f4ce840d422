package dev.connect.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.internal.HclNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class AclPolicyTest {
  private static final String ID = "cc48d19e-ac9c-cd92-f1c0-d5f093a74658";

  @Test
  void readsTheRecordedPolicy() {
    HclNode body = AclSamples.at(AclSamples.json("acl-policy-read.json"), "response", "body")
        .orElseThrow();
    AclPolicy policy = AclPolicy.of(AclSamples.string(body, "ID"),
        AclSamples.string(body, "Name"), AclSamples.string(body, "Description"),
        AclSamples.string(body, "Rules"));
    assertThat(policy.id()).isEqualTo(ID);
    assertThat(policy.name()).isEqualTo("web-write");
    assertThat(policy.description()).isEqualTo("web write");
    assertThat(policy.rulesText()).isEqualTo("service \"web\" { policy = \"write\" }");
    assertThat(policy.rules().rules()).containsExactly(
        PolicyRule.of(AclResource.SERVICE, "web", false, AccessLevel.WRITE));
    assertThat(policy.datacenters()).isEmpty();
  }

  @Test
  void globalManagementIsConsulsBuiltin() {
    AclPolicy gm = AclPolicy.globalManagement();
    assertThat(gm.id()).isEqualTo("00000000-0000-0000-0000-000000000001")
        .isEqualTo(AclPolicy.GLOBAL_MANAGEMENT_ID);
    assertThat(gm.name()).isEqualTo("global-management");
    assertThat(gm.description()).isEqualTo("Builtin Policy that grants unlimited access");
    assertThat(gm.rules()).isEqualTo(PolicyRules.globalManagement());
    // the recorded list shows the builtin with this ID, name and description
    HclNode list = AclSamples.at(AclSamples.json("acl-policies-list.json"), "response", "body")
        .orElseThrow();
    assertThat(list.items()).anySatisfy(p -> {
      assertThat(AclSamples.string(p, "ID")).isEqualTo(gm.id());
      assertThat(AclSamples.string(p, "Name")).isEqualTo(gm.name());
      assertThat(AclSamples.string(p, "Description")).isEqualTo(gm.description());
    });
  }

  @Test
  void namesFollowConsulsRule() {
    assertThat(AclPolicy.isValidName("web-write_2")).isTrue();
    assertThat(AclPolicy.isValidName("a".repeat(128))).isTrue();
    assertThat(AclPolicy.isValidName("a".repeat(129))).isFalse();
    assertThat(AclPolicy.isValidName("")).isFalse();
    assertThat(AclPolicy.isValidName("web write")).isFalse();
    assertThat(AclPolicy.isValidName("web/write")).isFalse();
    assertThat(AclPolicy.isValidName("w\u00e9b")).isFalse();
    assertThatIllegalArgumentException().isThrownBy(() -> AclPolicy.of(ID, "", "", ""))
        .withMessage("Invalid Policy: no Name is set");
    assertThatIllegalArgumentException().isThrownBy(() -> AclPolicy.of(ID, "web write", "", ""))
        .withMessage("Invalid Policy: invalid Name. Only alphanumeric characters, '-' and '_'"
            + " are allowed: \"web write\"");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AclPolicy.of(ID, "a".repeat(129), "", ""))
        .withMessageEndingWith(" has 129 characters, at most 128");
  }

  @Test
  void idsAreUuids() {
    assertThatIllegalArgumentException().isThrownBy(() -> AclPolicy.of("web", "web", "", ""))
        .withMessage("Policy ID invalid UUID: \"web\"");
    assertThat(AclPolicy.of(ID.toUpperCase(java.util.Locale.ROOT), "x", "", "").id())
        .isEqualTo(ID.toUpperCase(java.util.Locale.ROOT));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AclPolicy.of("cc48d19e-ac9c-cd92-f1c0-d5f093a7465g", "x", "", ""));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AclPolicy.of("cc48d19e0ac9c-cd92-f1c0-d5f093a74658", "x", "", ""));
  }

  @Test
  void badRulesFailWithConsulsMessage() {
    assertThatThrownBy(() -> AclPolicy.of(ID, "bad", "", "service \"web\" { policy = \"x\" }"))
        .isInstanceOfSatisfying(PolicyRulesException.class, e -> assertThat(e.consulMessage())
            .startsWith("Invalid service policy: &acl.ServiceRule{Name:\"web\""))
        .hasMessageStartingWith("service \"web\": policy \"x\" is not read, write or deny");
  }

  @Test
  void datacentersLimitWhereAPolicyApplies() {
    AclPolicy everywhere = AclPolicy.of(ID, "x", "", "");
    assertThat(everywhere.appliesIn("dc1")).isTrue();
    List<String> dcs = new java.util.ArrayList<>(List.of("dc1", "dc3"));
    AclPolicy some = new AclPolicy(ID, "x", "", PolicyRules.empty(), dcs);
    dcs.clear();
    assertThat(some.datacenters()).containsExactly("dc1", "dc3");
    assertThat(some.appliesIn("dc1")).isTrue();
    assertThat(some.appliesIn("dc2")).isFalse();
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new AclPolicy(ID, "x", "", PolicyRules.empty(), List.of(" ")))
        .withMessage("datacenter names must not be blank");
  }

  @Test
  void linksNameAPolicy() {
    AclPolicyLink link = AclPolicyLink.to(AclPolicy.globalManagement());
    assertThat(link).isEqualTo(new AclPolicyLink(AclPolicy.GLOBAL_MANAGEMENT_ID,
        "global-management"));
    assertThat(new AclPolicyLink(ID, "").name()).isEmpty();
    assertThatIllegalArgumentException().isThrownBy(() -> new AclPolicyLink("x", "web"))
        .withMessage("policy ID must be a UUID, not \"x\"");
    assertThatIllegalArgumentException().isThrownBy(() -> new AclPolicyLink(ID, "a b"))
        .withMessage("invalid policy name \"a b\": only alphanumeric characters, '-' and '_'"
            + " are allowed, up to 128");
  }
}
