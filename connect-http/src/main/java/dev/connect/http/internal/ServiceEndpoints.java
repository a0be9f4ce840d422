package dev.connect.http.internal;

import static dev.connect.http.internal.Endpoints.json;

import dev.connect.agent.ConnectAgent;
import dev.connect.consul.AgentServiceRegistrationWire;
import dev.connect.consul.AgentServiceWire;
import dev.connect.consul.CatalogServiceWire;
import dev.connect.consul.ConsulJson;
import dev.connect.consul.ExposeWire;
import dev.connect.consul.GoMultiError;
import dev.connect.consul.HealthCheckWire;
import dev.connect.consul.HealthServiceWire;
import dev.connect.consul.JsonStyle;
import dev.connect.consul.MeshGatewayWire;
import dev.connect.consul.NodeWire;
import dev.connect.consul.ProxyWire;
import dev.connect.consul.ServiceAddressWire;
import dev.connect.consul.ServiceConnectWire;
import dev.connect.consul.ServiceEntryWire;
import dev.connect.consul.Shape;
import dev.connect.consul.UpstreamWire;
import dev.connect.consul.WeightsWire;
import dev.connect.core.AclAuthorizer;
import dev.connect.core.AclResolver;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.QueryOptions;
import dev.connect.core.ServiceNames;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongUnaryOperator;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Service registration as a Consul agent does it, from the services registered with this agent
 * ({@link ServiceCatalog}; there is no cluster, so the catalog is this agent's one node): {@code
 * PUT /v1/agent/service/register} (Connect native services, {@code connect-proxy} services and
 * {@code Connect.SidecarService} expanded to {@code <id>-sidecar-proxy}), {@code PUT
 * /v1/agent/service/deregister/<id>}, {@code GET /v1/agent/services}, {@code GET
 * /v1/agent/service/<id>} (blocking on {@code hash}), {@code GET /v1/health/connect/<service>}
 * and {@code GET /v1/catalog/connect/<service>} (blocking on {@code index}).
 *
 * <p>This agent runs no health checks: a registration with {@code Check} or {@code Checks} is
 * refused with a 400, and every registered service is passing (docs/http.md lists this).
 */
final class ServiceEndpoints {
  static final String NODE_ADDRESS = "127.0.0.1";
  static final String CONNECT_PROXY = "connect-proxy";
  static final String SIDECAR_SUFFIX = "-sidecar-proxy";
  /** Consul's default range for sidecar ports ({@code ports.sidecar_min_port}/{@code max}). */
  static final int SIDECAR_MIN_PORT = 21000;
  static final int SIDECAR_MAX_PORT = 21255;
  static final int MAX_ID_LENGTH = 256;
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final String DECODE = "Request decode failed: ";

  private final ConnectAgent agent;
  private final Waiters waiters;
  private final LongUnaryOperator random;
  private final ServiceCatalog catalog;
  /** The node every service is on: the agent's own, as {@code /v1/agent/self} names it. */
  private final String node;

  ServiceEndpoints(ConnectAgent agent, Waiters waiters, LongUnaryOperator random, String node) {
    this.node = node;
    this.agent = agent;
    this.waiters = waiters;
    this.random = random;
    this.catalog = new ServiceCatalog();
  }

  Router register(Router router) {
    router.add("PUT", "/v1/agent/service/register", this::registerService);
    router.add("PUT", "/v1/agent/service/deregister/", this::deregister);
    router.add("GET", "/v1/agent/services", this::services);
    router.add("GET", "/v1/agent/service/", this::service);
    router.add("GET", "/v1/health/connect/", this::health);
    router.add("GET", "/v1/catalog/connect/", this::catalogConnect);
    return router;
  }

  /** The catalog; for tests. */
  ServiceCatalog catalog() {
    return catalog;
  }

  // --- ACLs -----------------------------------------------------------------------------------

  private CompletableFuture<AclAuthorizer> authorizer(ApiRequest r) {
    if (agent.defaultIntentionPolicy() == DefaultIntentionPolicy.ACLS_DISABLED) {
      return CompletableFuture.completedFuture(AclAuthorizer.aclsDisabled());
    }
    if (agent.backend() instanceof AclResolver resolver) {
      QueryOptions.Builder o = QueryOptions.builder();
      r.token().ifPresent(o::token);
      return resolver.resolveToken(o.build());
    }
    throw new ApiException(501, "this agent's backend cannot resolve ACL tokens: "
        + agent.backend().getClass().getSimpleName());
  }

