package dev.connect.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.connect.ca.BuiltInCaProvider;
import dev.connect.core.AclDefaultPolicy;
import dev.connect.core.AclNotFoundException;
import dev.connect.core.AclToken;
import dev.connect.core.CaRoots;
import dev.connect.core.Decision;
import dev.connect.core.Intention;
import dev.connect.core.IntentionAction;
import dev.connect.core.IntentionTarget;
import dev.connect.core.PermissionDeniedException;
import dev.connect.core.QueryOptions;
import dev.connect.core.Certificates;
import dev.connect.testkit.FakeTime;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Consul's permission per operation (CONSUL-SEMANTICS §5), each operation tried with a token that
 * has exactly the permission, one that has other rules, the anonymous token, the management token
 * and an unknown secret, under {@code default_policy = "deny"}; then list filtering and the
 * default decisions under allow and deny.
 */
class AclEnforcementTest {
  private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
  private static final String ROOT_SECRET = "3f6c9a1e-5b2d-4e8f-a7c0-1d2e3f4a5b6c";
  private static final QueryOptions ROOT = AclServerTest.token(ROOT_SECRET);
  private static final QueryOptions NONE = QueryOptions.defaults();
  private static final Clock CLOCK = Clock.fixed(START, ZoneOffset.UTC);
  private static final IntentionTarget WEB = IntentionTarget.parse("web");
  private static final IntentionTarget DB = IntentionTarget.parse("db");
  private static final String SERVICE_DB_READ = "service \"db\" { policy = \"read\" }";
  private static final String DB_INTENTIONS_WRITE =
      "service \"db\" { policy = \"read\" intentions = \"write\" }";
  private static final String OPERATOR_WRITE = "operator = \"write\"";
  private static final String ACL_READ = "acl = \"read\"";
  private static final String ACL_WRITE = "acl = \"write\"";

  @TempDir Path dir;
  final FakeTime clock = FakeTime.at(START);

  /** What an operation is given: the server, the token, and state set up for it. */
  record Fixture(EmbeddedServer server, Intention webToDb, String victimToken,
      AtomicInteger counter) {
    String next(String prefix) {
      return prefix + "-" + counter.incrementAndGet();
    }

    String clientUri(String service) {
      return "spiffe://" + server.trustDomain().trustDomain() + "/ns/default/dc/dc1/svc/"
          + service;
    }
  }

  @FunctionalInterface
  interface Call {
    Object run(Fixture f, QueryOptions options) throws Exception;
  }

  /**
   * One operation.
   *
   * @param name for the test report
   * @param rules the rules of a token that may do it
   * @param permission the permission a refusal names, such as {@code service:write on "web"}
   * @param call the operation
   */
  record Operation(String name, String rules, String permission, Call call) {
    @Override
    public String toString() {
      return name + " needs " + permission;
    }
  }

