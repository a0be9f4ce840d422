package dev.connect.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class PolicyRuleTest {
  @Test
  void derivesIntentionsAsConsulDoes() {
    assertThat(PolicyRule.of(AclResource.SERVICE, "web", false, AccessLevel.WRITE)
        .effectiveIntentions()).isEqualTo(AccessLevel.READ);
    assertThat(PolicyRule.of(AclResource.SERVICE, "web", false, AccessLevel.READ)
        .effectiveIntentions()).isEqualTo(AccessLevel.READ);
    assertThat(PolicyRule.of(AclResource.SERVICE, "web", false, AccessLevel.DENY)
        .effectiveIntentions()).isEqualTo(AccessLevel.DENY);
    assertThat(new PolicyRule(AclResource.SERVICE, "", true, AccessLevel.DENY,
        Optional.of(AccessLevel.WRITE)).effectiveIntentions()).isEqualTo(AccessLevel.WRITE);
    assertThatIllegalStateException().isThrownBy(() -> PolicyRule.of(AclResource.NODE, "n",
        true, AccessLevel.READ).effectiveIntentions())
        .withMessage("only service rules give intentions access, not node_prefix");
  }

  @Test
  void printsAsHcl() {
    assertThat(new PolicyRule(AclResource.SERVICE, "", true, AccessLevel.WRITE,
        Optional.of(AccessLevel.WRITE))).hasToString(
            "service_prefix \"\" { policy = \"write\" intentions = \"write\" }");
    assertThat(PolicyRule.of(AclResource.KEY, "a/b", false, AccessLevel.LIST))
        .hasToString("key \"a/b\" { policy = \"list\" }");
  }

  @Test
  void refusesRulesTheLanguageCannotExpress() {
    assertThatIllegalArgumentException().isThrownBy(() -> PolicyRule.of(AclResource.OPERATOR,
        "", false, AccessLevel.READ)).withMessage("no rule block exists for operator; it is a"
            + " global rule such as operator = \"read\"");
    assertThatIllegalArgumentException().isThrownBy(() -> PolicyRule.of(AclResource.INTENTION,
        "web", false, AccessLevel.READ)).withMessage("no rule block exists for intention;"
            + " intentions are a field of service rules");
    assertThatIllegalArgumentException().isThrownBy(() -> PolicyRule.of(AclResource.SERVICE,
        "web", false, AccessLevel.LIST)).withMessage("list is allowed on key rules only, not on"
            + " service");
    assertThatIllegalArgumentException().isThrownBy(() -> new PolicyRule(AclResource.NODE, "n",
        false, AccessLevel.READ, Optional.of(AccessLevel.READ)))
        .withMessage("intentions are a field of service rules only, not of node");
    assertThatIllegalArgumentException().isThrownBy(() -> new PolicyRule(AclResource.SERVICE,
        "s", false, AccessLevel.READ, Optional.of(AccessLevel.LIST)))
        .withMessage("intentions may be deny, read or write, not list");
  }
}