  private static void requireServiceWrite(AclAuthorizer authz, String service) {
    if (!authz.serviceWrite(service)) {
      throw new ApiException(403, "Permission denied: Missing service:write on " + service);
    }
  }

  // --- register and deregister ----------------------------------------------------------------

  private CompletableFuture<ApiReply> registerService(ApiRequest r, String rest) {
    AgentServiceRegistrationWire reg = Json.read(r.body(),
        Shape.of(AgentServiceRegistrationWire.class), DECODE);
    List<AgentServiceWire> services = expand(reg);
    return authorizer(r).thenApply(authz -> {
      for (AgentServiceWire s : services) {
        requireServiceWrite(authz, s.service());
        if (s.proxy() != null && s.proxy().destinationServiceName() != null) {
          requireServiceWrite(authz, s.proxy().destinationServiceName());
        }
      }
      synchronized (catalog) {
        // Sidecar ports are picked under the catalog's lock, so two registrations never get one.
        catalog.put(assignSidecarPorts(services));
      }
      return ApiReply.empty();
    });
  }

  private CompletableFuture<ApiReply> deregister(ApiRequest r, String id) {
    checkId(id, "service ID");
    // As Consul: the token is resolved before the ID is looked up (an unknown token is 403).
    return authorizer(r).thenApply(authz -> {
      ServiceCatalog.Entry found = catalog.get(id).orElseThrow(() -> notFound(id));
      requireServiceWrite(authz, found.service().service());
      // Consul removes a service's sidecar with it.
      catalog.remove(List.of(id, id + SIDECAR_SUFFIX).stream()
          .filter(i -> i.equals(id) || catalog.get(i).map(e -> e.service().proxy() != null
              && id.equals(e.service().proxy().destinationServiceId())).orElse(false))
          .toList());
      return ApiReply.empty();
    });
  }

  private static ApiException notFound(String id) {
    return new ApiException(404, "Unknown service ID \"" + id
        + "\". Ensure that the service ID is passed, not the service name.");
  }

  /** Validates a registration and returns the services it makes: itself, then its sidecar. */
  private List<AgentServiceWire> expand(AgentServiceRegistrationWire reg) {
    if (reg.name() == null || reg.name().isEmpty()) {
      throw new ApiException(400, "Missing service name");
    }
    checkName(reg.name(), "Name");
    String id = reg.id() == null || reg.id().isEmpty() ? reg.name() : reg.id();
    checkId(id, "ID");
    String kind = reg.kind() == null ? "" : reg.kind();
    if (!kind.isEmpty() && !kind.equals(CONNECT_PROXY)) {
      throw new ApiException(400, "Kind \"" + kind + "\" is not supported by this agent;"
          + " register a typical service (no Kind) or a " + CONNECT_PROXY);
    }
    if (reg.check() != null || (reg.checks() != null && !reg.checks().isEmpty())) {
      throw new ApiException(400, "Check and Checks are not supported by this agent: it runs no"
          + " health checks and reports every registered service as passing; register "
          + id + " without them");
    }
    if (reg.socketPath() != null && !reg.socketPath().isEmpty()) {
      throw new ApiException(400, "SocketPath is not supported by this agent: " + id);
    }
    if (reg.namespace() != null && !reg.namespace().isEmpty()
        && !reg.namespace().equals("default")) {
      throw new ApiException(400, "Bad request: Invalid query parameter: \"ns\" - Namespaces"
          + " are a Consul Enterprise feature: " + reg.namespace());
    }
    int port = checkPort(reg.port(), "Port");
    boolean nativeService = reg.connect() != null
        && Boolean.TRUE.equals(reg.connect().nativeService());
    ProxyWire proxy = null;
    if (kind.equals(CONNECT_PROXY)) {
      List<String> errors = new ArrayList<>();
      ProxyWire p = reg.proxy();
      if (p == null || p.destinationServiceName() == null
          || p.destinationServiceName().isEmpty()) {
        errors.add("Proxy.DestinationServiceName must be non-empty for Connect proxy services");
      }
      if (port == 0) {
        errors.add("Port or SocketPath must be set for a Connect proxy");
      }
      if (nativeService) {
        errors.add("A Proxy cannot also be Connect Native, only typical services");
      }
      if (!errors.isEmpty()) {
        throw new ApiException(400, GoMultiError.format(errors));
      }
      checkName(p.destinationServiceName(), "Proxy.DestinationServiceName");
      proxy = normalize(p, "Proxy");
    } else if (reg.proxy() != null) {
      throw new ApiException(400, "Proxy is only valid for services of Kind " + CONNECT_PROXY
          + "; " + id + " has no Kind");
    }
    String address = reg.address() == null ? "" : reg.address();
    List<String> tags = reg.tags() == null ? List.of() : reg.tags();
    Map<String, String> meta = reg.meta() == null ? Map.of() : reg.meta();
    AgentServiceWire service = new AgentServiceWire(kind.isEmpty() ? null : kind, id,
        reg.name(), tags, meta, port, address, null,
        taggedAddresses(address, port, reg.taggedAddresses()), weights(reg.weights()),
        Boolean.TRUE.equals(reg.enableTagOverride()), null, null, null, proxy,
        nativeService ? new ServiceConnectWire(true, null) : null, null, agent.datacenter());
    List<AgentServiceWire> out = new ArrayList<>();
    out.add(service);
    if (reg.connect() != null && reg.connect().sidecarService() != null) {
      if (kind.equals(CONNECT_PROXY)) {
        throw new ApiException(400, "Connect.SidecarService is not valid on a " + CONNECT_PROXY
            + ": " + id);
      }
      out.add(sidecar(service, reg.connect().sidecarService()));
    }
    return out;
  }

