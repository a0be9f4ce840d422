package dev.connect.core;

import dev.connect.core.internal.AclGoSyntax;
import dev.connect.core.internal.AclJsonReader;
import dev.connect.core.internal.HclNode;
import dev.connect.core.internal.HclNode.Entry;
import dev.connect.core.internal.HclNode.Kind;
import dev.connect.core.internal.HclParser;
import dev.connect.core.internal.HclSyntaxException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the text of a policy, HCL or JSON, into {@link PolicyRules}, in two steps as Consul does:
 * decode the whole text (a syntax error is {@code Failed to parse ACL rules: At l:c: ...}), then
 * validate the values in Consul's order (acl/policy.go {@code PolicyRules.Validate}), so that of
 * several bad values the one Consul names is the one reported.
 *
 * <p>One deliberate difference: Consul's HCL decoder ignores keys it does not know, so a typo
 * such as {@code intention = "write"} silently grants nothing; here it is an error naming the key.
 */
final class PolicyRulesParser {

  /** The block rules, in the order Consul validates them. */
  private enum BlockKind {
    AGENT(AclResource.AGENT, false, "AgentRule", "Node", false),
    AGENT_PREFIX(AclResource.AGENT, true, "AgentRule", "Node", false),
    KEY(AclResource.KEY, false, "KeyRule", "Prefix", true),
    KEY_PREFIX(AclResource.KEY, true, "KeyRule", "Prefix", true),
    NODE(AclResource.NODE, false, "NodeRule", "Name", true),
    NODE_PREFIX(AclResource.NODE, true, "NodeRule", "Name", true),
    SERVICE(AclResource.SERVICE, false, "ServiceRule", "Name", true),
    SERVICE_PREFIX(AclResource.SERVICE, true, "ServiceRule", "Name", true),
    SESSION(AclResource.SESSION, false, "SessionRule", "Node", false),
    SESSION_PREFIX(AclResource.SESSION, true, "SessionRule", "Node", false),
    EVENT(AclResource.EVENT, false, "EventRule", "Event", false),
    EVENT_PREFIX(AclResource.EVENT, true, "EventRule", "Event", false),
    QUERY(AclResource.QUERY, false, "PreparedQueryRule", "Prefix", false),
    QUERY_PREFIX(AclResource.QUERY, true, "PreparedQueryRule", "Prefix", false);

    final AclResource resource;
    final boolean prefix;
    final String goType;
    final String goNameField;
    final boolean enterpriseRule;
    final String keyword;

    BlockKind(AclResource resource, boolean prefix, String goType, String goNameField,
        boolean enterpriseRule) {
      this.resource = resource;
      this.prefix = prefix;
      this.goType = goType;
      this.goNameField = goNameField;
      this.enterpriseRule = enterpriseRule;
      this.keyword = prefix ? resource.text() + "_prefix" : resource.text();
    }
  }

  /** The global rules, in the order Consul validates them ({@code acl} first, others last). */
  private static final List<AclResource> GLOBALS = List.of(AclResource.ACL, AclResource.KEYRING,
      AclResource.OPERATOR, AclResource.MESH, AclResource.PEERING);

  private static final Map<String, BlockKind> BLOCKS = new HashMap<>();

  static {
    for (BlockKind kind : BlockKind.values()) {
      BLOCKS.put(kind.keyword, kind);
    }
  }

  private static final String KNOWN_KEYS = "acl, agent, agent_prefix, event, event_prefix, key,"
      + " key_prefix, keyring, mesh, node, node_prefix, operator, peering, query, query_prefix,"
      + " service, service_prefix, session, session_prefix";

  /** A value as written, with its position; {@code text} is "" when the field is omitted. */
  private record Value(String text, int line, int column, boolean present) {}

  private record RawRule(BlockKind kind, int order, String name, int line, int column,
      Value policy, Value intentions) {}

  private final List<RawRule> rules = new ArrayList<>();
  private final Map<AclResource, Value> globals = new EnumMap<>(AclResource.class);

  private PolicyRulesParser() {}

