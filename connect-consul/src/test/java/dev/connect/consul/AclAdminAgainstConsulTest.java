package dev.connect.consul;

import static dev.connect.consul.ConsulBackendAgainstConsulTest.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.AclNotFoundException;
import dev.connect.core.AclPolicy;
import dev.connect.core.AclToken;
import dev.connect.core.AclTokenInfo;
import dev.connect.core.ConnectException;
import dev.connect.core.PermissionDeniedException;
import dev.connect.core.PolicyRulesException;
import dev.connect.core.QueryOptions;
import dev.connect.peers.ConsulAgent;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: {@link ConsulBackend} as {@link dev.connect.core.AclAdmin} against a real Consul
 * 1.10.4 dev agent with ACLs on. Consul answers {@code 403 ACL not found} both for a missing
 * policy or token and for an unknown request token; the backend tells them apart. Consul's
 * validation 500s are {@link IllegalArgumentException}s naming the value.
 */
class AclAdminAgainstConsulTest {
  private static final String BOGUS = "00000000-0000-4000-8000-00000000b0b0";
  private static ConsulAgent consul;
  private static ConsulBackend backend;
  private static QueryOptions management;

  @BeforeAll
  static void start() throws Exception {
    consul = ConsulAgent.builder().aclsDefaultDeny().start();
    backend = ConsulBackendAgainstConsulTest.backendFor(consul);
    management = QueryOptions.builder().token(consul.managementToken().orElseThrow()).build();
  }

  @AfterAll
  static void stop() {
    try (ConsulAgent c = consul; ConsulBackend b = backend) {
      // both closed, each also when the other fails
    }
  }

  @Test
  void aMissingPolicyOrTokenIsEmptyButAnUnknownRequestTokenIsAclNotFound() throws Exception {
    assertThat(get(backend.policyRead("no-such-policy", management))).isEmpty();
    assertThat(get(backend.policyRead(BOGUS, management))).isEmpty();
    assertThat(get(backend.tokenRead(BOGUS, management))).isEmpty();
    assertThat(get(backend.policyDelete("no-such-policy", management))).isFalse();
    assertThat(get(backend.tokenDelete(BOGUS, management))).isFalse();

    QueryOptions unknown = QueryOptions.builder().token(BOGUS).build();
    assertThatThrownBy(() -> get(backend.policyRead("global-management", unknown)))
        .isInstanceOf(AclNotFoundException.class);
    assertThatThrownBy(() -> get(backend.tokenRead(BOGUS, unknown)))
        .isInstanceOf(AclNotFoundException.class);
    assertThatThrownBy(() -> get(backend.tokenReadSelf(QueryOptions.defaults())))
        .isInstanceOf(AclNotFoundException.class);
  }

  @Test
  void policiesAndTokensMapToTheCoreTypes() throws Exception {
    assertThat(get(backend.policyRead(AclPolicy.GLOBAL_MANAGEMENT_ID, management)))
        .hasValueSatisfying(p -> assertThat(p.name()).isEqualTo("global-management"));
    AclPolicy db = get(backend.policyCreate("db-write", "for db",
        "service \"db\" { policy = \"write\" }", management));
    assertThat(db.rulesText()).isEqualTo("service \"db\" { policy = \"write\" }");
    AclToken token = get(backend.tokenCreate("db service", List.of(db.id()), management));
    assertThat(token.policies()).extracting(l -> l.name()).containsExactly("db-write");
    assertThat(token.toString()).doesNotContain(token.revealSecretId());
    AclTokenInfo self = get(backend.tokenReadSelf(
        QueryOptions.builder().token(token.revealSecretId()).build()));
    assertThat(self.accessorId()).isEqualTo(token.accessorId());
    assertThat(self.createTime()).isEqualTo(token.createTime());
    assertThat(get(backend.tokenList(management))).extracting(AclTokenInfo::createIndex)
        .isSorted();
    // A token of no ACL permission is refused, finally.
    assertThatThrownBy(() -> get(backend.tokenList(
        QueryOptions.builder().token(token.revealSecretId()).build())))
        .isInstanceOf(PermissionDeniedException.class);
    assertThat(get(backend.tokenDelete(token.accessorId(), management))).isTrue();
    assertThat(get(backend.policyDelete(db.id(), management))).isTrue();
  }

  @Test
  void refusedWritesNameTheValue() throws Exception {
    assertThatThrownBy(() -> get(backend.policyCreate("bad", "", "service { x", management)))
        .isInstanceOf(PolicyRulesException.class);
    assertThatThrownBy(() -> get(backend.policyCreate("bad name", "", "", management)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid Name");
    get(backend.policyCreate("taken", "", "", management));
    assertThatThrownBy(() -> get(backend.policyCreate("taken", "", "", management)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("A Policy with Name \\\"taken\\\" already exists");
    assertThatThrownBy(() -> get(backend.tokenCreate("", List.of("nope"), management)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("No such ACL policy with name \\\"nope\\\"");
    assertThatThrownBy(() -> get(backend.policyDelete("global-management", management)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("builtin global-management policy");
    String own = get(backend.tokenReadSelf(management)).accessorId();
    assertThatThrownBy(() -> get(backend.tokenDelete(own, management)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("request's authorization token");
    assertThatThrownBy(() -> get(backend.tokenUpdate(BOGUS, "", List.of(), management)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(BOGUS);
    assertThatThrownBy(() -> get(backend.aclBootstrap(QueryOptions.defaults())))
        .isInstanceOf(PermissionDeniedException.class)
        .hasMessageContaining("ACL bootstrap no longer allowed");
  }

  @Test
  void withAclsOffEveryCallSaysAclSupportDisabled() throws Exception {
    try (ConsulAgent open = ConsulAgent.start();
        ConsulBackend b = ConsulBackendAgainstConsulTest.backendFor(open)) {
      assertThatThrownBy(() -> get(b.policyList(QueryOptions.defaults())))
          .isInstanceOf(ConnectException.class).hasMessageContaining("ACL support disabled")
          .hasMessageContaining("/v1/acl/policies");
    }
  }
}
