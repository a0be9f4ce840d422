package dev.connect.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.AclSamples.RulesSample;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyRulesTest {

  private static PolicyRule service(String name, AccessLevel policy) {
    return PolicyRule.of(AclResource.SERVICE, name, false, policy);
  }

  private static PolicyRule service(String name, AccessLevel policy, AccessLevel intentions) {
    return new PolicyRule(AclResource.SERVICE, name, false, policy, Optional.of(intentions));
  }

  // ---- the recorded samples ----

  static Stream<RulesSample> samples() {
    return AclSamples.rulesTexts().stream();
  }

  @Test
  void samplesHoldEveryPolicyTextRecorded() {
    assertThat(AclSamples.rulesTexts()).extracting(RulesSample::rules).contains(
        "service \"web\" { policy = \"write\" }",
        "service \"web\" { policy = \"write\" intentions = \"deny\" }",
        "service \"db\" { policy = \"write\" intentions = \"write\" }",
        "operator = \"read\"",
        "service \"web\" { policy = \"sideways\" }",
        "");
  }

  /** Texts Consul accepted parse; the one it refused fails with exactly Consul's message. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void parsesEveryRecordedPolicyAsConsulDid(RulesSample sample) {
    if (sample.responseBody().startsWith("Invalid service policy")) {
      assertThatThrownBy(() -> PolicyRules.parse(sample.rules()))
          .isInstanceOfSatisfying(PolicyRulesException.class,
              e -> assertThat(e.consulMessage()).isEqualTo(sample.responseBody()));
    } else {
      assertThat(PolicyRules.parse(sample.rules()).text()).isEqualTo(sample.rules());
    }
  }

  @Test
  void recordedPoliciesMeanWhatConsulDid() {
    assertThat(PolicyRules.parse("service \"web\" { policy = \"write\" }").rules())
        .containsExactly(service("web", AccessLevel.WRITE));
    assertThat(PolicyRules.parse("service \"web\" { policy = \"write\" intentions = \"deny\" }")
        .rules()).containsExactly(service("web", AccessLevel.WRITE, AccessLevel.DENY));
    assertThat(PolicyRules.parse("service \"db\" { policy = \"write\" intentions = \"write\" }")
        .rules()).containsExactly(service("db", AccessLevel.WRITE, AccessLevel.WRITE));
    PolicyRules operator = PolicyRules.parse("operator = \"read\"");
    assertThat(operator.rules()).isEmpty();
    assertThat(operator.globalRules()).containsExactly(Map.entry(AclResource.OPERATOR,
        AccessLevel.READ));
    assertThat(PolicyRules.parse("").isEmpty()).isTrue();
  }

  @Test
  void recordedBadRulesGiveConsulsMessageAndThePosition() {
    assertThatThrownBy(() -> PolicyRules.parse("service \"web\" { policy = \"sideways\" }"))
        .isInstanceOfSatisfying(PolicyRulesException.class, e -> {
          assertThat(e.consulMessage()).isEqualTo("Invalid service policy: &acl.ServiceRule{"
              + "Name:\"web\", Policy:\"sideways\", Intentions:\"\","
              + " EnterpriseRule:acl.EnterpriseRule{}}");
          assertThat(e.line()).isEqualTo(1);
          assertThat(e.column()).isEqualTo(26);
          // Regression (adversarial review, item 10): the message was Consul's Go struct dump.
          assertThat(e).hasMessage("service \"web\": policy \"sideways\" is not read, write or"
              + " deny (at line 1, column 26)");
        });
  }

  // ---- HCL ----

  @Test
  void readsEveryRuleKindInHcl() {
    PolicyRules rules = PolicyRules.parse(String.join("\n",
        "acl = \"read\"",
        "operator = \"write\"",
        "keyring = \"deny\"",
        "mesh = \"read\"",
        "peering = \"write\"",
        "agent \"a1\" { policy = \"read\" }",
        "agent_prefix \"a\" { policy = \"write\" }",
        "event \"e1\" { policy = \"read\" }",
        "event_prefix \"\" { policy = \"deny\" }",
        "key \"k/1\" { policy = \"list\" }",
        "key_prefix \"k/\" { policy = \"write\" }",
        "node \"n1\" { policy = \"read\" }",
        "node_prefix \"\" { policy = \"write\" }",
        "query \"q1\" { policy = \"read\" }",
        "query_prefix \"q\" { policy = \"write\" }",
        "service \"web\" { policy = \"write\" intentions = \"read\" }",
        "service_prefix \"\" { policy = \"read\" }",
        "session \"s1\" { policy = \"read\" }",
        "session_prefix \"s\" { policy = \"write\" }"));
    assertThat(rules.globalRules()).containsExactly(
        Map.entry(AclResource.ACL, AccessLevel.READ),
        Map.entry(AclResource.KEYRING, AccessLevel.DENY),
        Map.entry(AclResource.MESH, AccessLevel.READ),
        Map.entry(AclResource.OPERATOR, AccessLevel.WRITE),
        Map.entry(AclResource.PEERING, AccessLevel.WRITE));
    assertThat(rules.rules()).containsExactly(
        PolicyRule.of(AclResource.AGENT, "a1", false, AccessLevel.READ),
        PolicyRule.of(AclResource.AGENT, "a", true, AccessLevel.WRITE),
        PolicyRule.of(AclResource.EVENT, "e1", false, AccessLevel.READ),
        PolicyRule.of(AclResource.EVENT, "", true, AccessLevel.DENY),
        PolicyRule.of(AclResource.KEY, "k/1", false, AccessLevel.LIST),
        PolicyRule.of(AclResource.KEY, "k/", true, AccessLevel.WRITE),
        PolicyRule.of(AclResource.NODE, "n1", false, AccessLevel.READ),
        PolicyRule.of(AclResource.NODE, "", true, AccessLevel.WRITE),
        PolicyRule.of(AclResource.QUERY, "q1", false, AccessLevel.READ),
        PolicyRule.of(AclResource.QUERY, "q", true, AccessLevel.WRITE),
        service("web", AccessLevel.WRITE, AccessLevel.READ),
        PolicyRule.of(AclResource.SERVICE, "", true, AccessLevel.READ),
        PolicyRule.of(AclResource.SESSION, "s1", false, AccessLevel.READ),
        PolicyRule.of(AclResource.SESSION, "s", true, AccessLevel.WRITE));
    assertThat(rules.globalRule(AclResource.OPERATOR)).contains(AccessLevel.WRITE);
    assertThat(rules.isEmpty()).isFalse();
  }

  @Test
  void readsCommentsSeparatorsAndLayoutsHclAllows() {
    String text = String.join("\n",
        "# a shell comment",
        "// a line comment",
        "/* a block",
        "   comment */ service \"web\" {",
        "  policy = \"write\"   # trailing",
        "  intentions = \"read\" // trailing",
        "}",
        "service \"db\" { policy = \"read\", intentions = \"write\", }",
        "service api { policy = \"read\" }",
        "\"service\" \"quoted\" { \"policy\" = \"deny\" }",
        "service = { \"eq\" = { policy = \"read\" } }",
        "service { nested { policy = \"write\" } }",
        "operator = \"read\", acl = \"\"");
    PolicyRules rules = PolicyRules.parse(text);
    assertThat(rules.rules()).containsExactly(
        service("web", AccessLevel.WRITE, AccessLevel.READ),
        service("db", AccessLevel.READ, AccessLevel.WRITE),
        service("api", AccessLevel.READ),
        service("quoted", AccessLevel.DENY),
        service("eq", AccessLevel.READ),
        service("nested", AccessLevel.WRITE));
    assertThat(rules.globalRules()).as("acl = \"\" counts as not set, as in Consul")
        .containsExactly(Map.entry(AclResource.OPERATOR, AccessLevel.READ));
  }

  @Test
  void readsEscapesInStrings() {
    PolicyRules rules = PolicyRules.parse(
        "service \"a\\\"b\\\\c\\u00e9\\U0001F600\\t\\x41\" { policy = \"write\" }");
    assertThat(rules.rules().get(0).name()).isEqualTo("a\"b\\c\u00e9\uD83D\uDE00\tA");
  }

  @Test
  void acceptsLevelsInAnyCaseAsConsulDoes() {
    assertThat(PolicyRules.parse("service \"web\" { policy = \"WRITE\" intentions = \"Read\" }")
        .rules()).containsExactly(service("web", AccessLevel.WRITE, AccessLevel.READ));
    assertThat(PolicyRules.parse("operator = \"Write\"").globalRule(AclResource.OPERATOR))
        .contains(AccessLevel.WRITE);
  }

  @Test
  void keepsRepeatedRulesForTheAuthorizerToMerge() {
    PolicyRules rules = PolicyRules.parse(
        "service \"web\" { policy = \"write\" }\nservice \"web\" { policy = \"deny\" }");
    assertThat(rules.rules()).containsExactly(service("web", AccessLevel.WRITE),
        service("web", AccessLevel.DENY));
  }

  @Test
  void blankAndCommentOnlyTextsHaveNoRules() {
    for (String text : List.of("", "   \n\t", "# nothing\n// here\n/* at all */")) {
      PolicyRules rules = PolicyRules.parse(text);
      assertThat(rules.isEmpty()).as(text).isTrue();
      assertThat(rules.text()).isEqualTo(text);
    }
    assertThat(PolicyRules.empty().text()).isEmpty();
    assertThat(PolicyRules.empty().isEmpty()).isTrue();
  }

  // ---- JSON ----

  @Test
  void readsTheJsonForm() {
    PolicyRules rules = PolicyRules.parse(
        "{\"service\": {\"web\": {\"policy\": \"write\", \"intentions\": \"read\"},"
            + " \"db\": {\"policy\": \"read\"}},"
            + " \"service_prefix\": {\"\": {\"policy\": \"read\"}},"
            + " \"key_prefix\": [{\"app/\": {\"policy\": \"list\"}},"
            + " {\"b/\": [{\"policy\": \"deny\"}]}],"
            + " \"operator\": \"read\", \"acl\": \"write\"}");
    assertThat(rules.rules()).containsExactly(
        service("web", AccessLevel.WRITE, AccessLevel.READ),
        service("db", AccessLevel.READ),
        PolicyRule.of(AclResource.SERVICE, "", true, AccessLevel.READ),
        PolicyRule.of(AclResource.KEY, "app/", true, AccessLevel.LIST),
        PolicyRule.of(AclResource.KEY, "b/", true, AccessLevel.DENY));
    assertThat(rules.globalRules()).containsExactly(
        Map.entry(AclResource.ACL, AccessLevel.WRITE),
        Map.entry(AclResource.OPERATOR, AccessLevel.READ));
  }

  @Test
  void jsonAndHclOfTheSamePolicyMeanTheSame() {
    PolicyRules hcl = PolicyRules.parse(
        "service \"web\" { policy = \"write\" }\nservice_prefix \"\" { policy = \"read\" }\n"
            + "node_prefix \"\" { policy = \"read\" }\noperator = \"read\"");
    PolicyRules json = PolicyRules.parse("  {\n \"service\": {\"web\": {\"policy\": \"write\"}},"
        + " \"service_prefix\": {\"\": {\"policy\": \"read\"}},"
        + " \"node_prefix\": {\"\": {\"policy\": \"read\"}}, \"operator\": \"read\"}");
    assertThat(json.rules()).isEqualTo(hcl.rules());
    assertThat(json.globalRules()).isEqualTo(hcl.globalRules());
    assertThat(json).as("equality is by text").isNotEqualTo(hcl);
    assertThat(PolicyRules.parse("{}").isEmpty()).isTrue();
  }

  @Test
  void readsJsonEscapes() {
    assertThat(PolicyRules.parse(
        "{\"service\": {\"a\\u00e9\\n\\/\\\"\": {\"policy\": \"read\"}}}").rules().get(0).name())
        .isEqualTo("a\u00e9\n/\"");
  }

  // ---- errors ----

  static Stream<Arguments> invalidValues() {
    return Stream.of(
        Arguments.of("acl = \"sideways\"", "Invalid acl policy: \"sideways\"", 1, 7),
        Arguments.of("acl = \"list\"", "Invalid acl policy: \"list\"", 1, 7),
        Arguments.of("operator = \"allow\"", "Invalid operator policy: \"allow\"", 1, 12),
        Arguments.of("keyring = \"x\"", "Invalid keyring policy: \"x\"", 1, 11),
        Arguments.of("mesh = \"x\"", "Invalid mesh policy: \"x\"", 1, 8),
        Arguments.of("peering = \"x\"", "Invalid peering policy: \"x\"", 1, 11),
        Arguments.of("agent \"n\" { policy = \"x\" }",
            "Invalid agent policy: &acl.AgentRule{Node:\"n\", Policy:\"x\"}", 1, 22),
        Arguments.of("agent_prefix \"\" { policy = \"list\" }",
            "Invalid agent_prefix policy: &acl.AgentRule{Node:\"\", Policy:\"list\"}", 1, 28),
        Arguments.of("key \"k\" { policy = \"x\" }", "Invalid key policy: &acl.KeyRule{"
            + "Prefix:\"k\", Policy:\"x\", EnterpriseRule:acl.EnterpriseRule{}}", 1, 20),
        Arguments.of("key_prefix \"k\" {}", "Invalid key_prefix policy: &acl.KeyRule{"
            + "Prefix:\"k\", Policy:\"\", EnterpriseRule:acl.EnterpriseRule{}}", 1, 12),
        Arguments.of("node \"n\" { policy = \"list\" }", "Invalid node policy: &acl.NodeRule{"
            + "Name:\"n\", Policy:\"list\", EnterpriseRule:acl.EnterpriseRule{}}", 1, 21),
        Arguments.of("node_prefix \"\" { policy = \"\" }", "Invalid node_prefix policy:"
            + " &acl.NodeRule{Name:\"\", Policy:\"\", EnterpriseRule:acl.EnterpriseRule{}}",
            1, 27),
        Arguments.of("service \"db\" { intentions = \"write\" }", "Invalid service policy:"
            + " &acl.ServiceRule{Name:\"db\", Policy:\"\", Intentions:\"write\","
            + " EnterpriseRule:acl.EnterpriseRule{}}", 1, 9),
        Arguments.of("service \"web\" { policy = \"write\" intentions = \"allow\" }",
            "Invalid service intentions policy: &acl.ServiceRule{Name:\"web\", Policy:\"write\","
                + " Intentions:\"allow\", EnterpriseRule:acl.EnterpriseRule{}}", 1, 47),
        Arguments.of("service_prefix \"\" {\n  policy = \"read\"\n  intentions = \"list\"\n}",
            "Invalid service_prefix intentions policy: &acl.ServiceRule{Name:\"\","
                + " Policy:\"read\", Intentions:\"list\", EnterpriseRule:acl.EnterpriseRule{}}",
            3, 16),
        Arguments.of("service_prefix \"\" { policy = \"no\" }", "Invalid service_prefix policy:"
            + " &acl.ServiceRule{Name:\"\", Policy:\"no\", Intentions:\"\","
            + " EnterpriseRule:acl.EnterpriseRule{}}", 1, 30),
        Arguments.of("session \"s\" { policy = \"x\" }",
            "Invalid session policy: &acl.SessionRule{Node:\"s\", Policy:\"x\"}", 1, 24),
        Arguments.of("session_prefix \"s\" { policy = \"x\" }",
            "Invalid session_prefix policy: &acl.SessionRule{Node:\"s\", Policy:\"x\"}", 1, 31),
        Arguments.of("event \"e\" { policy = \"x\" }",
            "Invalid event policy: &acl.EventRule{Event:\"e\", Policy:\"x\"}", 1, 22),
        Arguments.of("event_prefix \"e\" { policy = \"x\" }",
            "Invalid event_prefix policy: &acl.EventRule{Event:\"e\", Policy:\"x\"}", 1, 29),
        Arguments.of("query \"q\" { policy = \"x\" }",
            "Invalid query policy: &acl.PreparedQueryRule{Prefix:\"q\", Policy:\"x\"}", 1, 22),
        Arguments.of("query_prefix \"q\" { policy = \"x\" }",
            "Invalid query_prefix policy: &acl.PreparedQueryRule{Prefix:\"q\", Policy:\"x\"}",
            1, 29),
        Arguments.of("service \"we\\\"b\\n\" { policy = \"x\" }", "Invalid service policy:"
            + " &acl.ServiceRule{Name:\"we\\\"b\\n\", Policy:\"x\", Intentions:\"\","
            + " EnterpriseRule:acl.EnterpriseRule{}}", 1, 30),
        Arguments.of("{\"service\": {\"web\": {\"policy\": \"sideways\"}}}",
            "Invalid service policy: &acl.ServiceRule{Name:\"web\", Policy:\"sideways\","
                + " Intentions:\"\", EnterpriseRule:acl.EnterpriseRule{}}", 1, 32));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidValues")
  void refusesInvalidValuesWithConsulsMessage(String text, String message, int line, int column) {
    assertThatThrownBy(() -> PolicyRules.parse(text))
        .isInstanceOfSatisfying(PolicyRulesException.class, e -> {
          assertThat(e.consulMessage()).isEqualTo(message);
          assertThat(e.line()).as("line").isEqualTo(line);
          assertThat(e.column()).as("column").isEqualTo(column);
          assertThat(e.getMessage()).doesNotContain("&acl.")
              .endsWith(" (at line " + line + ", column " + column + ")");
        });
  }

  @Test
  void reportsTheInvalidValueConsulWouldReportFirst() {
    // Consul validates acl, then agent ... service ... query rules, then keyring and operator,
    // whatever the order in the text.
    String text = "operator = \"x\"\nservice \"web\" { policy = \"x\" }\n"
        + "node \"n\" { policy = \"x\" }\nservice \"api\" { policy = \"y\" }";
    assertThatThrownBy(() -> PolicyRules.parse(text)).isInstanceOfSatisfying(
        PolicyRulesException.class, e -> assertThat(e.consulMessage())
            .startsWith("Invalid node policy: &acl.NodeRule{Name:\"n\""));
    assertThatThrownBy(() -> PolicyRules.parse(text + "\nacl = \"z\"")).isInstanceOfSatisfying(
        PolicyRulesException.class, e -> assertThat(e.consulMessage())
            .isEqualTo("Invalid acl policy: \"z\""));
    assertThatThrownBy(() -> PolicyRules.parse("service \"b\" { policy = \"x\" }\n"
        + "service \"a\" { policy = \"y\" }")).isInstanceOfSatisfying(PolicyRulesException.class,
            e -> assertThat(e.consulMessage()).contains("Name:\"b\""));
  }

  static Stream<Arguments> syntaxErrors() {
    return Stream.of(
        Arguments.of("service \"web\" { policy = \"write\"", 1, 33,
            "unexpected end of rules: the '{' at 1:15 is never closed"),
        Arguments.of("service \"web\" { policy = write }", 1, 26, "expected a value after"
            + " \"policy\" =, found the unquoted word \"write\" (values are quoted: \"write\")"),
        Arguments.of("service \"web\" {\n  policy \"write\"\n}", 3, 1,
            "expected '=' or '{' after \"policy\" \"write\", found '}'"),
        Arguments.of("service \"web\" = { policy = \"write\" }", 1, 15,
            "expected '{' after \"service\" \"web\", found '=' (a labelled block takes no '=')"),
        Arguments.of("service \"web\" { policy = \"wri\nte\" }", 1, 26,
            "unterminated string: no closing '\"' before the end of the line"),
        Arguments.of("operator = \"read\" }", 1, 19, "unexpected '}' with no block open"),
        Arguments.of("/* open", 1, 1, "unterminated comment: no '*/' after '/*'"),
        Arguments.of("operator = \"read\" ;", 1, 19, "illegal character \";\""),
        Arguments.of("service \"a\\qb\" {}", 1, 11, "invalid escape \"\\\\q\" in a string"),
        Arguments.of("servic \"web\" { policy = \"read\" }", 1, 1, "unknown rule \"servic\";"
            + " expected one of acl, agent, agent_prefix, event, event_prefix, key, key_prefix,"
            + " keyring, mesh, node, node_prefix, operator, peering, query, query_prefix,"
            + " service, service_prefix, session, session_prefix"),
        Arguments.of("service \"web\" {\n  policy = \"write\"\n  intention = \"write\"\n}", 3, 3,
            "unknown field \"intention\" in service \"web\"; expected policy or intentions"),
        Arguments.of("node \"n\" { policy = \"read\" intentions = \"read\" }", 1, 28,
            "unknown field \"intentions\" in node \"n\"; expected policy"),
        Arguments.of("service \"web\" { policy = \"read\" policy = \"write\" }", 1, 33,
            "service \"web\": policy was already set at 1:26; each field can only be set once"),
        Arguments.of("operator = \"read\"\noperator = \"write\"", 2, 1,
            "operator was already set at 1:12; each rule can only be set once"),
        Arguments.of("operator = 5", 1, 12, "operator must be a string such as \"read\", found 5"),
        Arguments.of("operator { x = \"y\" }", 1, 10,
            "operator must be a string such as \"read\", found an object"),
        Arguments.of("service = \"web\"", 1, 11, "service must be a block such as service"
            + " \"name\" { policy = \"read\" }, found \"web\""),
        Arguments.of("service \"web\" { policy = true }", 1, 26,
            "service \"web\": policy must be a string such as \"read\", found true"),
        Arguments.of("{\"service\": {\"web\": {\"policy\": \"write\"}", 1, 40,
            "expected ',' or '}' in the object, found the end of the rules"),
        Arguments.of("{\"operator\": \"read\",\n \"acl\" \"write\"}", 2, 8,
            "expected ':' after the key \"acl\", found \"\\\"write\\\"}\""),
        Arguments.of("{\"operator\": \"read\"} x", 1, 22,
            "unexpected \"x\" after the end of the JSON object"),
        Arguments.of("{\"service\": {\"web\": \"write\"}}", 1, 21,
            "service \"web\" must be a block such as { policy = \"read\" }, found \"write\""),
        Arguments.of("{\"operator\": null}", 1, 14,
            "operator must be a string such as \"read\", found null"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("syntaxErrors")
  void reportsSyntaxErrorsWithPositionAndOffendingText(String text, int line, int column,
      String problem) {
    assertThatThrownBy(() -> PolicyRules.parse(text))
        .isInstanceOfSatisfying(PolicyRulesException.class, e -> {
          assertThat(e).hasMessage("Failed to parse ACL rules: At " + line + ":" + column + ": "
              + problem);
          assertThat(e.consulMessage()).isEqualTo(e.getMessage());
          assertThat(e.line()).isEqualTo(line);
          assertThat(e.column()).isEqualTo(column);
        });
  }

  @Test
  void refusesHostileNesting() {
    String deep = "service " + "\"a\" {".repeat(40) + "}".repeat(40);
    assertThatThrownBy(() -> PolicyRules.parse(deep)).isInstanceOf(PolicyRulesException.class)
        .hasMessageContaining("nested more than 32 levels deep");
    String deepJson = "{\"a\":".repeat(40) + "1" + "}".repeat(40);
    assertThatThrownBy(() -> PolicyRules.parse(deepJson))
        .isInstanceOf(PolicyRulesException.class)
        .hasMessageContaining("nested more than 32 levels deep");
  }

  @Test
  void parseRejectsNull() {
    assertThatNullPointerException().isThrownBy(() -> PolicyRules.parse(null)).withMessage("text");
  }

  // ---- builtins, values ----

  @Test
  void globalManagementGrantsWriteOnEverything() {
    PolicyRules rules = PolicyRules.globalManagement();
    assertThat(rules.globalRules()).containsExactly(
        Map.entry(AclResource.ACL, AccessLevel.WRITE),
        Map.entry(AclResource.KEYRING, AccessLevel.WRITE),
        Map.entry(AclResource.OPERATOR, AccessLevel.WRITE));
    assertThat(rules.rules()).contains(new PolicyRule(AclResource.SERVICE, "", true,
        AccessLevel.WRITE, Optional.of(AccessLevel.WRITE)));
    assertThat(rules.rules()).extracting(PolicyRule::keyword).containsExactly("agent_prefix",
        "event_prefix", "key_prefix", "node_prefix", "query_prefix", "service_prefix",
        "session_prefix");
    assertThat(rules.rules()).allSatisfy(r -> {
      assertThat(r.name()).isEmpty();
      assertThat(r.access()).isEqualTo(AccessLevel.WRITE);
    });
    assertThat(rules.text()).startsWith("\nacl = \"write\"\nagent_prefix \"\" {\n\tpolicy");
  }

  @Test
  void serviceIdentityIsConsulsTemplate() {
    PolicyRules rules = PolicyRules.serviceIdentity("web");
    assertThat(rules.rules()).containsExactly(
        service("web", AccessLevel.WRITE),
        service("web-sidecar-proxy", AccessLevel.WRITE),
        PolicyRule.of(AclResource.SERVICE, "", true, AccessLevel.READ),
        PolicyRule.of(AclResource.NODE, "", true, AccessLevel.READ));
    assertThatIllegalArgumentException().isThrownBy(() -> PolicyRules.serviceIdentity("Web"))
        .withMessage("Service identity \"Web\" has an invalid name. Only lowercase alphanumeric"
            + " characters, '-' and '_' are allowed");
    assertThatIllegalArgumentException().isThrownBy(() -> PolicyRules.serviceIdentity("web-"));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> PolicyRules.serviceIdentity("a".repeat(257)));
    assertThat(PolicyRules.serviceIdentity("a".repeat(256)).rules()).hasSize(4);
  }

  @Test
  void globalRuleAnswersForGlobalResourcesOnly() {
    PolicyRules rules = PolicyRules.parse("operator = \"read\"");
    assertThat(rules.globalRule(AclResource.ACL)).isEmpty();
    assertThatIllegalArgumentException().isThrownBy(() -> rules.globalRule(AclResource.SERVICE))
        .withMessage("service rules are named; see rules()");
  }

  @Test
  void equalityIsByTextAndToStringIsReadable() {
    String text =
        "operator = \"read\"\nservice \"web\" { policy = \"write\" intentions = \"deny\" }";
    assertThat(PolicyRules.parse(text)).isEqualTo(PolicyRules.parse(text))
        .hasSameHashCodeAs(PolicyRules.parse(text));
    assertThat(PolicyRules.parse(text)).hasToString("PolicyRules[operator = \"read\","
        + " service \"web\" { policy = \"write\" intentions = \"deny\" }]");
    assertThat(PolicyRules.parse(text).rules()).isUnmodifiable();
    assertThat(PolicyRules.parse(text).globalRules()).isUnmodifiable();
  }
}
