package dev.connect.http.internal;

import static dev.connect.http.internal.Endpoints.json;

import dev.connect.agent.ConnectAgent;
import dev.connect.ca.CaAdmin;
import dev.connect.ca.CaConfiguration;
import dev.connect.consul.CaConfigurationRequestWire;
import dev.connect.consul.CaConfigurationWire;
import dev.connect.consul.Shape;
import dev.connect.core.CaRoot;
import dev.connect.core.CaRoots;
import dev.connect.core.QueryOptions;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET|PUT /v1/connect/ca/configuration} on the backend's {@link CaAdmin}. A PUT rotates as
 * Consul's does: to the supplied root when {@code Config} holds {@code PrivateKey} and {@code
 * RootCert}, else to a newly generated one, cross-signed by the old root either way.
 */
final class CaConfigEndpoints {
  private final ConnectAgent agent;

  CaConfigEndpoints(ConnectAgent agent) {
    this.agent = agent;
  }

  Router register(Router router) {
    router.add("GET", "/v1/connect/ca/configuration", this::get);
    router.add("PUT", "/v1/connect/ca/configuration", this::put);
    return router;
  }

  private CaAdmin admin() {
    if (agent.backend() instanceof CaAdmin a) {
      return a;
    }
    throw new ApiException(501, "this agent's backend does not manage the CA: "
        + agent.backend().getClass().getSimpleName());
  }

  private static QueryOptions options(ApiRequest r) {
    QueryOptions.Builder o = QueryOptions.builder();
    r.token().ifPresent(o::token);
    return o.build();
  }

  private CompletableFuture<ApiReply> get(ApiRequest r, String rest) {
    QueryOptions o = options(r);
    return admin().caGetConfig(o).thenCompose(config -> agent.backend().roots(
        QueryOptions.defaults()).thenApply(q -> {
          CaRoot first = q.value().roots().get(0);
          // The configuration has no index of its own here: the first root's creation and the
          // roots index stand for Consul's CreateIndex and ModifyIndex.
          return json(r, CaConfigurationWire.from(config, first.createIndex(), q.index()));
        }));
  }

  private CompletableFuture<ApiReply> put(ApiRequest r, String rest) {
    CaConfigurationRequestWire wire = Json.read(r.body(),
        Shape.of(CaConfigurationRequestWire.class), "Request decode failed: ");
    String provider = wire.provider() == null ? "" : wire.provider();
    if (!provider.equals(CaConfigurationRequestWire.PROVIDER_CONSUL)) {
      // Consul: 500; the client named a provider this agent does not have.
      throw new ApiException(400, "could not initialize provider: unknown CA provider \""
          + provider + "\"");
    }
    CaConfiguration config;
    try {
      config = wire.toCaConfiguration();
    } catch (IllegalArgumentException e) {
      throw new ApiException(400, "error configuring provider: " + e.getMessage());
    }
    Optional<String> key = wire.privateKeyPem();
    Optional<String> cert = wire.rootCertPem();
    if (key.isPresent() != cert.isPresent()) {
      throw new ApiException(400, "error configuring provider: PrivateKey and RootCert go"
          + " together; got only " + (key.isPresent() ? "PrivateKey" : "RootCert"));
    }
    QueryOptions o = options(r);
    CaAdmin admin = admin();
    return agent.backend().roots(QueryOptions.defaults()).thenCompose(before ->
        admin.caSetConfig(config, o).thenCompose(after -> {
          if (key.isPresent()) {
            return admin.caRotate(key.get(), cert.get(), o);
          }
          if (!after.activeRootId().equals(before.value().activeRootId())) {
            return CompletableFuture.<CaRoots>completedFuture(after); // the key type changed
          }
          return admin.caRotate(o);
        })).thenApply(roots -> ApiReply.empty());
  }
}
