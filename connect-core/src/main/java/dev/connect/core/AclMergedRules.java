package dev.connect.core;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules of all policies of one token merged as Consul merges them (acl/policy_merger.go), in
 * lookup tables as Consul's policy authorizer loads them (acl/policy_authorizer.go {@code
 * loadRules}). See {@link AclAuthorizer} for the semantics.
 */
final class AclMergedRules {
  static final AclMergedRules NONE = new AclMergedRules(Map.of(), Map.of());

  private final Map<AclResource, AclRuleTable> tables;
  private final Map<AclResource, AccessLevel> globals;

  private AclMergedRules(Map<AclResource, AclRuleTable> tables,
      Map<AclResource, AccessLevel> globals) {
    this.tables = tables;
    this.globals = globals;
  }

  private record Key(AclResource resource, boolean prefix, String name) {}

  /** The fields of rules with one key, each merged on its own. */
  private static final class Merged {
    AccessLevel policy;
    AccessLevel intentions;
  }

  static AclMergedRules merge(List<PolicyRules> policies) {
    Map<Key, Merged> merged = new LinkedHashMap<>();
    Map<AclResource, AccessLevel> globals = new EnumMap<>(AclResource.class);
    for (PolicyRules rules : policies) {
      for (PolicyRule rule : rules.rules()) {
        Merged m = merged.computeIfAbsent(new Key(rule.resource(), rule.prefix(), rule.name()),
            k -> new Merged());
        if (m.policy == null || rule.access().takesPrecedenceOver(m.policy)) {
          m.policy = rule.access();
        }
        AccessLevel intentions = rule.intentions().orElse(null);
        if (intentions != null
            && (m.intentions == null || intentions.takesPrecedenceOver(m.intentions))) {
          m.intentions = intentions;
        }
      }
      for (Map.Entry<AclResource, AccessLevel> g : rules.globalRules().entrySet()) {
        AccessLevel current = globals.get(g.getKey());
        if (current == null || g.getValue().takesPrecedenceOver(current)) {
          globals.put(g.getKey(), g.getValue());
        }
      }
    }
    Map<AclResource, AclRuleTable.Builder> builders = new EnumMap<>(AclResource.class);
    for (Map.Entry<Key, Merged> e : merged.entrySet()) {
      Key key = e.getKey();
      Merged m = e.getValue();
      builders.computeIfAbsent(key.resource(), r -> new AclRuleTable.Builder())
          .put(key.name(), key.prefix(), m.policy);
      if (key.resource() == AclResource.SERVICE) {
        // Derived from the merged policy, as Consul derives it after merging.
        AccessLevel intentions =
            m.intentions != null ? m.intentions : PolicyRule.impliedIntentions(m.policy);
        builders.computeIfAbsent(AclResource.INTENTION, r -> new AclRuleTable.Builder())
            .put(key.name(), key.prefix(), intentions);
      }
    }
    Map<AclResource, AclRuleTable> tables = new EnumMap<>(AclResource.class);
    builders.forEach((resource, builder) -> tables.put(resource, builder.build()));
    return new AclMergedRules(tables, globals);
  }

  /** Returns the access of the rule that applies to a permission, or null when none does. */
  AccessLevel ruleFor(Permission permission) {
    AclResource resource = permission.resource();
    if (resource.named()) {
      return tables.getOrDefault(resource, AclRuleTable.EMPTY).lookup(permission.segment().get());
    }
    AccessLevel level = globals.get(resource);
    if (level == null && (resource == AclResource.MESH || resource == AclResource.PEERING)) {
      level = globals.get(AclResource.OPERATOR);
    }
    return level;
  }
}
