package dev.connect.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.AclDefaultPolicy;
import dev.connect.core.AclToken;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.PermissionDeniedException;
import dev.connect.core.AclTokenInfo;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An agent over an ACL-enabled embedded server: tokens per view and per handle. */
class AclAgentTest extends AgentTestBase {
  static final String MANAGEMENT = "5e0b7c1d-9a2f-4c3e-8b1a-00000000mgmt";

  AgentAcl admin;
  AclToken webToken;

  @Override
  ConnectAgent.Builder configure(ConnectAgent.Builder builder) {
    return builder.aclsEnabled(true).aclDefaultPolicy(AclDefaultPolicy.DENY)
        .initialManagementToken(MANAGEMENT);
  }

  @BeforeEach
  void createWebToken() {
    admin = f.agent.acl(MANAGEMENT);
    admin.createPolicy("web", "", "service \"web\" { policy = \"write\" }\n"
        + "service \"db\" { policy = \"read\" }");
    webToken = admin.createToken("web service", List.of("web"));
  }

  @Test
  void aTokenWithoutIntentionWriteIsRefused() {
    AgentIntentions asWeb = f.agent.intentions(webToken.revealSecretId());
    assertThatThrownBy(() -> asWeb.allow("web", "db"))
        .isInstanceOf(PermissionDeniedException.class)
        .hasMessageContaining("intention:write")
        .hasMessageContaining(webToken.accessorId())
        .hasMessageNotContaining(webToken.revealSecretId());
    // The agent's own (anonymous) token is refused too; the management token is not.
    assertThatThrownBy(() -> f.agent.intentions().allow("web", "db"))
        .isInstanceOf(PermissionDeniedException.class);
    assertThat(f.agent.intentions(MANAGEMENT).allow("web", "db").source().name())
        .isEqualTo("web");
    assertThat(f.agent.intentions(MANAGEMENT).list()).hasSize(1);
  }

  @Test
  void caConfigurationAndRotationNeedOperatorWrite() {
    assertThatThrownBy(() -> f.agent.ca(webToken.revealSecretId()).rotate())
        .isInstanceOf(PermissionDeniedException.class).hasMessageContaining("operator:write");
    String before = f.agent.ca().roots().activeRootId(); // roots need no permission
    assertThat(f.agent.ca(MANAGEMENT).rotate().activeRootId()).isNotEqualTo(before);
    assertThat(f.agent.ca(MANAGEMENT).configuration().leafCertTtl()).isPositive();
  }

  @Test
  void aclViewManagesTokensAndPolicies() {
    assertThat(admin.self().hasGlobalManagement()).isTrue();
    assertThat(admin.policies()).extracting(p -> p.name()).contains("global-management", "web");
    assertThat(admin.token(webToken.accessorId())).map(AclTokenInfo::description)
        .contains("web service");
    assertThatThrownBy(() -> f.agent.acl(webToken.revealSecretId()).tokens())
        .isInstanceOf(PermissionDeniedException.class).hasMessageContaining("acl:read");
    assertThatThrownBy(() -> f.agent.acl().bootstrap())
        .isInstanceOf(PermissionDeniedException.class)
        .hasMessageContaining("ACL bootstrap no longer allowed");
    assertThat(admin.deleteToken(webToken.accessorId())).isTrue();
    assertThat(admin.deletePolicy("web")).isTrue();
  }

  @Test
  void aHandleWithItsTokenGetsItsLeafAndTheDefaultPolicyFollowsTheServer() {
    assertThat(f.agent.defaultIntentionPolicy())
        .isEqualTo(DefaultIntentionPolicy.ACLS_DEFAULT_DENY);
    ConnectService web = f.agent.service("web", webToken.revealSecretId());
    assertThat(web.leaf().certificate().service().service()).isEqualTo("web");
    assertThatThrownBy(() -> f.agent.service("web").leaf())
        .isInstanceOf(PermissionDeniedException.class).hasMessageContaining("service:write");
    assertThat(web.toString()).doesNotContain(webToken.revealSecretId());
  }
}
