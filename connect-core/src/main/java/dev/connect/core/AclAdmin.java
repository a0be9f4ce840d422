package dev.connect.core;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The administration of ACLs, as a server offers it beside the read seam ({@link
 * ConnectBackend}): bootstrap, policies and tokens, Consul's {@code /v1/acl} endpoints, named
 * after the methods of Consul's Go {@code api} client ({@code PolicyCreate}, {@code
 * TokenReadSelf}, ...).
 *
 * <p>Every call carries its ACL token in {@link QueryOptions}: reads need {@code acl:read},
 * writes {@code acl:write}. Failures complete the future exceptionally: {@link
 * PermissionDeniedException}, {@link AclNotFoundException} for an unknown token, {@link
 * IllegalArgumentException} for an invalid or unknown value (naming it), {@link
 * PolicyRulesException} for rules that do not parse, and {@link ConnectException} with {@code
 * ACL support disabled} when the server runs without ACLs. A token's secret is returned only
 * when the token is created. None of these calls blocks.
 *
 * <p>A backend that offers only some of these operations completes the others exceptionally
 * with {@link UnsupportedByBackendException}. Implementations are thread-safe and never park the
 * caller's thread.
 */
public interface AclAdmin {

  /**
   * Creates the first management token ({@code PUT /v1/acl/bootstrap}); allowed once. Needs no
   * token; {@code options} only chooses the datacenter.
   *
   * @param options the datacenter
   * @return a future of the token, with its secret; completed exceptionally with {@link
   *     PermissionDeniedException} after the first time
   */
  CompletableFuture<AclToken> aclBootstrap(QueryOptions options);

  /**
   * Creates a policy ({@code PUT /v1/acl/policy}).
   *
   * @param name unique; letters, digits, {@code -} and {@code _}
   * @param description free text, may be empty
   * @param rules Consul's HCL or JSON rules
   * @param options the token
   * @return a future of the policy, with its new ID
   */
  CompletableFuture<AclPolicy> policyCreate(String name, String description, String rules,
      QueryOptions options);

  /**
   * Returns the policy with this ID, else the one with this name ({@code GET
   * /v1/acl/policy/<id>}, then {@code /v1/acl/policy/name/<name>}).
   *
   * @param idOrName a policy ID or name
   * @param options the token
   * @return a future of the policy, or empty
   */
  CompletableFuture<Optional<AclPolicy>> policyRead(String idOrName, QueryOptions options);

  /**
   * Lists the policies by name, the builtin {@code global-management} included ({@code GET
   * /v1/acl/policies}).
   *
   * @param options the token
   * @return a future of the policies
   */
  CompletableFuture<List<AclPolicy>> policyList(QueryOptions options);

  /**
   * Replaces a policy's name, description and rules; its ID stays, and so do the tokens' links
   * to it ({@code PUT /v1/acl/policy/<id>}).
   *
   * @param id the policy's ID
   * @param name the new name, unique
   * @param description the new description
   * @param rules the new rules
   * @param options the token
   * @return a future of the policy as it is now; completed exceptionally with {@link
   *     IllegalArgumentException} if no policy has this ID, the name is taken, or the policy is
   *     the builtin {@code global-management}
   */
  CompletableFuture<AclPolicy> policyUpdate(String id, String name, String description,
      String rules, QueryOptions options);

  /**
   * Deletes a policy by ID or name ({@code DELETE /v1/acl/policy/<id>}); tokens lose their link.
   *
   * @param idOrName a policy ID or name
   * @param options the token
   * @return a future of whether it existed
   */
  CompletableFuture<Boolean> policyDelete(String idOrName, QueryOptions options);

  /**
   * Creates a token linked to policies ({@code PUT /v1/acl/token}); its secret is returned this
   * once.
   *
   * @param description free text, may be empty
   * @param policyIdsOrNames the policies, by ID or name; may be empty
   * @param options the token
   * @return a future of the token, with its secret
   */
  CompletableFuture<AclToken> tokenCreate(String description, List<String> policyIdsOrNames,
      QueryOptions options);

  /**
   * Returns the token with this accessor ID, without its secret ({@code GET
   * /v1/acl/token/<accessor>}).
   *
   * @param accessorId the accessor ID
   * @param options the token
   * @return a future of the token, or empty
   */
  CompletableFuture<Optional<AclTokenInfo>> tokenRead(String accessorId, QueryOptions options);

  /**
   * Returns the token {@code options} carries ({@code GET /v1/acl/token/self}); needs no
   * permission.
   *
   * @param options the token
   * @return a future of the token, without its secret; completed exceptionally with {@link
   *     AclNotFoundException} if there is no token or it is unknown
   */
  CompletableFuture<AclTokenInfo> tokenReadSelf(QueryOptions options);

  /**
   * Lists the tokens, oldest first, without their secrets ({@code GET /v1/acl/tokens}).
   *
   * @param options the token
   * @return a future of the tokens
   */
  CompletableFuture<List<AclTokenInfo>> tokenList(QueryOptions options);

  /**
   * Replaces a token's description and policies; its secret stays ({@code PUT
   * /v1/acl/token/<accessor>}).
   *
   * @param accessorId the token's accessor ID
   * @param description the new description
   * @param policyIdsOrNames the new policies, by ID or name
   * @param options the token
   * @return a future of the token as it is now, without its secret
   */
  CompletableFuture<AclTokenInfo> tokenUpdate(String accessorId, String description,
      List<String> policyIdsOrNames, QueryOptions options);

  /**
   * Deletes a token ({@code DELETE /v1/acl/token/<accessor>}); neither the anonymous token nor
   * the one making the request can be deleted.
   *
   * @param accessorId the accessor ID
   * @param options the token
   * @return a future of whether it existed
   */
  CompletableFuture<Boolean> tokenDelete(String accessorId, QueryOptions options);
}