  static PolicyRules parse(String text) {
    HclNode root;
    try {
      root = isJson(text) ? AclJsonReader.parse(text) : HclParser.parse(text);
      PolicyRulesParser parser = new PolicyRulesParser();
      parser.decode(root);
      return parser.validate(text);
    } catch (HclSyntaxException e) {
      throw new PolicyRulesException("Failed to parse ACL rules: " + e.getMessage(), e.line(),
          e.column(), true);
    }
  }

  /** Consul's HCL decoder reads the text as JSON when its first non-space character is '{'. */
  private static boolean isJson(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!Character.isWhitespace(c) && c != '\ufeff') {
        return c == '{';
      }
    }
    return false;
  }

  private void decode(HclNode root) {
    for (Entry entry : root.entries()) {
      BlockKind kind = BLOCKS.get(entry.key());
      if (kind != null) {
        blocks(kind, entry, entry.value());
        continue;
      }
      AclResource global = global(entry.key());
      if (global == null) {
        throw new HclSyntaxException(entry.line(), entry.column(), "unknown rule "
            + AclGoSyntax.quote(entry.key()) + "; expected one of " + KNOWN_KEYS);
      }
      HclNode value = entry.value();
      if (value.kind() != Kind.STRING) {
        throw new HclSyntaxException(value.line(), value.column(), entry.key()
            + " must be a string such as \"read\", found " + value.describe());
      }
      Value previous = globals.get(global);
      if (previous != null) {
        throw new HclSyntaxException(entry.line(), entry.column(), entry.key()
            + " was already set at " + previous.line() + ":" + previous.column()
            + "; each rule can only be set once");
      }
      globals.put(global, new Value(value.text(), value.line(), value.column(), true));
    }
  }

  private static AclResource global(String key) {
    for (AclResource r : GLOBALS) {
      if (r.text().equals(key)) {
        return r;
      }
    }
    return null;
  }

  /** Reads {@code service { "web" {...} "db" {...} }}, or a JSON list of such objects. */
  private void blocks(BlockKind kind, Entry entry, HclNode node) {
    if (node.kind() == Kind.LIST) {
      for (HclNode item : node.items()) {
        blocks(kind, entry, item);
      }
      return;
    }
    if (node.kind() != Kind.OBJECT) {
      throw new HclSyntaxException(node.line(), node.column(), kind.keyword
          + " must be a block such as " + kind.keyword + " \"name\" { policy = \"read\" }, found "
          + node.describe());
    }
    for (Entry labelled : node.entries()) {
      rule(kind, labelled, labelled.value());
    }
  }

  private void rule(BlockKind kind, Entry label, HclNode body) {
    String what = kind.keyword + " " + AclGoSyntax.quote(label.key());
    if (body.kind() == Kind.LIST) {
      for (HclNode item : body.items()) {
        rule(kind, label, item);
      }
      return;
    }
    if (body.kind() != Kind.OBJECT) {
      throw new HclSyntaxException(body.line(), body.column(), what
          + " must be a block such as { policy = \"read\" }, found " + body.describe());
    }
    Value policy = null;
    Value intentions = null;
    for (Entry field : body.entries()) {
      boolean isPolicy = field.key().equals("policy");
      boolean isIntentions = kind.resource == AclResource.SERVICE
          && field.key().equals("intentions");
      if (!isPolicy && !isIntentions) {
        throw new HclSyntaxException(field.line(), field.column(), "unknown field "
            + AclGoSyntax.quote(field.key()) + " in " + what + "; expected policy"
            + (kind.resource == AclResource.SERVICE ? " or intentions" : ""));
      }
      HclNode value = field.value();
      if (value.kind() != Kind.STRING) {
        throw new HclSyntaxException(value.line(), value.column(), what + ": " + field.key()
            + " must be a string such as \"read\", found " + value.describe());
      }
      Value previous = isPolicy ? policy : intentions;
      if (previous != null) {
        throw new HclSyntaxException(field.line(), field.column(), what + ": " + field.key()
            + " was already set at " + previous.line() + ":" + previous.column()
            + "; each field can only be set once");
      }
      Value read = new Value(value.text(), value.line(), value.column(), true);
      if (isPolicy) {
        policy = read;
      } else {
        intentions = read;
      }
    }
    Value absent = new Value("", label.line(), label.column(), false);
    rules.add(new RawRule(kind, rules.size(), label.key(), label.line(), label.column(),
        policy == null ? absent : policy, intentions == null ? absent : intentions));
  }

  private PolicyRules validate(String text) {
    Map<AclResource, AccessLevel> levels = new EnumMap<>(AclResource.class);
    validateGlobal(AclResource.ACL, levels);
    List<RawRule> ordered = new ArrayList<>(rules);
    ordered.sort(Comparator.comparing(RawRule::kind).thenComparingInt(RawRule::order));
    for (RawRule raw : ordered) {
      if (policyLevel(raw.kind(), raw.policy().text()) == null) {
        throw invalid(raw.kind().keyword + " policy", raw, raw.policy());
      }
      if (!raw.intentions().text().isEmpty()
          && policyLevel(raw.kind(), raw.intentions().text()) == null) {
        throw invalid(raw.kind().keyword + " intentions policy", raw, raw.intentions());
      }
    }
    for (AclResource global : GLOBALS.subList(1, GLOBALS.size())) {
      validateGlobal(global, levels);
    }
    List<PolicyRule> result = new ArrayList<>();
    for (RawRule raw : rules) {
      AccessLevel policy = AccessLevel.parseOrNull(raw.policy().text());
      Optional<AccessLevel> intentions = raw.intentions().text().isEmpty() ? Optional.empty()
          : Optional.of(AccessLevel.parseOrNull(raw.intentions().text()));
      result.add(new PolicyRule(raw.kind().resource, raw.name(), raw.kind().prefix, policy,
          intentions));
    }
    return new PolicyRules(text, result, levels);
  }

  private void validateGlobal(AclResource global, Map<AclResource, AccessLevel> levels) {
    Value value = globals.get(global);
    if (value == null || value.text().isEmpty()) {
      return;
    }
    AccessLevel level = AccessLevel.parseOrNull(value.text());
    if (level == null || level == AccessLevel.LIST) {
      throw new PolicyRulesException("Invalid " + global.text() + " policy: "
          + AclGoSyntax.quote(value.text()), value.line(), value.column(), false);
    }
    levels.put(global, level);
  }

  /** Consul's {@code isPolicyValid}: a known level, and list only on keys. */
  private static AccessLevel policyLevel(BlockKind kind, String text) {
    AccessLevel level = AccessLevel.parseOrNull(text);
    if (level == AccessLevel.LIST && kind.resource != AclResource.KEY) {
      return null;
    }
    return level;
  }

  private static PolicyRulesException invalid(String what, RawRule raw, Value at) {
    return new PolicyRulesException(ourWords(what, raw, at), "Invalid " + what + ": "
        + goStruct(raw), at.line(), at.column());
  }

  /** The refusal for people: {@code service "web": policy "sideways" is not read, ...}. */
  private static String ourWords(String what, RawRule raw, Value at) {
    String field = what.endsWith("intentions policy") ? "intentions" : "policy";
    String allowed = raw.kind().resource == AclResource.KEY ? "read, write, list or deny"
        : "read, write or deny";
    String rule = raw.kind().keyword + " " + AclGoSyntax.quote(raw.name());
    return at.text().isEmpty() ? rule + ": " + field + " is missing; give one of " + allowed
        : rule + ": " + field + " " + AclGoSyntax.quote(at.text()) + " is not " + allowed;
  }

  /** The rule as Go's {@code %#v} prints Consul's struct, which Consul puts in its messages. */
  private static String goStruct(RawRule raw) {
    BlockKind kind = raw.kind();
    StringBuilder out = new StringBuilder("&acl.").append(kind.goType).append('{')
        .append(kind.goNameField).append(':').append(AclGoSyntax.quote(raw.name()))
        .append(", Policy:").append(AclGoSyntax.quote(raw.policy().text()));
    if (kind.resource == AclResource.SERVICE) {
      out.append(", Intentions:").append(AclGoSyntax.quote(raw.intentions().text()));
    }
    if (kind.enterpriseRule) {
      out.append(", EnterpriseRule:acl.EnterpriseRule{}");
    }
    return out.append('}').toString();
  }
}
