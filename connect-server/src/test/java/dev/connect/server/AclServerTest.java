package dev.connect.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.AclDefaultPolicy;
import dev.connect.core.AclNotFoundException;
import dev.connect.core.AclPolicy;
import dev.connect.core.AclTokenInfo;
import dev.connect.core.AclPolicyLink;
import dev.connect.core.AclToken;
import dev.connect.core.ConnectException;
import dev.connect.core.Intention;
import dev.connect.core.IntentionAction;
import dev.connect.core.IntentionTarget;
import dev.connect.core.PermissionDeniedException;
import dev.connect.core.PolicyRulesException;
import dev.connect.core.QueryOptions;
import dev.connect.core.QueryResult;
import dev.connect.testkit.FakeTime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ACL tokens and policies in the embedded server: bootstrap, management, storage, secrets. */
class AclServerTest {
  private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
  private static final String INITIAL = "9d1e6f4c-2b3a-4c5d-8e7f-a0b1c2d3e4f5";
  private static final QueryOptions NONE = QueryOptions.defaults();

  @TempDir Path dir;
  final FakeTime clock = FakeTime.at(START);

  private EmbeddedServer.Builder builder() {
    return EmbeddedServer.builder().dataDirectory(dir).clock(clock).aclsEnabled(true)
        .aclDefaultPolicy(AclDefaultPolicy.DENY);
  }

  static QueryOptions token(String secret) {
    return QueryOptions.builder().token(secret).build();
  }

  static QueryOptions token(AclToken token) {
    return token(token.revealSecretId());
  }

  @Test
  void aclManagementWithAclsOffFailsAsConsulDoes() throws Exception {
    try (EmbeddedServer server = EmbeddedServer.builder().dataDirectory(dir).open()) {
      assertThat(server.aclsEnabled()).isFalse();
      assertThatThrownBy(server::bootstrapAcl).isInstanceOf(ConnectException.class)
          .hasMessage("ACL support disabled");
      assertThatThrownBy(() -> server.createPolicy("p", "", "", NONE))
          .hasMessage("ACL support disabled");
      assertThatThrownBy(() -> server.tokens(NONE)).hasMessage("ACL support disabled");
      assertThatThrownBy(() -> server.tokenSelf(token(INITIAL)))
          .hasMessage("ACL support disabled");
      // Everything else is allowed, whatever the token.
      assertThat(server.rotateRoot(token("no-such-token")).roots()).hasSize(2);
    }
  }

  @Test
  void bootstrapWorksOnceThenNamesTheResetIndex() throws Exception {
    try (EmbeddedServer server = builder().open()) {
      AclToken root = server.bootstrapAcl();
      assertThat(root.hasGlobalManagement()).isTrue();
      assertThat(root.description()).isEqualTo("Bootstrap Token (Global Management)");
      assertThat(root.createTime()).isEqualTo(START);
      AclTokenInfo self = server.tokenSelf(token(root));
      assertThat(self.accessorId()).isEqualTo(root.accessorId());
      assertThat(self.policies()).containsExactly(AclPolicyLink.to(AclPolicy.globalManagement()));
      assertThatThrownBy(server::bootstrapAcl).isInstanceOf(PermissionDeniedException.class)
          .hasMessage("Permission denied: ACL bootstrap no longer allowed (reset index: "
              + self.createIndex() + ")");
    }
    try (EmbeddedServer server = builder().open()) {
      assertThatThrownBy(server::bootstrapAcl).hasMessageContaining("no longer allowed");
    }
  }

  @Test
  void initialManagementTokenBootstrapsOnceAndSurvivesReopen() throws Exception {
    String accessor;
    try (EmbeddedServer server = builder().initialManagementToken(INITIAL).open()) {
      AclTokenInfo self = server.tokenSelf(token(INITIAL));
      assertThat(self.hasGlobalManagement()).isTrue();
      assertThat(self.description()).isEqualTo("Initial Management Token");
      accessor = self.accessorId();
      assertThatThrownBy(server::bootstrapAcl).hasMessage("Permission denied: ACL bootstrap no"
          + " longer allowed (reset index: " + self.createIndex() + ")");
    }
    try (EmbeddedServer server = builder().initialManagementToken(INITIAL).open()) {
      assertThat(server.tokenSelf(token(INITIAL)).accessorId()).isEqualTo(accessor);
      assertThat(server.tokens(token(INITIAL))).extracting(AclTokenInfo::accessorId)
          .containsExactly("00000000-0000-0000-0000-000000000002", accessor);
    }
  }

