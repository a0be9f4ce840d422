package dev.connect.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class AclAuthorizerTest {
  private static final String WEB_ACCESSOR = "ae57a5c5-847c-23dd-51d6-70dbba39354a";

  /** Parses {@code "service:write web"}, {@code "operator:read"} or {@code "key:list ''"}. */
  static Permission permission(String text) {
    String[] parts = text.split(" ", 2);
    String[] kind = parts[0].split(":");
    AclResource resource = AclResource.valueOf(kind[0].toUpperCase(java.util.Locale.ROOT));
    AccessLevel access = AccessLevel.parse(kind[1]);
    if (parts.length == 1) {
      return Permission.of(resource, access);
    }
    return Permission.of(resource, access, parts[1].equals("''") ? "" : parts[1]);
  }

  private static AclAuthorizer authorizer(AclDefaultPolicy defaultPolicy, String... policies) {
    return AclAuthorizer.of(defaultPolicy,
        Arrays.stream(policies).map(PolicyRules::parse).toList());
  }

  private static Arguments row(String rules, AclDefaultPolicy defaultPolicy, String permission,
      boolean allowed) {
    return Arguments.of(rules, defaultPolicy, permission, allowed);
  }

  static Stream<Arguments> precedence() {
    AclDefaultPolicy deny = AclDefaultPolicy.DENY;
    AclDefaultPolicy allow = AclDefaultPolicy.ALLOW;
    String exactReadPrefixWrite =
        "service \"web\" { policy = \"read\" }\nservice_prefix \"\" { policy = \"write\" }";
    String prefixes = "service_prefix \"\" { policy = \"read\" }\n"
        + "service_prefix \"we\" { policy = \"write\" }\n"
        + "service_prefix \"web-\" { policy = \"deny\" }";
    String implied = "service \"web\" { policy = \"write\" }\n"
        + "service \"api\" { policy = \"read\" }\nservice \"db\" { policy = \"deny\" }";
    String explicit = "service \"web\" { policy = \"write\" intentions = \"deny\" }\n"
        + "service \"db\" { policy = \"read\" intentions = \"write\" }";
    String exactImpliedBeatsPrefix =
        "service_prefix \"\" { policy = \"write\" intentions = \"write\" }\n"
            + "service \"web\" { policy = \"write\" }";
    return Stream.of(
        // an exact rule beats every prefix rule, whatever they grant
        row(exactReadPrefixWrite, deny, "service:write web", false),
        row(exactReadPrefixWrite, deny, "service:read web", true),
        row(exactReadPrefixWrite, deny, "service:write webx", true),
        row("service \"web\" { policy = \"deny\" }\nservice_prefix \"w\" { policy = \"write\" }",
            allow, "service:read web", false),
        row("service \"web\" { policy = \"write\" }\nservice_prefix \"web\" { policy = \"deny\" }",
            deny, "service:write web", true),
        // the longest prefix wins; a prefix rule covers the name equal to its prefix
        row(prefixes, deny, "service:write web", true),
        row(prefixes, deny, "service:write we", true),
        row(prefixes, deny, "service:write w", false),
        row(prefixes, deny, "service:read w", true),
        row(prefixes, deny, "service:read wax", true),
        row(prefixes, deny, "service:write wax", false),
        row(prefixes, allow, "service:read web-api", false),
        row(prefixes, deny, "service:read ''", true),
        // one rule decides alone; the default only when no rule applies
        row("service \"web\" { policy = \"read\" }", allow, "service:write web", false),
        row("service \"web\" { policy = \"read\" }", allow, "service:write db", true),
        row("service \"web\" { policy = \"read\" }", deny, "service:read db", false),
        row("service_prefix \"\" { policy = \"deny\" }", allow, "service:read web", false),
        row("service \"web\" { policy = \"write\" }", deny, "service:read Web", false),
        row("", allow, "service:write web", true),
        row("", deny, "service:read web", false),
        // intentions implied by the service policy when omitted
        row(implied, deny, "intention:read web", true),
        row(implied, deny, "intention:write web", false),
        row(implied, deny, "intention:read api", true),
        row(implied, deny, "intention:write api", false),
        row(implied, allow, "intention:read db", false),
        row(implied, deny, "intention:read other", false),
        row(implied, allow, "intention:write other", true),
        // explicit intentions
        row(explicit, deny, "service:write web", true),
        row(explicit, deny, "intention:read web", false),
        row(explicit, deny, "intention:write db", true),
        row(explicit, deny, "service:write db", false),
        // an exact rule's implied intentions beat a prefix rule's intentions = "write"
        row(exactImpliedBeatsPrefix, deny, "intention:write web", false),
        row(exactImpliedBeatsPrefix, deny, "intention:read web", true),
        row(exactImpliedBeatsPrefix, deny, "intention:write db", true),
        row("service_prefix \"\" { policy = \"read\" }", deny, "intention:read anything", true),
        row("service_prefix \"\" { policy = \"deny\" intentions = \"read\" }", deny,
            "intention:read x", true),
        // nodes, keys (list), other named resources
        row("node_prefix \"\" { policy = \"read\" }\nnode \"n1\" { policy = \"write\" }", deny,
            "node:write n1", true),
        row("node_prefix \"\" { policy = \"read\" }\nnode \"n1\" { policy = \"write\" }", deny,
            "node:write n2", false),
        row("key_prefix \"app/\" { policy = \"list\" }", deny, "key:list app/x", true),
        row("key_prefix \"app/\" { policy = \"list\" }", deny, "key:read app/x", true),
        row("key_prefix \"app/\" { policy = \"list\" }", deny, "key:write app/x", false),
        row("key_prefix \"app/\" { policy = \"read\" }", deny, "key:list app/x", false),
        row("key \"\" { policy = \"write\" }", deny, "key:write ''", true),
        row("agent_prefix \"\" { policy = \"read\" }", deny, "agent:read n1", true),
        row("session \"n1\" { policy = \"write\" }", deny, "session:write n1", true),
        row("event_prefix \"deploy\" { policy = \"write\" }", deny, "event:write deploy-1", true),
        row("query_prefix \"\" { policy = \"read\" }", deny, "query:write q", false),
        // global rules
        row("operator = \"read\"", deny, "operator:read", true),
        row("operator = \"read\"", allow, "operator:write", false),
        row("operator = \"deny\"", allow, "operator:read", false),
        row("", allow, "operator:write", true),
        row("keyring = \"read\"", deny, "keyring:read", true),
        row("keyring = \"read\"", deny, "keyring:write", false),
        // acl: never by default, even under allow
        row("", allow, "acl:read", false),
        row("", allow, "acl:write", false),
        row("acl = \"read\"", deny, "acl:read", true),
        row("acl = \"read\"", deny, "acl:write", false),
        row("acl = \"write\"", deny, "acl:write", true),
        // mesh and peering follow operator when they have no rule
        row("operator = \"write\"", deny, "mesh:write", true),
        row("operator = \"read\"", deny, "mesh:write", false),
        row("operator = \"write\"\nmesh = \"read\"", deny, "mesh:write", false),
        row("operator = \"deny\"\nmesh = \"write\"", deny, "mesh:write", true),
        row("operator = \"deny\"", allow, "mesh:read", false),
        row("", allow, "mesh:write", true),
        row("operator = \"read\"", deny, "peering:read", true),
        row("peering = \"deny\"\noperator = \"write\"", allow, "peering:read", false));
  }

  @ParameterizedTest(name = "[{index}] {2} under default {1}")
  @MethodSource("precedence")
  void rulePrecedence(String rules, AclDefaultPolicy defaultPolicy, String permission,
      boolean allowed) {
    assertThat(authorizer(defaultPolicy, rules).allows(permission(permission)))
        .as("%s with rules:%n%s", permission, rules).isEqualTo(allowed);
  }

  static Stream<Arguments> merges() {
    return Stream.of(
        // deny in any policy wins ...
        Arguments.of(List.of("service \"web\" { policy = \"write\" }",
            "service \"web\" { policy = \"deny\" }"), "service:read web", false),
        // ... while write beats read
        Arguments.of(List.of("service \"web\" { policy = \"read\" }",
            "service \"web\" { policy = \"write\" }"), "service:write web", true),
        Arguments.of(List.of("service_prefix \"w\" { policy = \"write\" }",
            "service_prefix \"w\" { policy = \"read\" }"), "service:write web", true),
        // fields merge separately; intentions are derived after the merge
        Arguments.of(List.of("service \"web\" { policy = \"write\" }",
            "service \"web\" { policy = \"read\" intentions = \"write\" }"),
            "intention:write web", true),
        Arguments.of(List.of("service \"web\" { policy = \"write\" }",
            "service \"web\" { policy = \"read\" intentions = \"write\" }"),
            "service:write web", true),
        Arguments.of(List.of("service \"web\" { policy = \"write\" }",
            "service \"web\" { policy = \"write\" intentions = \"deny\" }"),
            "intention:read web", false),
        Arguments.of(List.of("service \"web\" { policy = \"write\" intentions = \"read\" }",
            "service \"web\" { policy = \"deny\" }"), "intention:read web", true),
        Arguments.of(List.of("service \"web\" { policy = \"write\" }",
            "service \"web\" { policy = \"deny\" }"), "intention:read web", false),
        // exact and prefix rules are separate rules, never merged with each other
        Arguments.of(List.of("service \"web\" { policy = \"read\" }",
            "service_prefix \"web\" { policy = \"write\" }"), "service:write web", false),
        Arguments.of(List.of("service \"web\" { policy = \"read\" }",
            "service_prefix \"web\" { policy = \"write\" }"), "service:write web2", true),
        // list sits between write and read
        Arguments.of(List.of("key \"k\" { policy = \"list\" }", "key \"k\" { policy = \"read\" }"),
            "key:list k", true),
        Arguments.of(List.of("key \"k\" { policy = \"list\" }", "key \"k\" { policy = \"write\" }"),
            "key:write k", true),
        // global rules
        Arguments.of(List.of("operator = \"read\"", "operator = \"write\""), "operator:write",
            true),
        Arguments.of(List.of("operator = \"write\"", "operator = \"deny\""), "operator:read",
            false),
        Arguments.of(List.of("acl = \"read\"", ""), "acl:read", true),
        // a rule repeated in one policy merges the same way
        Arguments.of(List.of("service \"web\" { policy = \"write\" }\n"
            + "service \"web\" { policy = \"deny\" }"), "service:read web", false));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("merges")
  void mergesPoliciesAsConsulDoesInEitherOrder(List<String> policies, String permission,
      boolean allowed) {
    List<String> reversed = new ArrayList<>(policies);
    java.util.Collections.reverse(reversed);
    for (List<String> order : List.of(policies, reversed)) {
      assertThat(authorizer(AclDefaultPolicy.DENY, order.toArray(String[]::new))
          .allows(permission(permission))).as("%s with policies %s", permission, order)
          .isEqualTo(allowed);
    }
  }

  /** The lookup agrees with a brute-force reading of Consul's rules over random rule sets. */
  @Test
  void lookupAgreesWithBruteForceReference() {
    Random random = new Random(20261127L);
    String[] names = {"", "a", "ab", "abc", "abd", "b", "ba", "bab", "c"};
    AccessLevel[] levels = {AccessLevel.DENY, AccessLevel.READ, AccessLevel.WRITE};
    for (int round = 0; round < 500; round++) {
      List<PolicyRule> rules = new ArrayList<>();
      int count = random.nextInt(8);
      for (int i = 0; i < count; i++) {
        rules.add(PolicyRule.of(AclResource.SERVICE, names[random.nextInt(names.length)],
            random.nextBoolean(), levels[random.nextInt(levels.length)]));
      }
      AclDefaultPolicy defaultPolicy = random.nextBoolean() ? AclDefaultPolicy.ALLOW
          : AclDefaultPolicy.DENY;
      StringBuilder text = new StringBuilder();
      for (PolicyRule rule : rules) {
        text.append(rule).append('\n');
      }
      AclAuthorizer authz = AclAuthorizer.of(defaultPolicy, List.of(PolicyRules.parse(
          text.toString())));
      for (String name : names) {
        for (AccessLevel needed : List.of(AccessLevel.READ, AccessLevel.WRITE)) {
          boolean expected = reference(rules, name, needed, defaultPolicy);
          assertThat(authz.allows(Permission.of(AclResource.SERVICE, needed, name)))
              .as("service:%s on %s with%n%s", needed, name, text).isEqualTo(expected);
        }
      }
    }
  }

  private static boolean reference(List<PolicyRule> rules, String name, AccessLevel needed,
      AclDefaultPolicy defaultPolicy) {
    AccessLevel exact = null;
    AccessLevel prefix = null;
    int prefixLength = -1;
    for (PolicyRule rule : rules) {
      if (!rule.prefix() && rule.name().equals(name)) {
        exact = strictest(exact, rule.access());
      }
      if (rule.prefix() && name.startsWith(rule.name())) {
        if (rule.name().length() > prefixLength) {
          prefixLength = rule.name().length();
          prefix = rule.access();
        } else if (rule.name().length() == prefixLength) {
          prefix = strictest(prefix, rule.access());
        }
      }
    }
    AccessLevel rule = exact != null ? exact : prefix;
    if (rule == null) {
      return defaultPolicy.allows();
    }
    return rule == AccessLevel.WRITE || rule == AccessLevel.READ && needed == AccessLevel.READ;
  }

  private static AccessLevel strictest(AccessLevel a, AccessLevel b) {
    if (a == null) {
      return b;
    }
    if (a == AccessLevel.DENY || b == AccessLevel.DENY) {
      return AccessLevel.DENY;
    }
    return a.compareTo(b) >= 0 ? a : b;
  }

  // ---- the recorded run B (default_policy deny) ----

  @Test
  void recordedTokensOfRunB() {
    AclDefaultPolicy deny = AclDefaultPolicy.DENY;
    AclAuthorizer web = authorizer(deny, "service \"web\" { policy = \"write\" }");
    assertThat(web.serviceWrite("web")).as("acl-leaf-web-with-web-token: 200").isTrue();
    assertThat(web.serviceWrite("db")).as("acl-leaf-db-with-web-token: 403").isFalse();
    assertThat(web.intentionRead("web")).as("acl-intentions-match-web-token: 200").isTrue();
    assertThat(web.intentionRead("db")).as("acl-intentions-match-db-web-token: 403").isFalse();
    assertThat(web.intentionWrite("db")).as("acl-intention-create-web-token: 403").isFalse();
    assertThat(web.intentionWrite("web")).as("acl-intention-put-exact-web-token-dest-web: 403")
        .isFalse();
    assertThat(web.operatorWrite()).as("acl-ca-config-with-web-token: 403").isFalse();
    assertThat(web.aclWrite()).as("acl-policy-create-with-web-token: 403").isFalse();
    assertThat(web.aclRead()).as("acl-tokens-list-with-web-token: 403").isFalse();
    assertThat(web.nodeRead("realpeers-dev")).as("catalog needs node:read too").isFalse();

    AclAuthorizer noIntentions = authorizer(deny,
        "service \"web\" { policy = \"write\" intentions = \"deny\" }");
    assertThat(noIntentions.serviceWrite("web")).isTrue();
    assertThat(noIntentions.intentionRead("web"))
        .as("acl-authorize-no-intentions-read: 403").isFalse();

    AclAuthorizer dbIntentions = authorizer(deny,
        "service \"db\" { policy = \"write\" intentions = \"write\" }");
    assertThat(dbIntentions.intentionWrite("db"))
        .as("acl-intention-create-db-intentions-token: 200").isTrue();

    AclAuthorizer anonymous = AclAuthorizer.of(deny, List.of());
    assertThat(anonymous.serviceWrite("web")).as("acl-leaf-web-no-token: 403").isFalse();
    assertThat(anonymous.intentionRead("web")).isFalse();
    assertThat(anonymous.operatorRead()).as("acl-ca-config-no-token: 403").isFalse();

    AclAuthorizer master = AclAuthorizer.management(deny);
    assertThat(master.serviceWrite("web")).isTrue();
    assertThat(master.intentionDefaultAllow())
        .as("acl-authorize-master: Default behavior configured by ACLs, not authorized")
        .isFalse();
    assertThat(master.defaultIntentionPolicy())
        .isEqualTo(DefaultIntentionPolicy.ACLS_DEFAULT_DENY);
  }

  // ---- builtins ----

  @ParameterizedTest
  @EnumSource(AclDefaultPolicy.class)
  void managementMayDoEverything(AclDefaultPolicy defaultPolicy) {
    AclAuthorizer management = AclAuthorizer.management(defaultPolicy);
    for (String p : List.of("service:write web", "service:read ''", "intention:write web",
        "intention:read db", "node:write n1", "key:write app/x", "key:list ''", "agent:write a",
        "session:write s", "event:write e", "query:write q", "operator:write", "acl:write",
        "acl:read", "keyring:write", "mesh:write", "peering:write")) {
      assertThat(management.allows(permission(p))).as(p).isTrue();
    }
    assertThat(management.aclWrite()).isTrue();
    assertThat(management.meshWrite()).isTrue();
    assertThat(management.intentionDefaultAllow()).isEqualTo(defaultPolicy.allows());
    assertThat(management.aclsEnabled()).isTrue();
  }

  @Test
  void aclsDisabledAllowsEverything() {
    AclAuthorizer disabled = AclAuthorizer.aclsDisabled();
    for (String p : List.of("service:write web", "intention:write web", "node:write n",
        "operator:write", "acl:write", "acl:read", "mesh:write", "key:list x")) {
      assertThat(disabled.allows(permission(p))).as(p).isTrue();
      assertThatCode(() -> disabled.enforce(permission(p))).doesNotThrowAnyException();
    }
    assertThat(disabled.intentionDefaultAllow()).isTrue();
    assertThat(disabled.defaultIntentionPolicy()).isEqualTo(DefaultIntentionPolicy.ACLS_DISABLED);
    assertThat(disabled.aclsEnabled()).isFalse();
    assertThat(disabled.forAccessor(WEB_ACCESSOR).aclsEnabled()).isFalse();
    assertThat(disabled).hasToString("AclAuthorizer[ACLs disabled]");
  }

  @Test
  void intentionDefaultFollowsTheDefaultPolicyWhateverTheRules() {
    assertThat(authorizer(AclDefaultPolicy.ALLOW, "service_prefix \"\" { policy = \"deny\" }")
        .intentionDefaultAllow()).isTrue();
    assertThat(authorizer(AclDefaultPolicy.ALLOW).defaultIntentionPolicy())
        .isEqualTo(DefaultIntentionPolicy.ACLS_DEFAULT_ALLOW);
    assertThat(authorizer(AclDefaultPolicy.DENY, PolicyRules.GLOBAL_MANAGEMENT_TEXT)
        .intentionDefaultAllow()).isFalse();
  }

  // ---- enforcement ----

  @Test
  void enforceNamesTokenPermissionAndResource() {
    AclAuthorizer web = authorizer(AclDefaultPolicy.DENY, "service \"web\" { policy = \"write\" }")
        .forAccessor(WEB_ACCESSOR);
    assertThatCode(() -> web.enforce(Permission.serviceWrite("web"))).doesNotThrowAnyException();
    assertThatThrownBy(() -> web.enforce(Permission.serviceWrite("db")))
        .isInstanceOfSatisfying(PermissionDeniedException.class, e -> {
          assertThat(e).hasMessage("Permission denied: token with AccessorID '" + WEB_ACCESSOR
              + "' lacks permission 'service:write' on \"db\"");
          assertThat(e.accessorId()).contains(WEB_ACCESSOR);
          assertThat(e.permission()).contains(Permission.serviceWrite("db"));
        });
    assertThatThrownBy(() -> web.enforce(Permission.operatorWrite()))
        .hasMessage("Permission denied: token with AccessorID '" + WEB_ACCESSOR
            + "' lacks permission 'operator:write'");
    assertThatThrownBy(() -> authorizer(AclDefaultPolicy.DENY).enforce(Permission.aclRead()))
        .hasMessage("Permission denied: provided token lacks permission 'acl:read'");
    assertThatThrownBy(() -> authorizer(AclDefaultPolicy.DENY)
        .forAccessor(AclToken.ANONYMOUS_ACCESSOR_ID).enforce(Permission.intentionRead("web")))
        .hasMessage("Permission denied: anonymous token lacks permission 'intention:read' on"
            + " \"web\". The anonymous token is used implicitly when a request does not specify"
            + " a token.");
  }

  @Test
  void forAccessorKeepsTheRulesAndChecksTheId() {
    AclAuthorizer base = authorizer(AclDefaultPolicy.DENY, "operator = \"read\"");
    AclAuthorizer named = base.forAccessor(WEB_ACCESSOR);
    assertThat(named.operatorRead()).isTrue();
    assertThat(named.operatorWrite()).isFalse();
    assertThat(named.accessorId()).contains(WEB_ACCESSOR);
    assertThat(base.accessorId()).isEmpty();
    assertThat(named).hasToString("AclAuthorizer[accessor=" + WEB_ACCESSOR
        + ", policies=1, default=deny]");
    assertThat(base).hasToString("AclAuthorizer[accessor=<none>, policies=1, default=deny]");
    assertThatIllegalArgumentException().isThrownBy(() -> base.forAccessor("3d3c7d98-secret"))
        .withMessage("accessorId must be a UUID, not \"3d3c7d98-secret\"");
  }

  @Test
  void convenienceMethodsAskForTheNamedPermissions() {
    AclAuthorizer authz = authorizer(AclDefaultPolicy.DENY,
        "service \"s\" { policy = \"read\" intentions = \"write\" }\n"
            + "node \"n\" { policy = \"read\" }\noperator = \"read\"\nacl = \"read\"\n"
            + "mesh = \"read\"");
    assertThat(authz.serviceRead("s")).isTrue();
    assertThat(authz.serviceWrite("s")).isFalse();
    assertThat(authz.intentionRead("s")).isTrue();
    assertThat(authz.intentionWrite("s")).isTrue();
    assertThat(authz.nodeRead("n")).isTrue();
    assertThat(authz.nodeWrite("n")).isFalse();
    assertThat(authz.operatorRead()).isTrue();
    assertThat(authz.operatorWrite()).isFalse();
    assertThat(authz.aclRead()).isTrue();
    assertThat(authz.aclWrite()).isFalse();
    assertThat(authz.meshRead()).isTrue();
    assertThat(authz.meshWrite()).isFalse();
  }
}
