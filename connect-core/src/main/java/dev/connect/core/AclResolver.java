package dev.connect.core;

import java.util.concurrent.CompletableFuture;

/**
 * The resolution of an ACL token into what it may do, as a server offers it to an agent that
 * enforces a rule of its own before it answers from its cache: Consul's agent resolves the
 * caller's token for {@code POST /v1/agent/connect/authorize} ({@code service:write} on the
 * target) and {@code GET /v1/agent/self} ({@code agent:read}).
 *
 * <p>A backend that runs without ACLs resolves every token to {@link
 * AclAuthorizer#aclsDisabled()}. Implementations are thread-safe and never park the caller's
 * thread.
 */
public interface AclResolver {

  /**
   * Resolves the token that {@code options} carries, or the anonymous token when it carries none.
   *
   * @param options the token and datacenter
   * @return a future of the token's authorizer, naming its accessor ID in denials; completed
   *     exceptionally with {@link AclNotFoundException} if no token has the given secret
   */
  CompletableFuture<AclAuthorizer> resolveToken(QueryOptions options);
}
