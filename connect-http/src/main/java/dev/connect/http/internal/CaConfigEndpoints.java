package dev.connect.http.internal;

import static dev.connect.http.internal.Endpoints.json;

import dev.connect.agent.ConnectAgent;
import dev.connect.ca.CaAdmin;
import dev.connect.ca.CaConfiguration;
import dev.connect.ca.CaProviderConfig;
import dev.connect.consul.CaConfigurationRequestWire;
import dev.connect.consul.CaConfigurationWire;
import dev.connect.consul.Shape;
import dev.connect.core.CaRoot;
import dev.connect.core.CaRoots;
import dev.connect.core.QueryOptions;
import dev.connect.core.UnsupportedByBackendException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code GET|PUT /v1/connect/ca/configuration} on the backend's {@link CaAdmin}. A PUT rotates as
 * Consul's does: to the supplied root when {@code Config} holds {@code PrivateKey} and {@code
 * RootCert}, else to a newly generated one, cross-signed by the old root either way.
 *
 * <p>With an external provider (Vault), GET names it and adds its settings in Consul's names
 * ({@code Address}, {@code RootPKIPath}, ..., never {@code Token}); a PUT naming it applies the
 * common settings and then its own ({@link CaAdmin#caSetProviderConfig}): a new intermediate, and
 * a new root cross-signed by the old one when {@code RootPKIPath} changes. A PUT naming another
 * provider than the one signing is refused with 400: the provider is chosen when the data
 * directory is created. A backend that does not report its provider is taken as {@code consul}.
 */
final class CaConfigEndpoints {
  private static final String VAULT = "vault";

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
    CaAdmin admin = admin();
    return admin.caGetConfig(o).thenCompose(config -> provider(admin, o).thenCompose(p ->
        agent.backend().roots(QueryOptions.defaults()).thenApply(q -> {
          CaRoot first = q.value().roots().get(0);
          // The configuration has no index of its own here: the first root's creation and the
          // roots index stand for Consul's CreateIndex and ModifyIndex.
          CaConfigurationWire wire =
              CaConfigurationWire.from(config, first.createIndex(), q.index());
          if (!p.provider().equals(CaConfigurationRequestWire.PROVIDER_CONSUL)) {
            Map<String, Object> merged = new TreeMap<>(wire.config());
            merged.putAll(p.settings());
            wire = new CaConfigurationWire(p.provider(), merged, null, false,
                wire.createIndex(), wire.modifyIndex());
          }
          return json(r, wire);
        })));
  }

  /** The backend's provider; {@code consul} for a backend that does not report it. */
  private static CompletableFuture<CaProviderConfig> provider(CaAdmin admin, QueryOptions o) {
    return admin.caGetProviderConfig(o).exceptionally(e -> {
      Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      if (t instanceof UnsupportedByBackendException) {
        return new CaProviderConfig(CaConfigurationRequestWire.PROVIDER_CONSUL, Map.of());
      }
      throw e instanceof CompletionException c ? c : new CompletionException(t);
    });
  }

  private CompletableFuture<ApiReply> put(ApiRequest r, String rest) {
    CaConfigurationRequestWire wire = Json.read(r.body(),
        Shape.of(CaConfigurationRequestWire.class), "Request decode failed: ");
    String provider = wire.provider() == null ? "" : wire.provider();
    if (!provider.equals(CaConfigurationRequestWire.PROVIDER_CONSUL)
        && !provider.equals(VAULT)) {
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
    return provider(admin, o).thenCompose(signing -> {
      if (!signing.provider().equals(provider)) {
        throw new ApiException(400, "switching the CA provider from " + signing.provider()
            + " to " + provider + " is not supported: the provider is chosen when the data"
            + " directory is created (connect agent --ca-provider)");
      }
      if (provider.equals(CaConfigurationRequestWire.PROVIDER_CONSUL)) {
        return putConsul(admin, config, key, cert, o);
      }
      if (key.isPresent()) {
        throw new ApiException(400, "error configuring provider: PrivateKey and RootCert are"
            + " settings of the consul provider, not of " + provider);
      }
      Map<String, Object> settings = new TreeMap<>();
      if (wire.config() != null) {
        wire.config().forEach((k, v) -> {
          if (v != null) {
            settings.put(k, v);
          }
        });
      }
      return admin.caSetConfig(config, o).thenCompose(after ->
          admin.caSetProviderConfig(new CaProviderConfig(provider, settings), o));
    }).thenApply(roots -> ApiReply.empty());
  }

  private CompletableFuture<CaRoots> putConsul(CaAdmin admin, CaConfiguration config,
      Optional<String> key, Optional<String> cert, QueryOptions o) {
    return agent.backend().roots(QueryOptions.defaults()).thenCompose(before ->
        admin.caSetConfig(config, o).thenCompose(after -> {
          if (key.isPresent()) {
            return admin.caRotate(key.get(), cert.get(), o);
          }
          if (!after.activeRootId().equals(before.value().activeRootId())) {
            return CompletableFuture.<CaRoots>completedFuture(after); // the key type changed
          }
          return admin.caRotate(o);
        }));
  }
}