  static Stream<Operation> operations() {
    return Stream.of(
        new Operation("signLeaf", "service \"web\" { policy = \"write\" }",
            "service:write' on \"web\"",
            (f, o) -> get(f.server.signLeaf(Leaves.csr(f.server, "web"), o))),
        new Operation("caConfiguration", OPERATOR_WRITE, "operator:write'",
            (f, o) -> f.server.caConfiguration(o)),
        new Operation("updateCaConfiguration", OPERATOR_WRITE, "operator:write'",
            (f, o) -> f.server.updateCaConfiguration(f.server.caConfiguration(ROOT).toBuilder()
                .leafCertTtl(Duration.ofHours(24 + f.counter.incrementAndGet())).build(), o)),
        new Operation("rotateRoot", OPERATOR_WRITE, "operator:write'",
            (f, o) -> f.server.rotateRoot(o)),
        new Operation("rotateRoot to a supplied root", OPERATOR_WRITE, "operator:write'",
            (f, o) -> {
              BuiltInCaProvider p = BuiltInCaProvider.generate(f.server.trustDomain(),
                  f.server.caConfiguration(ROOT), CLOCK);
              return f.server.rotateRoot(p.exportPrivateKeyPkcs8Pem(),
                  Certificates.toPem(p.rootCertificate()), o);
            }),
        new Operation("intention by ID", SERVICE_DB_READ, "intention:read' on \"db\"",
            (f, o) -> f.server.intention(f.webToDb.id(), o)),
        new Operation("intention by pair", SERVICE_DB_READ, "intention:read' on \"db\"",
            (f, o) -> f.server.intention(WEB, DB, o)),
        new Operation("matchIntentions", SERVICE_DB_READ, "intention:read' on \"db\"",
            (f, o) -> get(f.server.matchIntentions("db", o))),
        new Operation("matchIntentionsBySource", "service \"web\" { policy = \"read\" }",
            "intention:read' on \"web\"",
            (f, o) -> get(f.server.matchIntentionsBySource("web", o))),
        new Operation("createIntention", DB_INTENTIONS_WRITE, "intention:write' on \"db\"",
            (f, o) -> f.server.createIntention(
                Intention.of(f.next("src"), "db", IntentionAction.ALLOW), o)),
        new Operation("upsertIntention", DB_INTENTIONS_WRITE, "intention:write' on \"db\"",
            (f, o) -> f.server.upsertIntention(IntentionTarget.parse(f.next("src")), DB,
                IntentionAction.DENY, "", o)),
        new Operation("deleteIntention by ID", DB_INTENTIONS_WRITE, "intention:write' on \"db\"",
            (f, o) -> f.server.deleteIntention(f.webToDb.id(), o)),
        new Operation("deleteIntention by pair", DB_INTENTIONS_WRITE,
            "intention:write' on \"db\"", (f, o) -> f.server.deleteIntention(WEB, DB, o)),
        new Operation("checkIntention", SERVICE_DB_READ, "service:read' on \"db\"",
            (f, o) -> f.server.checkIntention("web", "db", o)),
        new Operation("authorize", "service \"db\" { policy = \"write\" }",
            "service:write' on \"db\"",
            (f, o) -> f.server.authorize("db", f.clientUri("web"), "", o)),
        new Operation("createPolicy", ACL_WRITE, "acl:write'",
            (f, o) -> f.server.createPolicy(f.next("p"), "", "", o)),
        new Operation("policies", ACL_READ, "acl:read'", (f, o) -> f.server.policies(o)),
        new Operation("policy", ACL_READ, "acl:read'",
            (f, o) -> f.server.policy("global-management", o)),
        new Operation("deletePolicy", ACL_WRITE, "acl:write'",
            (f, o) -> f.server.deletePolicy("victim", o)),
        new Operation("createToken", ACL_WRITE, "acl:write'",
            (f, o) -> f.server.createToken("t", List.of(), o)),
        new Operation("updateToken", ACL_WRITE, "acl:write'",
            (f, o) -> f.server.updateToken(f.victimToken, f.next("d"), List.of(), o)),
        new Operation("tokens", ACL_READ, "acl:read'", (f, o) -> f.server.tokens(o)),
        new Operation("token", ACL_READ, "acl:read'",
            (f, o) -> f.server.token(f.victimToken, o)),
        new Operation("deleteToken", ACL_WRITE, "acl:write'",
            (f, o) -> f.server.deleteToken(f.victimToken, o)));
  }

  private static Object get(CompletableFuture<?> future) throws Exception {
    return future.get(10, TimeUnit.SECONDS);
  }

  private static Throwable failure(Call call, Fixture f, QueryOptions options) {
    Throwable t = catchThrowable(() -> call.run(f, options));
    return t instanceof ExecutionException ? t.getCause() : t;
  }

  private EmbeddedServer open(AclDefaultPolicy policy) throws Exception {
    return EmbeddedServer.builder().dataDirectory(dir).clock(clock).aclsEnabled(true)
        .aclDefaultPolicy(policy).initialManagementToken(ROOT_SECRET).open();
  }