  /** The sidecar of {@code parent} as Consul makes it; port 0 means "pick one from the range". */
  private AgentServiceWire sidecar(AgentServiceWire parent, AgentServiceRegistrationWire s) {
    if (s.connect() != null && s.connect().sidecarService() != null) {
      throw new ApiException(400, "A SidecarService cannot have a nested SidecarService: "
          + parent.id());
    }
    if (s.check() != null || (s.checks() != null && !s.checks().isEmpty())) {
      throw new ApiException(400, "Check and Checks are not supported by this agent: it runs no"
          + " health checks; register the sidecar of " + parent.id() + " without them");
    }
    if (s.kind() != null && !s.kind().isEmpty() && !s.kind().equals(CONNECT_PROXY)) {
      throw new ApiException(400, "SidecarService.Kind must be " + CONNECT_PROXY + " or empty,"
          + " not \"" + s.kind() + "\"");
    }
    String id = s.id() == null || s.id().isEmpty() ? parent.id() + SIDECAR_SUFFIX : s.id();
    checkId(id, "SidecarService.ID");
    String name = s.name() == null || s.name().isEmpty()
        ? parent.service() + SIDECAR_SUFFIX : s.name();
    checkName(name, "SidecarService.Name");
    int port = checkPort(s.port(), "SidecarService.Port");
    ProxyWire given = s.proxy() == null
        ? new ProxyWire(null, null, null, null, null, null, null, null, null, null, null)
        : s.proxy();
    ProxyWire proxy = normalize(new ProxyWire(parent.service(), parent.id(),
        given.localServiceAddress() == null || given.localServiceAddress().isEmpty()
            ? "127.0.0.1" : given.localServiceAddress(),
        given.localServicePort() == null || given.localServicePort() == 0
            ? parent.port() : given.localServicePort(),
        null, given.mode(), given.config(), given.upstreams(), given.meshGateway(),
        given.expose(), given.transparentProxy()), "SidecarService.Proxy");
    String address = s.address() == null || s.address().isEmpty()
        ? parent.address() : s.address();
    List<String> tags = s.tags() == null || s.tags().isEmpty() ? parent.tags() : s.tags();
    Map<String, String> meta = s.meta() == null || s.meta().isEmpty() ? parent.meta() : s.meta();
    return new AgentServiceWire(CONNECT_PROXY, id, name, tags, meta, port, address, null,
        s.taggedAddresses(), weights(s.weights()), Boolean.TRUE.equals(s.enableTagOverride()),
        null, null, null, proxy, null, null, agent.datacenter());
  }