  @Test
  void anonymousTokenIsUsedWithoutATokenAndUnknownSecretsAreNotFound() throws Exception {
    try (EmbeddedServer server = builder().initialManagementToken(INITIAL).open()) {
      AclTokenInfo anonymous = server.token(AclToken.ANONYMOUS_ACCESSOR_ID, token(INITIAL))
          .orElseThrow();
      assertThat(anonymous.isAnonymous()).isTrue();
      assertThat(anonymous.description()).isEqualTo("Anonymous Token");
      assertThat(anonymous.policies()).isEmpty();
      assertThat(server.tokenSelf(token("anonymous")).isAnonymous()).isTrue();
      assertThatThrownBy(() -> server.tokenSelf(NONE)).isInstanceOf(AclNotFoundException.class)
          .hasMessage("ACL not found");
      String unknown = "0b9c51b2-6b41-4d6e-9f11-2c8d3a7e5f60";
      assertThatThrownBy(() -> server.checkIntention("web", "db", token(unknown)))
          .isInstanceOf(AclNotFoundException.class).hasMessage("ACL not found");
      CompletableFuture<?> leaf = server.signLeaf(Leaves.csr(server, "web"), token(unknown));
      assertThatThrownBy(() -> leaf.get(10, TimeUnit.SECONDS)).cause()
          .isInstanceOf(AclNotFoundException.class);
    }
  }

