package dev.connect.agent;

import dev.connect.ca.CaAdmin;
import dev.connect.ca.CaConfiguration;
import dev.connect.core.AclAdmin;
import dev.connect.core.AclPolicy;
import dev.connect.core.AclToken;
import dev.connect.core.AclTokenInfo;
import dev.connect.core.CaRoots;
import dev.connect.core.ConnectBackend;
import dev.connect.core.Decision;
import dev.connect.core.Intention;
import dev.connect.core.IntentionAction;
import dev.connect.core.IntentionAdmin;
import dev.connect.core.IntentionTarget;
import dev.connect.core.QueryOptions;
import dev.connect.core.QueryResult;
import dev.connect.core.UnsupportedByBackendException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Stands in for the admin interfaces a backend does not implement, so the agent's views call one
 * interface whatever the backend: every call fails with {@link UnsupportedByBackendException}
 * naming the operation, the backend's class and the interface it lacks.
 */
final class MissingAdmin implements IntentionAdmin, CaAdmin, AclAdmin {
  private final String backend;

  MissingAdmin(ConnectBackend backend) {
    this.backend = backend.getClass().getName();
  }

  private <T> CompletableFuture<T> missing(Class<?> type, String method) {
    return CompletableFuture.failedFuture(new UnsupportedByBackendException(
        type.getSimpleName() + "." + method, backend, type.getName()));
  }

  private <T> CompletableFuture<T> intentions(String method) {
    return missing(IntentionAdmin.class, method);
  }

  private <T> CompletableFuture<T> ca(String method) {
    return missing(CaAdmin.class, method);
  }

  private <T> CompletableFuture<T> acl(String method) {
    return missing(AclAdmin.class, method);
  }

  @Override
  public CompletableFuture<Intention> intentionCreate(Intention intention, QueryOptions options) {
    return intentions("intentionCreate");
  }

  @Override
  public CompletableFuture<Intention> intentionUpdate(String id, Intention intention,
      QueryOptions options) {
    return intentions("intentionUpdate");
  }

  @Override
  public CompletableFuture<Intention> intentionUpsert(IntentionTarget source,
      IntentionTarget destination, IntentionAction action, String description,
      QueryOptions options) {
    return intentions("intentionUpsert");
  }

  @Override
  public CompletableFuture<Optional<Intention>> intentionGet(String id, QueryOptions options) {
    return intentions("intentionGet");
  }

  @Override
  public CompletableFuture<Optional<Intention>> intentionGetExact(IntentionTarget source,
      IntentionTarget destination, QueryOptions options) {
    return intentions("intentionGetExact");
  }

  @Override
  public CompletableFuture<QueryResult<List<Intention>>> intentions(QueryOptions options) {
    return intentions("intentions");
  }

  @Override
  public CompletableFuture<Boolean> intentionDelete(String id, QueryOptions options) {
    return intentions("intentionDelete");
  }

  @Override
  public CompletableFuture<Boolean> intentionDeleteExact(IntentionTarget source,
      IntentionTarget destination, QueryOptions options) {
    return intentions("intentionDeleteExact");
  }

  @Override
  public CompletableFuture<Decision> intentionCheck(String source, String destination,
      QueryOptions options) {
    return intentions("intentionCheck");
  }

  @Override
  public CompletableFuture<CaConfiguration> caGetConfig(QueryOptions options) {
    return ca("caGetConfig");
  }

  @Override
  public CompletableFuture<CaRoots> caSetConfig(CaConfiguration configuration,
      QueryOptions options) {
    return ca("caSetConfig");
  }

  @Override
  public CompletableFuture<CaRoots> caRotate(QueryOptions options) {
    return ca("caRotate");
  }

  @Override
  public CompletableFuture<CaRoots> caRotate(String privateKeyPem, String rootCertPem,
      QueryOptions options) {
    return ca("caRotate");
  }

  @Override
  public CompletableFuture<AclToken> aclBootstrap(QueryOptions options) {
    return acl("aclBootstrap");
  }

  @Override
  public CompletableFuture<AclPolicy> policyCreate(String name, String description,
      String rules, QueryOptions options) {
    return acl("policyCreate");
  }

  @Override
  public CompletableFuture<Optional<AclPolicy>> policyRead(String idOrName,
      QueryOptions options) {
    return acl("policyRead");
  }

  @Override
  public CompletableFuture<List<AclPolicy>> policyList(QueryOptions options) {
    return acl("policyList");
  }

  @Override
  public CompletableFuture<AclPolicy> policyUpdate(String id, String name, String description,
      String rules, QueryOptions options) {
    return acl("policyUpdate");
  }

  @Override
  public CompletableFuture<Boolean> policyDelete(String idOrName, QueryOptions options) {
    return acl("policyDelete");
  }

  @Override
  public CompletableFuture<AclToken> tokenCreate(String description,
      List<String> policyIdsOrNames, QueryOptions options) {
    return acl("tokenCreate");
  }

  @Override
  public CompletableFuture<Optional<AclTokenInfo>> tokenRead(String accessorId,
      QueryOptions options) {
    return acl("tokenRead");
  }

  @Override
  public CompletableFuture<AclTokenInfo> tokenReadSelf(QueryOptions options) {
    return acl("tokenReadSelf");
  }

  @Override
  public CompletableFuture<List<AclTokenInfo>> tokenList(QueryOptions options) {
    return acl("tokenList");
  }

  @Override
  public CompletableFuture<AclTokenInfo> tokenUpdate(String accessorId, String description,
      List<String> policyIdsOrNames, QueryOptions options) {
    return acl("tokenUpdate");
  }

  @Override
  public CompletableFuture<Boolean> tokenDelete(String accessorId, QueryOptions options) {
    return acl("tokenDelete");
  }

  @Override
  public String toString() {
    return "MissingAdmin[" + backend + "]";
  }
}
