package dev.connect.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class PermissionTest {
  @Test
  void printsAsConsulsMessagesDo() {
    assertThat(Permission.serviceWrite("web")).hasToString("service:write on \"web\"");
    assertThat(Permission.intentionRead("db").label()).isEqualTo("intention:read");
    assertThat(Permission.operatorWrite()).hasToString("operator:write");
    assertThat(Permission.of(AclResource.KEY, AccessLevel.LIST, "")).hasToString(
        "key:list on \"\"");
    assertThat(Permission.serviceRead("we\"b\n\u202e")).hasToString(
        "service:read on \"we\\\"b\\n\\u202e\"");
  }

  @Test
  void factoriesNameTheirPermission() {
    assertThat(Permission.serviceRead("s")).isEqualTo(
        new Permission(AclResource.SERVICE, AccessLevel.READ, Optional.of("s")));
    assertThat(Permission.intentionWrite("s")).isEqualTo(
        Permission.of(AclResource.INTENTION, AccessLevel.WRITE, "s"));
    assertThat(Permission.nodeRead("n").label()).isEqualTo("node:read");
    assertThat(Permission.nodeWrite("n").label()).isEqualTo("node:write");
    assertThat(Permission.operatorRead().label()).isEqualTo("operator:read");
    assertThat(Permission.aclRead().label()).isEqualTo("acl:read");
    assertThat(Permission.aclWrite()).isEqualTo(Permission.of(AclResource.ACL,
        AccessLevel.WRITE));
  }

  @Test
  void refusesWhatCannotBeAskedFor() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Permission.of(AclResource.SERVICE, AccessLevel.DENY, "web"))
        .withMessage("a permission asks for read, list or write, not deny");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Permission.of(AclResource.SERVICE, AccessLevel.LIST, "web"))
        .withMessage("list is a permission on keys only, not on service");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Permission.of(AclResource.SERVICE, AccessLevel.READ))
        .withMessage("service permissions name a service");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Permission.of(AclResource.OPERATOR, AccessLevel.READ, "x"))
        .withMessage("operator permissions are global and name nothing, not \"x\"");
  }
}
