package dev.connect.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.AclDefaultPolicy;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.server.DataDirectoryException;
import dev.connect.server.EmbeddedServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression (adversarial review, item 9): a {@code ConnectAgent} opened a data directory with
 * whatever ACL settings its builder had, so an agent without them ran with ACLs off on a
 * directory its application uses with ACLs on and {@code deny}.
 */
class AgentEnforcesTheRecordedAclModeTest {
  private static final String MANAGEMENT = "3e0f9a1b-7c2d-4e5f-9a8b-1c2d3e4f5a6b";

  @TempDir Path dir;

  @Test
  void anAgentGetsTheRecordedModeAndABuilderThatDisagreesIsRefused() throws Exception {
    try (EmbeddedServer created = EmbeddedServer.builder().dataDirectory(dir).aclsEnabled(true)
        .aclDefaultPolicy(AclDefaultPolicy.DENY).initialManagementToken(MANAGEMENT).open()) {
      assertThat(created.aclsEnabled()).isTrue();
    }
    try (ConnectAgent agent = ConnectAgent.builder().dataDirectory(dir).build()) {
      assertThat(agent.defaultIntentionPolicy())
          .isEqualTo(DefaultIntentionPolicy.ACLS_DEFAULT_DENY);
    }
    assertThatThrownBy(() -> ConnectAgent.builder().dataDirectory(dir).aclsEnabled(false)
        .build())
        .isInstanceOf(DataDirectoryException.class)
        .hasMessageContaining("records ACLs enabled, default policy deny, but aclsEnabled was"
            + " set to false");
    assertThatThrownBy(() -> ConnectAgent.builder().dataDirectory(dir)
        .aclDefaultPolicy(AclDefaultPolicy.ALLOW).build())
        .isInstanceOf(DataDirectoryException.class)
        .hasMessageContaining("aclDefaultPolicy was set to allow");
  }
}