  /**
   * Gives every sidecar registered without a port the lowest port of Consul's range that no
   * other proxy of this agent has, or keeps the port it had when it is registered again.
   */
  private List<AgentServiceWire> assignSidecarPorts(List<AgentServiceWire> services) {
    List<AgentServiceWire> out = new ArrayList<>();
    for (AgentServiceWire s : services) {
      if (!CONNECT_PROXY.equals(s.kind()) || s.port() != 0
          || s.proxy().destinationServiceId() == null) {
        out.add(s);
        continue;
      }
      Optional<ServiceCatalog.Entry> old = catalog.get(s.id());
      int port = old.map(e -> e.service().port()).filter(p -> p != 0).orElseGet(() -> {
        java.util.Set<Integer> used = new java.util.HashSet<>();
        for (ServiceCatalog.Entry e : catalog.all()) {
          if (CONNECT_PROXY.equals(e.service().kind()) && !e.service().id().equals(s.id())) {
            used.add(e.service().port());
          }
        }
        for (int p = SIDECAR_MIN_PORT; p <= SIDECAR_MAX_PORT; p++) {
          if (!used.contains(p)) {
            return p;
          }
        }
        throw new ApiException(400, "no free sidecar port in " + SIDECAR_MIN_PORT + "-"
            + SIDECAR_MAX_PORT + " for " + s.id() + "; give SidecarService.Port");
      });
      out.add(new AgentServiceWire(s.kind(), s.id(), s.service(), s.tags(), s.meta(), port,
          s.address(), null, taggedAddresses(s.address(), port, s.taggedAddresses()),
          s.weights(), s.enableTagOverride(), null, null, null, s.proxy(), s.connect(), null,
          s.datacenter()));
    }
    return out;
  }

  /** Consul's defaults in a proxy: upstreams of type {@code service}, empty gateway and expose. */
  private static ProxyWire normalize(ProxyWire p, String field) {
    List<UpstreamWire> upstreams = null;
    if (p.upstreams() != null && !p.upstreams().isEmpty()) {
      upstreams = new ArrayList<>();
      for (int i = 0; i < p.upstreams().size(); i++) {
        UpstreamWire u = p.upstreams().get(i);
        String at = field + ".Upstreams[" + i + "]";
        if (u.destinationName() == null || u.destinationName().isEmpty()) {
          throw new ApiException(400, at + ".DestinationName must be set");
        }
        String type = u.destinationType() == null || u.destinationType().isEmpty()
            ? "service" : u.destinationType();
        if (!type.equals("service")) {
          throw new ApiException(400, at + ".DestinationType \"" + type
              + "\" is not supported by this agent (only service)");
        }
        checkName(u.destinationName(), at + ".DestinationName");
        if (u.localBindPort() != null) {
          checkPort(u.localBindPort(), at + ".LocalBindPort");
        }
        upstreams.add(new UpstreamWire(type, u.destinationNamespace(), u.destinationName(),
            u.datacenter(), u.localBindAddress(), u.localBindPort(), u.localBindSocketPath(),
            u.localBindSocketMode(), u.config(), u.meshGateway() == null
                ? new MeshGatewayWire(null) : u.meshGateway(), u.centrallyConfigured()));
      }
    }
    if (p.localServicePort() != null) {
      checkPort(p.localServicePort(), field + ".LocalServicePort");
    }
    return new ProxyWire(p.destinationServiceName(), p.destinationServiceId(),
        p.localServiceAddress(), p.localServicePort(), p.localServiceSocketPath(), p.mode(),
        p.config(), upstreams, p.meshGateway() == null ? new MeshGatewayWire(null)
            : p.meshGateway(),
        p.expose() == null ? new ExposeWire(null, null) : p.expose(), p.transparentProxy());
  }

  private static Map<String, ServiceAddressWire> taggedAddresses(String address, int port,
      Map<String, ServiceAddressWire> given) {
    Map<String, ServiceAddressWire> out = new LinkedHashMap<>();
    // Consul's agent tags a literal IP address as the service's LAN and WAN address.
    if (IPV4.matcher(address).matches()) {
      out.put("lan_ipv4", new ServiceAddressWire(address, port));
      out.put("wan_ipv4", new ServiceAddressWire(address, port));
    } else if (address.contains(":")) {
      out.put("lan_ipv6", new ServiceAddressWire(address, port));
      out.put("wan_ipv6", new ServiceAddressWire(address, port));
    }
    if (given != null) {
      out.putAll(given);
    }
    return out.isEmpty() ? null : out;
  }

