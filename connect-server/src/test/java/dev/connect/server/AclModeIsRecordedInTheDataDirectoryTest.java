package dev.connect.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connect.core.AclDefaultPolicy;
import dev.connect.core.AclToken;
import dev.connect.core.AclTokenInfo;
import dev.connect.core.IntentionAction;
import dev.connect.core.IntentionTarget;
import dev.connect.core.PermissionDeniedException;
import dev.connect.core.QueryOptions;
import dev.connect.server.internal.AclStore;
import dev.connect.server.internal.ChecksummedFile;
import dev.connect.server.FileMode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression (adversarial review, item 9): whether ACLs were on lived only in the opener's
 * settings. An opener without them (the {@code connect} command without {@code --acls}) could do
 * anything to a directory an application runs with ACLs on; {@code --acls} defaulted to {@code
 * allow} where the application used {@code deny}; and another initial management token silently
 * made a second management token. The directory now records its mode and every opener enforces
 * it.
 */
class AclModeIsRecordedInTheDataDirectoryTest {
  private static final String MANAGEMENT = "0b7e3a52-1c4d-4e6f-8a9b-c0d1e2f3a4b5";
  private static final String OTHER = "6f5e4d3c-2b1a-4098-8765-43210fedcba9";
  private static final QueryOptions ROOT = QueryOptions.builder().token(MANAGEMENT).build();

  @TempDir Path dir;

  private EmbeddedServer.Builder plain() {
    return EmbeddedServer.builder().dataDirectory(dir);
  }

  private AclToken createWithDenyAndAWebToken() throws Exception {
    try (EmbeddedServer app = plain().aclsEnabled(true).aclDefaultPolicy(AclDefaultPolicy.DENY)
        .initialManagementToken(MANAGEMENT).open()) {
      app.createPolicy("web", "", "service \"web\" { policy = \"write\" }", ROOT);
      return app.createToken("web", List.of("web"), ROOT);
    }
  }

  @Test
  void anOpenerWithoutAclSettingsEnforcesTheRecordedOnes() throws Exception {
    AclToken web = createWithDenyAndAWebToken();
    QueryOptions asWeb = QueryOptions.builder().token(web.revealSecretId()).build();
    try (EmbeddedServer cli = plain().open()) {
      assertThat(cli.aclsEnabled()).isTrue();
      assertThat(cli.aclDefaultPolicy()).isEqualTo(AclDefaultPolicy.DENY);
      assertThatThrownBy(() -> Leaves.issue(cli, "db", asWeb))
          .hasRootCauseInstanceOf(PermissionDeniedException.class);
      assertThatThrownBy(() -> cli.rotateRoot(asWeb))
          .isInstanceOf(PermissionDeniedException.class);
      assertThatThrownBy(() -> cli.upsertIntention(IntentionTarget.parse("web"),
          IntentionTarget.parse("db"), IntentionAction.ALLOW, "", asWeb))
          .isInstanceOf(PermissionDeniedException.class);
      assertThatThrownBy(() -> cli.rotateRoot(QueryOptions.defaults()))
          .isInstanceOf(PermissionDeniedException.class);
      assertThat(Leaves.issue(cli, "web", asWeb)).isNotNull();
    }
  }

  @Test
  void settingsThatDisagreeWithTheRecordedOnesAreRefusedNamingBoth() throws Exception {
    createWithDenyAndAWebToken();
    assertThatThrownBy(() -> plain().aclsEnabled(false).open())
        .isInstanceOf(DataDirectoryException.class)
        .hasMessageContaining("records ACLs enabled, default policy deny")
        .hasMessageContaining("aclsEnabled was set to false");
    assertThatThrownBy(() -> plain().aclsEnabled(true)
        .aclDefaultPolicy(AclDefaultPolicy.ALLOW).open())
        .isInstanceOf(DataDirectoryException.class)
        .hasMessageContaining("records ACLs enabled, default policy deny")
        .hasMessageContaining("aclDefaultPolicy was set to allow");
    try (EmbeddedServer same = plain().aclsEnabled(true).aclDefaultPolicy(AclDefaultPolicy.DENY)
        .initialManagementToken(MANAGEMENT).open()) {
      assertThat(same.aclDefaultPolicy()).isEqualTo(AclDefaultPolicy.DENY);
    }
  }

