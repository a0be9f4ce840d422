package dev.connect.agent;

import static java.util.Objects.requireNonNull;

import dev.connect.core.AclPolicy;
import dev.connect.core.AclToken;
import dev.connect.core.QueryOptions;
import dev.connect.core.AclTokenInfo;
import java.util.List;
import java.util.Optional;

/**
 * The ACL system of a {@link ConnectAgent}'s backend, managed with one ACL token: bootstrap,
 * policies and tokens.
 *
 * <pre>{@code
 * AclToken management = agent.acl().bootstrap();      // once per data directory
 * AgentAcl acl = agent.acl(management.revealSecretId());
 * acl.createPolicy("web", "", "service \"web\" { policy = \"write\" }");
 * AclToken web = acl.createToken("web service", List.of("web"));
 * ConnectService handle = agent.service("web", web.revealSecretId());
 * }</pre>
 *
 * <p>Reads need {@code acl:read} and writes {@code acl:write} ({@link
 * dev.connect.core.PermissionDeniedException} otherwise); with ACLs off every call fails with
 * {@code ACL support disabled}. A token's secret is returned only when it is created; the
 * server keeps its hash. The view runs over the backend's {@link dev.connect.core.AclAdmin};
 * over a backend without one every call throws {@link
 * dev.connect.core.UnsupportedByBackendException} naming the operation and the backend.
 * Thread-safe.
 */
public final class AgentAcl {
  private final ConnectAgent agent;
  private final QueryOptions options;

  AgentAcl(ConnectAgent agent, QueryOptions options) {
    this.agent = agent;
    this.options = options;
  }

  /**
   * Creates the first management token (Consul's {@code PUT /v1/acl/bootstrap}); allowed once
   * per data directory, and not at all when an initial management token was configured. Needs
   * no token.
   *
   * @return the token, with its secret
   * @throws dev.connect.core.PermissionDeniedException after the first time
   * @throws dev.connect.core.ConnectException {@code ACL support disabled} when ACLs are off
   * @throws dev.connect.core.UnsupportedByBackendException if the backend does not implement
   *     {@link dev.connect.core.AclAdmin}
   * @throws IllegalStateException if the agent is closed
   */
  public AclToken bootstrap() {
    return Futures.join(agent.aclAdmin().aclBootstrap(options));
  }

  /**
   * Creates a policy.
   *
   * @param name unique; letters, digits, {@code -} and {@code _}
   * @param description free text, may be empty
   * @param rules Consul's HCL or JSON rules, such as {@code service "web" { policy = "write" }}
   * @return the policy
   * @throws IllegalArgumentException if the name is invalid or taken
   * @throws dev.connect.core.PolicyRulesException if the rules do not parse
   * @throws dev.connect.core.PermissionDeniedException if the token lacks {@code acl:write}
   * @throws dev.connect.core.UnsupportedByBackendException if the backend does not implement
   *     {@link dev.connect.core.AclAdmin}
   * @throws IllegalStateException if the agent is closed
   */
  public AclPolicy createPolicy(String name, String description, String rules) {
    requireNonNull(name, "name");
    requireNonNull(description, "description");
    requireNonNull(rules, "rules");
    return Futures.join(agent.aclAdmin().policyCreate(name, description, rules, options));
  }

  /**
   * Lists the policies, the builtin {@code global-management} included.
   *
   * @return the policies by name
   * @throws dev.connect.core.PermissionDeniedException if the token lacks {@code acl:read}
   * @throws dev.connect.core.UnsupportedByBackendException if the backend does not implement
   *     {@link dev.connect.core.AclAdmin}
   * @throws IllegalStateException if the agent is closed
   */
  public List<AclPolicy> policies() {
    return Futures.join(agent.aclAdmin().policyList(options));
  }

  /**
   * Returns the policy with this ID, else this name.
   *
   * @param idOrName a policy ID or name
   * @return the policy, or empty
   * @throws dev.connect.core.PermissionDeniedException if the token lacks {@code acl:read}
   * @throws dev.connect.core.UnsupportedByBackendException if the backend does not implement
   *     {@link dev.connect.core.AclAdmin}
   * @throws IllegalStateException if the agent is closed
   */
  public Optional<AclPolicy> policy(String idOrName) {
    requireNonNull(idOrName, "idOrName");
    return Futures.join(agent.aclAdmin().policyRead(idOrName, options));
  }

  /**
   * Replaces a policy's name, description and rules; its ID and the tokens' links stay.
   *
   * @param id the policy's ID
   * @param name the new name, unique
   * @param description the new description
   * @param rules the new rules, Consul's HCL or JSON
   * @return the policy as it is now
   * @throws IllegalArgumentException if no policy has this ID, the name is invalid or taken, or
   *     the policy is the builtin {@code global-management}
   * @throws dev.connect.core.PolicyRulesException if the rules do not parse
   * @throws dev.connect.core.PermissionDeniedException if the token lacks {@code acl:write}
   * @throws dev.connect.core.UnsupportedByBackendException if the backend does not implement
   *     {@link dev.connect.core.AclAdmin}
   * @throws IllegalStateException if the agent is closed
   */
  public AclPolicy updatePolicy(String id, String name, String description, String rules) {
    requireNonNull(id, "id");
    requireNonNull(name, "name");
    requireNonNull(description, "description");
    requireNonNull(rules, "rules");
    return Futures.join(agent.aclAdmin().policyUpdate(id, name, description, rules, options));
  }

