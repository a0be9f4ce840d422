package dev.connect.core;

import static java.util.Objects.requireNonNull;

import dev.connect.core.internal.AclGoSyntax;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A named set of ACL rules that tokens link to, as in Consul's {@code /v1/acl/policy} API.
 *
 * <p>Consul's builtin {@link #globalManagement()} policy, ID {@value #GLOBAL_MANAGEMENT_ID},
 * grants everything; the bootstrap token links to it. A policy with {@link #datacenters()} applies
 * only in those datacenters ({@link #appliesIn}); with none, everywhere.
 *
 * <p>Storage concerns (Consul's {@code Hash}, {@code CreateIndex}, {@code ModifyIndex}) are not
 * part of this value.
 *
 * @param id the policy ID, a UUID
 * @param name the unique name: letters, digits, {@code -} and {@code _}, 1 to 128 characters
 * @param description free text, may be empty
 * @param rules the rules, which keep the text they were parsed from ({@link #rulesText()})
 * @param datacenters the datacenters the policy applies in; empty for all
 */
public record AclPolicy(String id, String name, String description, PolicyRules rules,
    List<String> datacenters) {

  /** The ID of Consul's builtin {@code global-management} policy. */
  public static final String GLOBAL_MANAGEMENT_ID = "00000000-0000-0000-0000-000000000001";
  /** The name of Consul's builtin management policy. */
  public static final String GLOBAL_MANAGEMENT_NAME = "global-management";

  /**
   * Consul 1.10's rule for policy names: {@code ^[A-Za-z0-9\-_]{1,128}$}
   * (agent/consul/acl_endpoint.go {@code validPolicyName}).
   */
  private static final Pattern VALID_NAME = Pattern.compile("[A-Za-z0-9\\-_]{1,128}");

  private static final AclPolicy GLOBAL_MANAGEMENT = new AclPolicy(GLOBAL_MANAGEMENT_ID,
      GLOBAL_MANAGEMENT_NAME, "Builtin Policy that grants unlimited access",
      PolicyRules.globalManagement(), List.of());

  /**
   * Validates the ID and the name and copies the datacenters.
   *
   * @throws IllegalArgumentException if the ID is not a UUID ({@code Policy ID invalid UUID}), the
   *     name is empty ({@code Invalid Policy: no Name is set}) or has other characters than
   *     Consul allows ({@code Invalid Policy: invalid Name. Only alphanumeric characters, '-' and
   *     '_' are allowed}; the message adds the name), or a datacenter is blank
   */
  public AclPolicy {
    requireNonNull(id, "id");
    requireNonNull(name, "name");
    requireNonNull(description, "description");
    requireNonNull(rules, "rules");
    datacenters = List.copyOf(requireNonNull(datacenters, "datacenters"));
    if (!AclIds.isUuid(id)) {
      throw new IllegalArgumentException("Policy ID invalid UUID: " + AclGoSyntax.quote(id));
    }
    if (name.isEmpty()) {
      throw new IllegalArgumentException("Invalid Policy: no Name is set");
    }
    if (!isValidName(name)) {
      throw new IllegalArgumentException("Invalid Policy: invalid Name. Only alphanumeric"
          + " characters, '-' and '_' are allowed: " + AclGoSyntax.quote(name)
          + (name.length() > 128 ? " has " + name.length() + " characters, at most 128" : ""));
    }
    for (String dc : datacenters) {
      if (dc.isBlank()) {
        throw new IllegalArgumentException("datacenter names must not be blank");
      }
    }
  }

  /**
   * Returns a policy for all datacenters, parsing its rules.
   *
   * @param id the policy ID, a UUID
   * @param name the unique name
   * @param description free text, may be empty
   * @param rulesText the rules in HCL or JSON, as in Consul's {@code Rules} field
   * @return the policy
   * @throws PolicyRulesException if the rules do not parse
   * @throws IllegalArgumentException if the ID or name is not valid
   */
  public static AclPolicy of(String id, String name, String description, String rulesText) {
    return new AclPolicy(id, name, description, PolicyRules.parse(rulesText), List.of());
  }

  /**
   * Returns Consul's builtin {@code global-management} policy (ID {@value #GLOBAL_MANAGEMENT_ID},
   * description "Builtin Policy that grants unlimited access", rules {@link
   * PolicyRules#globalManagement()}).
   */
  public static AclPolicy globalManagement() {
    return GLOBAL_MANAGEMENT;
  }

  /**
   * Returns whether a name is valid for a policy: 1 to 128 ASCII letters, digits, {@code -} and
   * {@code _} (Consul 1.10, agent/consul/acl_endpoint.go {@code validPolicyName}).
   *
   * @param name a candidate name
   * @return true if valid
   */
  public static boolean isValidName(String name) {
    return VALID_NAME.matcher(requireNonNull(name, "name")).matches();
  }

  /** Returns the text of the rules, Consul's {@code Rules} field. */
  public String rulesText() {
    return rules.text();
  }

  /**
   * Returns whether the policy applies in a datacenter: when it names no datacenters, or names
   * this one.
   *
   * @param datacenter the datacenter, such as {@code dc1}
   * @return true if the policy's rules count there
   */
  public boolean appliesIn(String datacenter) {
    requireNonNull(datacenter, "datacenter");
    return datacenters.isEmpty() || datacenters.contains(datacenter);
  }
}