  @Test
  void anotherInitialManagementTokenAfterBootstrapIsRefused() throws Exception {
    createWithDenyAndAWebToken();
    assertThatThrownBy(() -> plain().initialManagementToken(OTHER).open())
        .isInstanceOf(DataDirectoryException.class)
        .hasMessageContaining("initialManagementToken applies only when ACLs are bootstrapped")
        .hasMessageNotContaining(OTHER);
    try (EmbeddedServer server = plain().open()) {
      assertThat(server.tokens(ROOT)).filteredOn(AclTokenInfo::hasGlobalManagement).hasSize(1);
      assertThatThrownBy(() -> server.tokenSelf(QueryOptions.builder().token(OTHER).build()))
          .isInstanceOf(dev.connect.core.AclNotFoundException.class);
    }
  }

  @Test
  void aclsAreTurnedOnForAnExistingDirectoryOnlyWithAManagementToken() throws Exception {
    try (EmbeddedServer created = plain().open()) {
      assertThat(created.aclsEnabled()).isFalse();
    }
    assertThatThrownBy(() -> plain().aclDefaultPolicy(AclDefaultPolicy.DENY).open())
        .isInstanceOf(DataDirectoryException.class)
        .hasMessageContaining("records ACLs disabled, but aclDefaultPolicy was set to deny");
    assertThatThrownBy(() -> plain().aclsEnabled(true).open())
        .isInstanceOf(DataDirectoryException.class)
        .hasMessageContaining("records ACLs disabled, but aclsEnabled was set to true")
        .hasMessageContaining("initialManagementToken");
    try (EmbeddedServer on = plain().aclsEnabled(true).aclDefaultPolicy(AclDefaultPolicy.DENY)
        .initialManagementToken(MANAGEMENT).open()) {
      assertThat(on.tokenSelf(ROOT).hasGlobalManagement()).isTrue();
    }
    try (EmbeddedServer reopened = plain().open()) {
      assertThat(reopened.aclsEnabled()).isTrue();
      assertThat(reopened.aclDefaultPolicy()).isEqualTo(AclDefaultPolicy.DENY);
    }
  }

  @Test
  void aDirectoryOfAnEarlierBuildRecordsTheModeOfItsFirstOpener() throws Exception {
    createWithDenyAndAWebToken();
    forgetTheRecordedMode();
    assertThatThrownBy(() -> plain().open())
        .isInstanceOf(DataDirectoryException.class)
        .hasMessageContaining("records no ACL mode")
        .hasMessageContaining("aclsEnabled is not set");
    try (EmbeddedServer first = plain().aclsEnabled(true)
        .aclDefaultPolicy(AclDefaultPolicy.DENY).open()) {
      assertThat(first.tokenSelf(ROOT).hasGlobalManagement()).isTrue();
    }
    try (EmbeddedServer later = plain().open()) {
      assertThat(later.aclsEnabled()).isTrue();
      assertThat(later.aclDefaultPolicy()).isEqualTo(AclDefaultPolicy.DENY);
    }
  }

  @Test
  void aDirectoryOfAnEarlierBuildThatNeverUsedAclsRecordsThemOff() throws Exception {
    try (EmbeddedServer created = plain().open()) {
      assertThat(created.aclsEnabled()).isFalse();
    }
    forgetTheRecordedMode();
    try (EmbeddedServer first = plain().open()) {
      assertThat(first.aclsEnabled()).isFalse();
    }
    assertThatThrownBy(() -> plain().aclsEnabled(true).open())
        .hasMessageContaining("records ACLs disabled");
  }

  /** What {@code acl.json} held before the mode was recorded. */
  record EarlierAclFile(long bootstrapIndex, List<AclStore.StoredPolicy> policies,
      List<AclStore.StoredToken> tokens) {}

  /** Rewrites {@code acl.json} as a build before the mode was recorded wrote it. */
  private void forgetTheRecordedMode() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    Path file = dir.resolve(AclStore.FILE);
    AclStore.Persisted p = ChecksummedFile.read(file, AclStore.Persisted.class, mapper);
    ChecksummedFile.write(file, new EarlierAclFile(p.bootstrapIndex(), p.policies(),
        p.tokens()), mapper, FileMode.OWNER_ONLY);
    assertThat(java.nio.file.Files.readString(file)).doesNotContain("acls");
  }
}