  /**
   * Deletes a policy by ID or name.
   *
   * @param idOrName a policy ID or name
   * @return whether it existed
   * @throws IllegalArgumentException for the builtin {@code global-management} policy
   * @throws dev.connect.core.PermissionDeniedException if the token lacks {@code acl:write}
   * @throws dev.connect.core.UnsupportedByBackendException if the backend does not implement
   *     {@link dev.connect.core.AclAdmin}
   * @throws IllegalStateException if the agent is closed
   */
  public boolean deletePolicy(String idOrName) {
    requireNonNull(idOrName, "idOrName");
    return Futures.join(agent.aclAdmin().policyDelete(idOrName, options));
  }

  /**
   * Creates a token linked to policies; its secret is returned this once.
   *
   * @param description free text, may be empty
   * @param policyIdsOrNames the policies, by ID or name; may be empty
   * @return the token, with its secret ({@link AclToken#revealSecretId()})
   * @throws IllegalArgumentException if a policy does not exist
   * @throws dev.connect.core.PermissionDeniedException if the token lacks {@code acl:write}
   * @throws dev.connect.core.UnsupportedByBackendException if the backend does not implement
   *     {@link dev.connect.core.AclAdmin}
   * @throws IllegalStateException if the agent is closed
   */
  public AclToken createToken(String description, List<String> policyIdsOrNames) {
    requireNonNull(description, "description");
    requireNonNull(policyIdsOrNames, "policyIdsOrNames");
    return Futures.join(agent.aclAdmin().tokenCreate(description, policyIdsOrNames, options));
  }

  /**
   * Replaces a token's description and policies; its secret stays.
   *
   * @param accessorId the token's accessor ID
   * @param description the new description
   * @param policyIdsOrNames the new policies
   * @return the token as it is now, without its secret
   * @throws IllegalArgumentException if the token or a policy does not exist
   * @throws dev.connect.core.PermissionDeniedException if the token lacks {@code acl:write}
   * @throws dev.connect.core.UnsupportedByBackendException if the backend does not implement
   *     {@link dev.connect.core.AclAdmin}
   * @throws IllegalStateException if the agent is closed
   */
  public AclTokenInfo updateToken(String accessorId, String description,
      List<String> policyIdsOrNames) {
    requireNonNull(accessorId, "accessorId");
    requireNonNull(description, "description");
    requireNonNull(policyIdsOrNames, "policyIdsOrNames");
    return Futures.join(agent.aclAdmin().tokenUpdate(accessorId, description, policyIdsOrNames,
        options));
  }

  /**
   * Lists the tokens, without their secrets.
   *
   * @return the tokens, oldest first
   * @throws dev.connect.core.PermissionDeniedException if the token lacks {@code acl:read}
   * @throws dev.connect.core.UnsupportedByBackendException if the backend does not implement
   *     {@link dev.connect.core.AclAdmin}
   * @throws IllegalStateException if the agent is closed
   */
  public List<AclTokenInfo> tokens() {
    return Futures.join(agent.aclAdmin().tokenList(options));
  }

  /**
   * Returns the token with this accessor ID, without its secret.
   *
   * @param accessorId the accessor ID
   * @return the token, or empty
   * @throws dev.connect.core.PermissionDeniedException if the token lacks {@code acl:read}
   * @throws dev.connect.core.UnsupportedByBackendException if the backend does not implement
   *     {@link dev.connect.core.AclAdmin}
   * @throws IllegalStateException if the agent is closed
   */
  public Optional<AclTokenInfo> token(String accessorId) {
    requireNonNull(accessorId, "accessorId");
    return Futures.join(agent.aclAdmin().tokenRead(accessorId, options));
  }

  /**
   * Deletes a token; neither the anonymous token nor this view's own can be deleted.
   *
   * @param accessorId the accessor ID
   * @return whether it existed
   * @throws IllegalArgumentException for the anonymous token or this view's own
   * @throws dev.connect.core.PermissionDeniedException if the token lacks {@code acl:write}
   * @throws dev.connect.core.UnsupportedByBackendException if the backend does not implement
   *     {@link dev.connect.core.AclAdmin}
   * @throws IllegalStateException if the agent is closed
   */
  public boolean deleteToken(String accessorId) {
    requireNonNull(accessorId, "accessorId");
    return Futures.join(agent.aclAdmin().tokenDelete(accessorId, options));
  }

  /**
   * Returns this view's own token (Consul's {@code GET /v1/acl/token/self}).
   *
   * @return the token, without its secret
   * @throws dev.connect.core.AclNotFoundException if this view has no token, or it is unknown
   * @throws dev.connect.core.UnsupportedByBackendException if the backend does not implement
   *     {@link dev.connect.core.AclAdmin}
   * @throws IllegalStateException if the agent is closed
   */
  public AclTokenInfo self() {
    return Futures.join(agent.aclAdmin().tokenReadSelf(options));
  }

  /** Returns the agent and whether a token is used (never the token). */
  @Override
  public String toString() {
    return "AgentAcl[" + agent + ", token="
        + (options.tokenSecret().isPresent() ? "<redacted>" : "anonymous") + "]";
  }
}