  @Test
  void policiesNeedUniqueValidNamesAndValidRules() throws Exception {
    try (EmbeddedServer server = builder().initialManagementToken(INITIAL).open()) {
      QueryOptions root = token(INITIAL);
      AclPolicy web = server.createPolicy("web-write", "web's leaf",
          "service \"web\" { policy = \"write\" }", root);
      assertThat(web.id()).matches("[0-9a-f-]{36}");
      assertThat(web.rulesText()).isEqualTo("service \"web\" { policy = \"write\" }");
      assertThatThrownBy(() -> server.createPolicy("web-write", "", "", root))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Invalid Policy: A Policy with Name \"web-write\" already exists");
      assertThatThrownBy(() -> server.createPolicy("global-management", "", "", root))
          .hasMessageContaining("already exists");
      assertThatThrownBy(() -> server.createPolicy("bad", "",
          "service \"web\" { policy = \"sideways\" }", root))
          .isInstanceOfSatisfying(PolicyRulesException.class, e ->
              assertThat(e.consulMessage()).startsWith("Invalid service policy"))
          .hasMessageStartingWith("service \"web\": policy \"sideways\" is not");
      assertThatThrownBy(() -> server.createPolicy("no spaces", "", "", root))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("Invalid Policy: invalid Name");
      assertThat(server.policies(root)).extracting(AclPolicy::name)
          .containsExactly("global-management", "web-write");
      assertThat(server.policy("web-write", root)).contains(web);
      assertThat(server.policy(web.id(), root)).contains(web);
      assertThat(server.policy("nope", root)).isEmpty();
      assertThatThrownBy(() -> server.deletePolicy("global-management", root))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("builtin global-management");
    }
  }

  @Test
  void tokenSecretIsReturnedOnceAndListsShowNone() throws Exception {
    try (EmbeddedServer server = builder().initialManagementToken(INITIAL).open()) {
      QueryOptions root = token(INITIAL);
      server.createPolicy("web-write", "", "service \"web\" { policy = \"write\" }", root);
      clock.advance(Duration.ofSeconds(7));
      AclToken web = server.createToken("web's token", List.of("web-write"), root);
      assertThat(web.revealSecretId()).matches("[0-9a-f-]{36}");
      assertThat(web.toString()).doesNotContain(web.revealSecretId());
      assertThat(web.createTime()).isEqualTo(START.plusSeconds(7));
      AclTokenInfo info = server.token(web.accessorId(), root).orElseThrow();
      assertThat(info.toString()).doesNotContain(web.revealSecretId());
      assertThat(info.policies()).extracting(AclPolicyLink::name).containsExactly("web-write");
      assertThat(server.tokens(root).toString()).doesNotContain(web.revealSecretId());
      assertThat(server.tokenSelf(token(web))).isEqualTo(info);
      assertThatThrownBy(() -> server.createToken("", List.of("nope"), root))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"nope\"");
    }
  }

  @Test
  void secretsAreStoredOnlyAsHashesInOwnerOnlyFiles(@TempDir Path second) throws Exception {
    AclToken web;
    try (EmbeddedServer server = builder().initialManagementToken(INITIAL).open()) {
      web = server.createToken("web", List.of(), token(INITIAL));
    }
    AclToken bootstrap;
    AclToken db;
    try (EmbeddedServer server = EmbeddedServer.builder().dataDirectory(second).clock(clock)
        .aclsEnabled(true).open()) {
      bootstrap = server.bootstrapAcl();
      db = server.createToken("db", List.of(), token(bootstrap));
    }
    List<String> secrets = List.of(INITIAL, web.revealSecretId(), bootstrap.revealSecretId(),
        db.revealSecretId());
    for (Path d : List.of(dir, second)) {
      try (Stream<Path> files = Files.walk(d)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          String content = Files.readString(file, StandardCharsets.ISO_8859_1);
          for (String secret : secrets) {
            assertThat(content).as(file.toString()).doesNotContain(secret);
          }
        }
      }
      assertThat(Files.getPosixFilePermissions(d.resolve("acl.json")))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }
    assertThat(Files.readString(dir.resolve("acl.json"))).contains(sha256(INITIAL))
        .contains(sha256(web.revealSecretId()));
    assertThat(Files.readString(second.resolve("acl.json")))
        .contains(sha256(bootstrap.revealSecretId())).contains(sha256(db.revealSecretId()));
  }

  private static String sha256(String secret) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(secret.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void tokensAndPoliciesSurviveReopenAndSecretsStillResolve() throws Exception {
    AclToken web;
    AclPolicy policy;
    try (EmbeddedServer server = builder().initialManagementToken(INITIAL).open()) {
      policy = server.createPolicy("web-write", "", "service \"web\" { policy = \"write\" }",
          token(INITIAL));
      web = server.createToken("web", List.of(policy.id()), token(INITIAL));
    }
    try (EmbeddedServer server = builder().open()) {
      assertThat(server.tokenSelf(token(web)).policies())
          .containsExactly(AclPolicyLink.to(policy));
      assertThat(server.policy("web-write", token(INITIAL))).contains(policy);
      assertThat(Leaves.issue(server, "web", token(web)).service().service()).isEqualTo("web");
    }
  }

  @Test
  void deletingAPolicyTakesItsPermissionsFromTokens() throws Exception {
    try (EmbeddedServer server = builder().initialManagementToken(INITIAL).open()) {
      QueryOptions root = token(INITIAL);
      server.createPolicy("web-write", "", "service \"web\" { policy = \"write\" }", root);
      AclToken web = server.createToken("web", List.of("web-write"), root);
      Leaves.issue(server, "web", token(web));
      assertThat(server.deletePolicy("web-write", root)).isTrue();
      assertThat(server.deletePolicy("web-write", root)).isFalse();
      assertThat(server.tokenSelf(token(web)).policies()).isEmpty();
      CompletableFuture<?> refused = server.signLeaf(Leaves.csr(server, "web"), token(web));
      assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS)).cause()
          .isInstanceOf(PermissionDeniedException.class)
          .hasMessageContaining(web.accessorId());
    }
  }

  @Test
  void deletingTokensSparesTheAnonymousAndTheCallersOwn() throws Exception {
    try (EmbeddedServer server = builder().initialManagementToken(INITIAL).open()) {
      QueryOptions root = token(INITIAL);
      AclToken other = server.createToken("other", List.of("global-management"), root);
      assertThatThrownBy(() -> server.deleteToken(AclToken.ANONYMOUS_ACCESSOR_ID, root))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("anonymous");
      String self = server.tokenSelf(root).accessorId();
      assertThatThrownBy(() -> server.deleteToken(self, root))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("request's authorization token");
      assertThat(server.deleteToken(other.accessorId(), root)).isTrue();
      assertThat(server.deleteToken(other.accessorId(), root)).isFalse();
      assertThatThrownBy(() -> server.tokenSelf(token(other)))
          .isInstanceOf(AclNotFoundException.class);
    }
  }

  @Test
  void anonymousTokenCanBeGivenPolicies() throws Exception {
    try (EmbeddedServer server = builder().initialManagementToken(INITIAL).open()) {
      QueryOptions root = token(INITIAL);
      assertThatThrownBy(() -> server.checkIntention("web", "db", NONE))
          .isInstanceOf(PermissionDeniedException.class)
          .hasMessageContaining("anonymous token lacks permission 'service:read' on \"db\"");
      server.createPolicy("read-all", "", "service_prefix \"\" { policy = \"read\" }", root);
      AclTokenInfo anonymous = server.updateToken(AclToken.ANONYMOUS_ACCESSOR_ID,
          "Anonymous Token", List.of("read-all"), root);
      assertThat(anonymous.policies()).extracting(AclPolicyLink::name)
          .containsExactly("read-all");
      assertThat(anonymous.modifyIndex()).isGreaterThan(anonymous.createIndex());
      assertThat(server.checkIntention("web", "db", NONE).allowed()).isFalse();
      assertThatThrownBy(() -> server.updateToken("0b9c51b2-6b41-4d6e-9f11-2c8d3a7e5f60", "",
          List.of(), root)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("0b9c51b2-6b41-4d6e-9f11-2c8d3a7e5f60");
    }
  }

  @Test
  void blockingQueryFailsWhenItsTokenIsDeletedMeanwhile() throws Exception {
    try (EmbeddedServer server = builder().initialManagementToken(INITIAL).open()) {
      QueryOptions root = token(INITIAL);
      AclToken reader = server.createToken("reader", List.of("global-management"), root);
      long index = server.intentions(token(reader)).get().index();
      CompletableFuture<QueryResult<List<Intention>>> waiting = server.intentions(
          QueryOptions.builder().token(reader.revealSecretId()).minIndex(index).build());
      assertThat(server.deleteToken(reader.accessorId(), root)).isTrue();
      assertThat(waiting).as("an ACL change is not an intentions change").isNotDone();
      server.upsertIntention(IntentionTarget.parse("web"), IntentionTarget.parse("db"),
          IntentionAction.ALLOW, "", root);
      assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).cause()
          .isInstanceOf(AclNotFoundException.class);
    }
  }

  @Test
  void builderRefusesAnEmptyOrAnonymousInitialManagementSecret() {
    assertThatThrownBy(() -> EmbeddedServer.builder().initialManagementToken(""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EmbeddedServer.builder().initialManagementToken("anonymous"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("anonymous");
  }
}
