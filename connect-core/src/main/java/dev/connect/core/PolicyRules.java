package dev.connect.core;

import static java.util.Objects.requireNonNull;

import dev.connect.core.internal.AclGoSyntax;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The parsed rules of one ACL policy, written in Consul's rule language or its JSON form.
 *
 * <pre>
 * service "web" { policy = "write" }                 # register web, get its leaf certificate
 * service_prefix "" { policy = "read" }              # discover every service
 * service "db" { policy = "read" intentions = "write" }
 * operator = "read"
 * </pre>
 *
 * <p>The same rules in JSON: {@code {"service": {"web": {"policy": "write"}}, "operator":
 * "read"}}. {@link #parse} tells the forms apart as Consul does, by a leading <code>&#123;</code>.
 *
 * <p>Named rules ({@code service}, {@code node}, {@code key}, {@code agent}, {@code session},
 * {@code event}, {@code query}, each also as {@code _prefix}) take a {@code policy} of {@code
 * deny}, {@code read} or {@code write} ({@code list} too on keys); service rules may also set
 * {@code intentions}. Global rules ({@code acl}, {@code operator}, {@code keyring}, {@code mesh},
 * {@code peering}) take {@code read}, {@code write} or {@code deny}. Rules with the same name may
 * repeat; they merge as rules from separate policies do (see {@link AclAuthorizer}).
 *
 * <p>Sharp edge: a service rule without {@code intentions} still grants intentions {@code read}
 * (for {@code read} and {@code write}), and as an exact rule it outranks any {@code
 * service_prefix} rule's {@code intentions = "write"} for that service.
 *
 * <p>Instances are immutable; two are equal when their texts are, as Consul compares policies by
 * their text.
 */
public final class PolicyRules {
  /**
   * The rules of Consul 1.10's builtin {@code global-management} policy
   * (agent/structs/acl.go {@code ACLPolicyGlobalManagement}).
   */
  static final String GLOBAL_MANAGEMENT_TEXT = "\n"
      + "acl = \"write\"\n"
      + "agent_prefix \"\" {\n\tpolicy = \"write\"\n}\n"
      + "event_prefix \"\" {\n\tpolicy = \"write\"\n}\n"
      + "key_prefix \"\" {\n\tpolicy = \"write\"\n}\n"
      + "keyring = \"write\"\n"
      + "node_prefix \"\" {\n\tpolicy = \"write\"\n}\n"
      + "operator = \"write\"\n"
      + "query_prefix \"\" {\n\tpolicy = \"write\"\n}\n"
      + "service_prefix \"\" {\n\tpolicy = \"write\"\n\tintentions = \"write\"\n}\n"
      + "session_prefix \"\" {\n\tpolicy = \"write\"\n}";

  /** Consul's rule for service identity names (agent/consul/acl_endpoint.go). */
  private static final Pattern SERVICE_IDENTITY_NAME =
      Pattern.compile("[a-z0-9]([a-z0-9\\-_]*[a-z0-9])?");

  private static final PolicyRules EMPTY =
      new PolicyRules("", List.of(), new EnumMap<>(AclResource.class));
  private static final PolicyRules GLOBAL_MANAGEMENT = parse(GLOBAL_MANAGEMENT_TEXT);

  private final String text;
  private final List<PolicyRule> rules;
  private final Map<AclResource, AccessLevel> globalRules;

  PolicyRules(String text, List<PolicyRule> rules, Map<AclResource, AccessLevel> globalRules) {
    this.text = text;
    this.rules = List.copyOf(rules);
    EnumMap<AclResource, AccessLevel> copy = new EnumMap<>(AclResource.class);
    copy.putAll(globalRules);
    this.globalRules = Collections.unmodifiableMap(copy);
  }

  /**
   * Parses the rules of a policy: in JSON when the text starts with <code>&#123;</code>, else
   * in HCL.
   *
   * @param text the rules, as in the {@code Rules} field of a Consul policy; empty for none
   * @return the rules
   * @throws PolicyRulesException naming the line, column and offending text, in Consul's words
   *     where Consul has them ({@code Invalid service policy: ...})
   */
  public static PolicyRules parse(String text) {
    requireNonNull(text, "text");
    return text.isEmpty() ? EMPTY : PolicyRulesParser.parse(text);
  }

  /** Returns rules that grant nothing: the text is empty. */
  public static PolicyRules empty() {
    return EMPTY;
  }

  /**
   * Returns the rules of Consul's builtin {@code global-management} policy: write on every
   * resource ({@code service_prefix "" { policy = "write" intentions = "write" }}, {@code acl},
   * {@code operator}, ...); {@code mesh} and {@code peering} follow {@code operator = "write"}.
   */
  public static PolicyRules globalManagement() {
    return GLOBAL_MANAGEMENT;
  }

  /**
   * Returns the rules Consul synthesizes for a token's service identity: write on the service
   * and its sidecar proxy, read on every service and node (agent/structs/acl_oss.go {@code
   * aclPolicyTemplateServiceIdentity}).
   *
   * @param serviceName the service; lower-case letters, digits, {@code -} and {@code _}, starting
   *     and ending with a letter or digit, at most 256 characters, as Consul requires
   * @return the rules
   * @throws IllegalArgumentException with Consul's message if the name is not valid
   */
  public static PolicyRules serviceIdentity(String serviceName) {
    requireNonNull(serviceName, "serviceName");
    if (serviceName.length() > 256 || !SERVICE_IDENTITY_NAME.matcher(serviceName).matches()) {
      throw new IllegalArgumentException("Service identity " + AclGoSyntax.quote(serviceName)
          + " has an invalid name. Only lowercase alphanumeric characters, '-' and '_' are"
          + " allowed");
    }
    return parse("\nservice \"" + serviceName + "\" {\n\tpolicy = \"write\"\n}\n"
        + "service \"" + serviceName + "-sidecar-proxy\" {\n\tpolicy = \"write\"\n}\n"
        + "service_prefix \"\" {\n\tpolicy = \"read\"\n}\n"
        + "node_prefix \"\" {\n\tpolicy = \"read\"\n}");
  }

  /** Returns the text the rules were parsed from, exactly as given. */
  public String text() {
    return text;
  }

  /** Returns the named rules ({@code service "web" {...}} and the like) in source order. */
  public List<PolicyRule> rules() {
    return rules;
  }

  /**
   * Returns the global rules that are set, such as {@code operator = "read"}, keyed by {@link
   * AclResource#ACL}, {@code OPERATOR}, {@code KEYRING}, {@code MESH} or {@code PEERING}, in that
   * enum's order. A rule set to {@code ""} counts as not set, as in Consul.
   */
  public Map<AclResource, AccessLevel> globalRules() {
    return globalRules;
  }

  /**
   * Returns the global rule for a resource, if the policy sets one.
   *
   * @param resource a global resource such as {@link AclResource#OPERATOR}
   * @return the level, or empty when the policy does not set it
   * @throws IllegalArgumentException if the resource is named, such as {@code SERVICE}
   */
  public Optional<AccessLevel> globalRule(AclResource resource) {
    requireNonNull(resource, "resource");
    if (resource.named()) {
      throw new IllegalArgumentException(resource.text() + " rules are named; see rules()");
    }
    return Optional.ofNullable(globalRules.get(resource));
  }

  /** Returns whether the policy has no rules at all; it then grants nothing. */
  public boolean isEmpty() {
    return rules.isEmpty() && globalRules.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PolicyRules other && text.equals(other.text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  /** Returns the rules in a compact HCL-like form, global rules first. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("PolicyRules[");
    String sep = "";
    for (Map.Entry<AclResource, AccessLevel> e : globalRules.entrySet()) {
      out.append(sep).append(e.getKey().text()).append(" = \"").append(e.getValue().text())
          .append('"');
      sep = ", ";
    }
    for (PolicyRule rule : rules) {
      out.append(sep).append(rule);
      sep = ", ";
    }
    return out.append(']').toString();
  }
}