  private static AclToken tokenWith(EmbeddedServer server, String name, String rules) {
    server.createPolicy(name, "", rules, ROOT);
    return server.createToken(name, List.of(name), ROOT);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("operations")
  void eachOperationNeedsConsulsPermission(Operation op) throws Exception {
    try (EmbeddedServer server = open(AclDefaultPolicy.DENY)) {
      Intention webToDb = server.createIntention(Intention.of("web", "db",
          IntentionAction.ALLOW), ROOT);
      server.createPolicy("victim", "", "", ROOT);
      String victim = server.createToken("victim", List.of(), ROOT).accessorId();
      Fixture f = new Fixture(server, webToDb, victim, new AtomicInteger());
      AclToken allowed = tokenWith(server, "allowed", op.rules());
      AclToken other = tokenWith(server, "other",
          "node_prefix \"\" { policy = \"write\" }\nservice \"elsewhere\" { policy = \"write\" }");

      // Refusals first: a delete by the permitted token would leave nothing to refuse.
      Throwable denied = failure(op.call(), f, AclServerTest.token(other));
      assertThat(denied).as("without it").isInstanceOf(PermissionDeniedException.class)
          .hasMessageContaining("token with AccessorID '" + other.accessorId() + "'")
          .hasMessageContaining("lacks permission '" + op.permission())
          .hasMessageNotContaining(other.revealSecretId());

      assertThat(failure(op.call(), f, NONE)).as("anonymous")
          .isInstanceOf(PermissionDeniedException.class)
          .hasMessageContaining("anonymous token lacks permission '" + op.permission());

      String unknown = "8e1f0c3b-9a7d-4b2e-8c6f-5a4d3e2f1b0a";
      assertThat(failure(op.call(), f, AclServerTest.token(unknown))).as("unknown token")
          .isInstanceOf(AclNotFoundException.class).hasMessage("ACL not found")
          .hasMessageNotContaining(unknown);

      assertThat(failure(op.call(), f, AclServerTest.token(allowed)))
          .as("with the permission").isNull();

      assertThat(failure(op.call(), f, ROOT)).as("management").isNull();
    }
  }

  @Test
  void rootsNeedNoPermissionAndIgnoreTheToken() throws Exception {
    try (EmbeddedServer server = open(AclDefaultPolicy.DENY)) {
      CaRoots anonymous = server.roots(NONE).get(10, TimeUnit.SECONDS).value();
      assertThat(server.roots(AclServerTest.token("8e1f0c3b-9a7d-4b2e-8c6f-5a4d3e2f1b0a"))
          .get(10, TimeUnit.SECONDS).value()).isEqualTo(anonymous);
    }
  }

  @Test
  void caConfigurationNeedsOperatorWriteNotJustRead() throws Exception {
    try (EmbeddedServer server = open(AclDefaultPolicy.DENY)) {
      AclToken reader = tokenWith(server, "operator-read", "operator = \"read\"");
      assertThat(catchThrowable(() -> server.caConfiguration(AclServerTest.token(reader))))
          .isInstanceOf(PermissionDeniedException.class)
          .hasMessageContaining("lacks permission 'operator:write'");
    }
  }

  @Test
  void authorizeNeedsIntentionReadBesidesServiceWrite() throws Exception {
    try (EmbeddedServer server = open(AclDefaultPolicy.DENY)) {
      AclToken noIntentions = tokenWith(server, "db-no-intentions",
          "service \"db\" { policy = \"write\" intentions = \"deny\" }");
      String uri = "spiffe://" + server.trustDomain().trustDomain() + "/ns/default/dc/dc1/svc/web";
      assertThat(catchThrowable(() -> server.authorize("db", uri, "",
          AclServerTest.token(noIntentions))))
          .isInstanceOf(PermissionDeniedException.class)
          .hasMessageContaining("lacks permission 'intention:read' on \"db\"");
      // A URI Consul answers with a 400 is denied before any ACL check, as in Consul.
      Decision bad = server.authorize("db", "not a uri", "", NONE);
      assertThat(bad.allowed()).isFalse();
      assertThat(bad.reason()).startsWith("ClientCertURI not a valid Connect identifier");
    }
  }

  @Test
  void listsAreFilteredBySourceOrDestinationNeverRefused() throws Exception {
    try (EmbeddedServer server = open(AclDefaultPolicy.DENY)) {
      for (String[] pair : List.of(new String[] {"api", "web"}, new String[] {"bad", "web"},
          new String[] {"web", "db"}, new String[] {"api", "db"})) {
        server.createIntention(Intention.of(pair[0], pair[1], IntentionAction.ALLOW), ROOT);
      }
      AclToken web = tokenWith(server, "web-write", "service \"web\" { policy = \"write\" }");
      AclToken denied = tokenWith(server, "web-no-intentions",
          "service \"web\" { policy = \"write\" intentions = \"deny\" }");

      assertThat(names(server, AclServerTest.token(web)))
          .containsExactly("api => web", "bad => web", "web => db");
      assertThat(names(server, AclServerTest.token(denied))).isEmpty();
      assertThat(names(server, NONE)).isEmpty();
      assertThat(names(server, ROOT)).hasSize(4);
    }
  }

  private static List<String> names(EmbeddedServer server, QueryOptions options)
      throws Exception {
    return server.intentions(options).get(10, TimeUnit.SECONDS).value().stream()
        .map(i -> i.source().name() + " => " + i.destination().name()).toList();
  }

  @Test
  void defaultDenyDecidesUnmatchedConnectionsEvenForManagement() throws Exception {
    try (EmbeddedServer server = open(AclDefaultPolicy.DENY)) {
      String uri = "spiffe://" + server.trustDomain().trustDomain() + "/ns/default/dc/dc1/svc/web";
      Decision d = server.authorize("db", uri, "", ROOT);
      assertThat(d.allowed()).isFalse();
      assertThat(d.reason()).isEqualTo("Default behavior configured by ACLs");
      assertThat(server.checkIntention("web", "db", ROOT).allowed()).isFalse();
      server.upsertIntention(WEB, DB, IntentionAction.ALLOW, "", ROOT);
      assertThat(server.authorize("db", uri, "", ROOT).reason()).isEqualTo(
          "Matched L4 intention: default/web => default/db (Precedence: 9, Action: ALLOW)");
    }
  }

  @Test
  void defaultAllowLetsTheAnonymousTokenDoAllButAclManagement() throws Exception {
    try (EmbeddedServer server = open(AclDefaultPolicy.ALLOW)) {
      String uri = "spiffe://" + server.trustDomain().trustDomain() + "/ns/default/dc/dc1/svc/web";
      Decision d = server.authorize("db", uri, "", NONE);
      assertThat(d.allowed()).isTrue();
      assertThat(d.reason()).isEqualTo("Default behavior configured by ACLs");
      assertThat(server.checkIntention("web", "db", NONE).reason())
          .isEqualTo("Default behavior configured by ACLs");
      Leaves.issue(server, "web", NONE);
      server.upsertIntention(WEB, DB, IntentionAction.DENY, "", NONE);
      assertThat(server.authorize("db", uri, "", NONE).allowed()).isFalse();
      assertThat(server.rotateRoot(NONE).roots()).hasSize(2);
      assertThat(catchThrowable(() -> server.tokens(NONE)))
          .isInstanceOf(PermissionDeniedException.class)
          .hasMessageContaining("anonymous token lacks permission 'acl:read'");
      // A token whose rules deny overrides the default.
      AclToken noDb = tokenWith(server, "no-db", "service \"db\" { policy = \"deny\" }");
      assertThat(catchThrowable(() -> server.checkIntention("web", "db",
          AclServerTest.token(noDb)))).isInstanceOf(PermissionDeniedException.class);
    }
  }
}
