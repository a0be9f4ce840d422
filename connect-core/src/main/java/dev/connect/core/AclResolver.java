package dev.connect.core;

import java.util.concurrent.CompletableFuture;

/**
 * A backend that resolves an ACL token to what it may do, for a front end that enforces Consul's
 * rules itself: {@code connect agent} checks {@code service:write} before it registers a service
 * and filters {@code /v1/agent/services} by {@code service:read}, as a Consul agent does with its
 * own resolved token. The embedded server is one.
 *
 * <p>Implementations are thread-safe; see {@link ConnectBackend} for how calls complete.
 */
public interface AclResolver {

  /**
   * Resolves the token of {@code options} (the anonymous token when there is none).
   *
   * @param options the token and the datacenter
   * @return a future of the token's authorizer, {@link AclAuthorizer#aclsDisabled()} when ACLs
   *     are off; completed exceptionally with {@link AclNotFoundException} when no token has the
   *     given secret
   */
  CompletableFuture<AclAuthorizer> authorizer(QueryOptions options);
}
