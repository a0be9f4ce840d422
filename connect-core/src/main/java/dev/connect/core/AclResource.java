package dev.connect.core;

/**
 * A kind of thing Consul's ACL rules protect, named as Consul names it in permissions ({@code
 * acl/authorizer.go} {@code Resource}): {@code service:write} is {@link #SERVICE} with {@link
 * AccessLevel#WRITE}.
 *
 * <p>Named resources ({@link #named()}) have a rule per name and per name prefix, such as {@code
 * service "web" {...}} and {@code service_prefix "" {...}}. Global resources have one rule each,
 * such as {@code operator = "read"}. {@link #INTENTION} has no rules of its own: its access comes
 * from the {@code intentions} field of service rules.
 */
public enum AclResource {
  /** ACL tokens, policies and roles; the global {@code acl} rule. */
  ACL("acl", false),
  /** Agent endpoints of a node; {@code agent} and {@code agent_prefix} rules. */
  AGENT("agent", true),
  /** User events; {@code event} and {@code event_prefix} rules. */
  EVENT("event", true),
  /** Intentions by destination service; the {@code intentions} field of service rules. */
  INTENTION("intention", true),
  /** Key/value entries; {@code key} and {@code key_prefix} rules, the only ones allowing list. */
  KEY("key", true),
  /** The gossip keyring; the global {@code keyring} rule. */
  KEYRING("keyring", false),
  /** Mesh-wide configuration (Consul 1.11); the global {@code mesh} rule, else {@code operator}. */
  MESH("mesh", false),
  /** Catalog nodes; {@code node} and {@code node_prefix} rules. */
  NODE("node", true),
  /** Cluster operations, including the CA configuration; the global {@code operator} rule. */
  OPERATOR("operator", false),
  /** Cluster peering (Consul 1.13); the global {@code peering} rule, else {@code operator}. */
  PEERING("peering", false),
  /** Prepared queries; {@code query} and {@code query_prefix} rules. */
  QUERY("query", true),
  /** Services, including leaf certificates; {@code service} and {@code service_prefix} rules. */
  SERVICE("service", true),
  /** Sessions by node; {@code session} and {@code session_prefix} rules. */
  SESSION("session", true);

  private final String text;
  private final boolean named;

  AclResource(String text, boolean named) {
    this.text = text;
    this.named = named;
  }

  /** Returns the name Consul uses in permissions and rules, such as {@code "service"}. */
  public String text() {
    return text;
  }

  /** Returns whether rules and permissions for this resource name a thing, such as a service. */
  public boolean named() {
    return named;
  }
}
