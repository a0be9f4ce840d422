package dev.connect.core;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The merged rules of one named resource, looked up as Consul's radix tree is
 * (acl/policy_authorizer.go {@code getPolicy}): an exact rule for the name wins; otherwise the
 * prefix rule with the longest prefix of the name, the name itself included; otherwise none.
 *
 * <p>Lookups cost one hash probe per distinct prefix length, not per rule.
 */
final class AclRuleTable {
  static final AclRuleTable EMPTY = new AclRuleTable(Map.of(), Map.of());

  private final Map<String, AccessLevel> exact;
  private final Map<String, AccessLevel> prefixes;
  private final int[] prefixLengths;

  AclRuleTable(Map<String, AccessLevel> exact, Map<String, AccessLevel> prefixes) {
    this.exact = Map.copyOf(exact);
    this.prefixes = Map.copyOf(prefixes);
    this.prefixLengths = prefixes.keySet().stream().mapToInt(String::length).distinct()
        .map(i -> -i).sorted().map(i -> -i).toArray();
  }

  /** Returns the access of the rule that applies to {@code name}, or null when none does. */
  AccessLevel lookup(String name) {
    AccessLevel level = exact.get(name);
    if (level != null) {
      return level;
    }
    for (int length : prefixLengths) {
      if (length <= name.length()) {
        level = prefixes.get(name.substring(0, length));
        if (level != null) {
          return level;
        }
      }
    }
    return null;
  }

  /** Collects merged rules before they become a table. */
  static final class Builder {
    private final Map<String, AccessLevel> exact = new HashMap<>();
    private final Map<String, AccessLevel> prefixes = new HashMap<>();

    void put(String name, boolean prefix, AccessLevel level) {
      (prefix ? prefixes : exact).put(name, level);
    }

    AclRuleTable build() {
      return exact.isEmpty() && prefixes.isEmpty() ? EMPTY : new AclRuleTable(exact, prefixes);
    }
  }

  @Override
  public String toString() {
    return "AclRuleTable[exact=" + exact + ", prefixes=" + prefixes + ", lengths="
        + Arrays.toString(prefixLengths) + "]";
  }
}