  private static WeightsWire weights(WeightsWire given) {
    if (given == null) {
      return new WeightsWire(1, 1);
    }
    int passing = given.passing() == null ? 1 : given.passing();
    int warning = given.warning() == null ? 1 : given.warning();
    if (passing < 1 || warning < 0) {
      throw new ApiException(400, "Weights.Passing must be at least 1 and Weights.Warning at"
          + " least 0: " + passing + ", " + warning);
    }
    return new WeightsWire(passing, warning);
  }

  private static int checkPort(Integer port, String field) {
    if (port == null) {
      return 0;
    }
    if (port < 0 || port > 65535) {
      throw new ApiException(400, "Invalid " + field + ": " + port + " (must be 0 to 65535)");
    }
    return port;
  }

  private static void checkName(String name, String field) {
    try {
      ServiceNames.check(name);
    } catch (IllegalArgumentException e) {
      throw new ApiException(400, "Invalid " + field + ": " + e.getMessage());
    }
  }

  /** An ID is 1 to 256 printable ASCII characters without {@code /}: a path segment. */
  static void checkId(String id, String field) {
    if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
      throw new ApiException(400, "Invalid " + field + ": it must be 1 to " + MAX_ID_LENGTH
          + " characters, not " + id.length());
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < 0x21 || c > 0x7e || c == '/') {
        throw new ApiException(400, "Invalid " + field + " \""
            + id.substring(0, Math.min(64, id.length())).replaceAll("[^\\x21-\\x7e]", "?")
            + "\": character " + String.format("U+%04X", (int) c) + " at index " + i
            + " (printable ASCII without '/' only)");
      }
    }
  }

  // --- agent reads ----------------------------------------------------------------------------

  private CompletableFuture<ApiReply> services(ApiRequest r, String rest) {
    rejectFilter(r);
    return authorizer(r).thenApply(authz -> {
      Map<String, AgentServiceWire> out = new LinkedHashMap<>();
      for (ServiceCatalog.Entry e : catalog.all()) {
        if (authz.serviceRead(e.service().service())) {
          out.put(e.service().id(), e.service());
        }
      }
      return json(r, out);
    });
  }

  private CompletableFuture<ApiReply> service(ApiRequest r, String id) {
    checkId(id, "service ID");
    Optional<String> hash = r.param("hash").filter(h -> !h.isEmpty());
    Blocking b = Blocking.of(r);
    Supplier<CompletableFuture<ApiReply>> now = () -> authorizer(r)
        .thenApply(authz -> serviceReply(r, id, authz));
    if (hash.isEmpty()) {
      return now.get();
    }
    // Consul's agent: wait while the service's content hash is the one given, no jitter.
    return waiters.await(r.client(), () -> waitUntil(() -> !catalog.get(id)
        .map(e -> contentHash(e.service())).orElse("").equals(hash.get()), b.maxWait())
        .thenCompose(v -> now.get()), now);
  }

  private ApiReply serviceReply(ApiRequest r, String id, AclAuthorizer authz) {
    ServiceCatalog.Entry e = catalog.get(id).orElseThrow(
        () -> new ApiException(404, "unknown service ID: " + id));
    if (!authz.serviceRead(e.service().service())) {
      throw new ApiException(403, "Permission denied");
    }
    String hash = contentHash(e.service());
    AgentServiceWire s = e.service();
    AgentServiceWire withHash = new AgentServiceWire(s.kind(), s.id(), s.service(), s.tags(),
        s.meta(), s.port(), s.address(), s.socketPath(), s.taggedAddresses(), s.weights(),
        s.enableTagOverride(), null, null, hash, s.proxy(), s.connect(), s.namespace(),
        s.datacenter());
    return json(r, withHash).with("X-Consul-Contenthash", hash);
  }

  /**
   * The content hash of a service: 16 hex digits of SHA-256 over its compact JSON. Consul hashes
   * its Go struct instead, so the values differ; clients only compare them (docs/http.md).
   */
  static String contentHash(AgentServiceWire service) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(ConsulJson.encode(service, JsonStyle.COMPACT));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * Completes once {@code changed} holds or {@code wait} elapses on the agent's scheduler: checked
   * now and again at every change of the catalog, so that a read of one service is not answered
   * early by another's registration, and no thread waits.
   */
  private CompletableFuture<Void> waitUntil(BooleanSupplier changed, Duration wait) {
    CompletableFuture<Void> result = new CompletableFuture<>();
    CompletableFuture<Void> elapsed = new CompletableFuture<>();
    try {
      ScheduledFuture<?> timer = agent.scheduler().schedule(() -> elapsed.complete(null),
          wait.toNanos(), TimeUnit.NANOSECONDS);
      result.whenComplete((v, e) -> timer.cancel(false));
    } catch (RuntimeException e) {
      // A scheduler shut down (the agent closed) cannot time the wait: answer now.
      elapsed.complete(null);
    }
    result.whenComplete((v, e) -> elapsed.complete(null));
    check(changed, elapsed, result);
    return result;
  }

  private void check(BooleanSupplier changed, CompletableFuture<Void> elapsed,
      CompletableFuture<Void> result) {
    // The index is read before the condition, so a change between the two wakes the watch.
    long at = catalog.index();
    if (result.isDone() || elapsed.isDone() || changed.getAsBoolean()) {
      result.complete(null);
      return;
    }
    CompletableFuture<Void> watch = catalog.watch(at);
    elapsed.whenComplete((v, e) -> watch.complete(null));
    watch.whenComplete((v, e) -> check(changed, elapsed, result));
  }

  // --- health and catalog ---------------------------------------------------------------------

  private CompletableFuture<ApiReply> health(ApiRequest r, String service) {
    return connectRead(r, service, entries -> {
      List<ServiceEntryWire> out = new ArrayList<>();
      NodeWire node = node();
      for (ServiceCatalog.Entry e : entries) {
        out.add(new ServiceEntryWire(node, healthService(e), List.of(serfHealth())));
      }
      return out;
    });
  }

  private CompletableFuture<ApiReply> catalogConnect(ApiRequest r, String service) {
    return connectRead(r, service, entries -> {
      List<CatalogServiceWire> out = new ArrayList<>();
      for (ServiceCatalog.Entry e : entries) {
        out.add(catalogService(e));
      }
      return out;
    });
  }

  /**
   * A read of the Connect-capable instances of {@code service} (its proxies and, when it is
   * native, itself), blocking on the catalog index with Consul's jitter, filtered by {@code
   * service:read} on the service and {@code node:read} on the agent's node as Consul filters.
   */
  private CompletableFuture<ApiReply> connectRead(ApiRequest r, String service,
      java.util.function.Function<List<ServiceCatalog.Entry>, Object> shape) {
    checkName(service, "service name");
    rejectFilter(r);
    r.param("dc").filter(dc -> !dc.isEmpty() && !dc.equals(agent.datacenter()))
        .ifPresent(dc -> {
          throw new ApiException(400, "No path to datacenter: " + dc);
        });
    List<String> tags = r.query().getOrDefault("tag", List.of());
    String consistency = r.has("consistent") ? "consistent" : r.has("stale") ? "stale"
        : "leader";
    Blocking b = Blocking.of(r);
    Supplier<CompletableFuture<ApiReply>> now = () -> authorizer(r).thenApply(authz -> {
      long index = catalog.serviceIndex(service);
      List<ServiceCatalog.Entry> entries = new ArrayList<>();
      if (authz.serviceRead(service) && authz.nodeRead(node)) {
        for (ServiceCatalog.Entry e : catalog.all()) {
          if (serves(e.service(), service) && e.service().tags().containsAll(tags)) {
            entries.add(e);
          }
        }
      }
      return json(r, shape.apply(entries))
          .with("X-Consul-Effective-Consistency", consistency)
          .with("X-Consul-Index", Long.toString(index))
          .with("X-Consul-Knownleader", "true")
          .with("X-Consul-Lastcontact", "0")
          .with("X-Consul-Query-Backend", "blocking-query");
    });
    if (!b.blocks()) {
      return now.get();
    }
    Duration wait = b.withJitter(random);
    return waiters.await(r.client(), () -> waitUntil(
        () -> catalog.serviceIndex(service) > b.index(), wait).thenCompose(v -> now.get()), now);
  }

  /** Whether an instance carries Connect traffic for {@code service}: its proxy, or native. */
  private static boolean serves(AgentServiceWire s, String service) {
    if (CONNECT_PROXY.equals(s.kind())) {
      return s.proxy() != null && service.equals(s.proxy().destinationServiceName());
    }
    return service.equals(s.service()) && s.connect() != null
        && Boolean.TRUE.equals(s.connect().nativeService());
  }

  private static void rejectFilter(ApiRequest r) {
    if (r.param("filter").filter(f -> !f.isEmpty()).isPresent()) {
      throw new ApiException(400, "filter is not supported by this agent yet: "
          + r.param("filter").get());
    }
  }

  private NodeWire node() {
    Map<String, String> tagged = new LinkedHashMap<>();
    tagged.put("lan", NODE_ADDRESS);
    tagged.put("lan_ipv4", NODE_ADDRESS);
    tagged.put("wan", NODE_ADDRESS);
    tagged.put("wan_ipv4", NODE_ADDRESS);
    return new NodeWire(nodeId(), node, NODE_ADDRESS, agent.datacenter(), tagged,
        Map.of("consul-network-segment", ""), 1L, 1L);
  }

  /** The node's ID, as {@code /v1/agent/self} gives it: the trust domain's UUID. */
  private String nodeId() {
    return agent.trustDomain().replace(".consul", "");
  }

  private HealthCheckWire serfHealth() {
    // The agent is the catalog: alive whenever it answers.
    return new HealthCheckWire(node, "serfHealth", "Serf Health Status", "passing", "",
        "Agent alive and reachable", "", "", List.of(), "", "", "", 0, Map.of(), 1L, 1L);
  }

  private static HealthServiceWire healthService(ServiceCatalog.Entry e) {
    AgentServiceWire s = e.service();
    return new HealthServiceWire(s.kind(), s.id(), s.service(), s.tags(), s.address(),
        s.taggedAddresses(), s.meta().isEmpty() ? null : s.meta(), s.port(), null, s.weights(),
        s.enableTagOverride(), serverProxy(s.proxy()), serverConnect(s.connect()),
        e.createIndex(), e.modifyIndex());
  }

  private CatalogServiceWire catalogService(ServiceCatalog.Entry e) {
    AgentServiceWire s = e.service();
    NodeWire n = node();
    return new CatalogServiceWire(n.id(), node, NODE_ADDRESS, s.datacenter(),
        n.taggedAddresses(), n.meta(),
        s.kind() == null ? "" : s.kind(), s.id(), s.service(), s.tags(), s.address(),
        s.taggedAddresses(), s.weights(),
        s.meta(), s.port(), "", s.enableTagOverride(), serverProxy(s.proxy()),
        serverConnect(s.connect()), e.createIndex(), e.modifyIndex());
  }

  /** The proxy block as the catalog returns it: {@code Mode} always, empty blocks kept. */
  private static ProxyWire serverProxy(ProxyWire p) {
    if (p == null) {
      return new ProxyWire(null, null, null, null, null, "", null, null,
          new MeshGatewayWire(null), new ExposeWire(null, null), null);
    }
    return new ProxyWire(p.destinationServiceName(), p.destinationServiceId(),
        p.localServiceAddress(), p.localServicePort(), p.localServiceSocketPath(),
        p.mode() == null ? "" : p.mode(), p.config(), p.upstreams() == null ? null
            : p.upstreams().stream().map(u -> new UpstreamWire(u.destinationType(),
                u.destinationNamespace(), u.destinationName(),
                u.datacenter() == null ? "" : u.datacenter(), u.localBindAddress(),
                u.localBindPort(), u.localBindSocketPath(), u.localBindSocketMode(), u.config(),
                u.meshGateway(), u.centrallyConfigured())).toList(), p.meshGateway(),
        p.expose(), p.transparentProxy());
  }

  private static ServiceConnectWire serverConnect(ServiceConnectWire c) {
    return c == null ? new ServiceConnectWire(null, null) : c;
  }
}
