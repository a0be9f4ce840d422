package dev.connect.http.internal;

import dev.connect.agent.ConnectAgent;
import dev.connect.cache.CacheRequest;
import dev.connect.cache.EntryStatus;
import dev.connect.cache.Leaf;
import dev.connect.ca.LeafRequests;
import dev.connect.consul.AgentMemberWire;
import dev.connect.consul.AgentSelfConfigWire;
import dev.connect.consul.AgentSelfWire;
import dev.connect.consul.AuthorizeReplyWire;
import dev.connect.consul.AuthorizeRequestWire;
import dev.connect.consul.CaRootsWire;
import dev.connect.consul.LeafCertWire;
import dev.connect.consul.Shape;
import dev.connect.core.AccessLevel;
import dev.connect.core.AclResolver;
import dev.connect.core.AclResource;
import dev.connect.core.Certificates;
import dev.connect.core.ConnectId;
import dev.connect.core.CsrSigningBackend;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.Decision;
import dev.connect.core.InvalidSpiffeIdException;
import dev.connect.core.IssuedCertificate;
import dev.connect.core.Permission;
import dev.connect.core.ServiceId;
import dev.connect.core.ServiceNames;
import dev.connect.core.CaRoot;
import dev.connect.core.CaRoots;
import dev.connect.core.QueryOptions;
import dev.connect.core.QueryResult;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongUnaryOperator;
import java.util.function.Supplier;

/**
 * The endpoints of the HTTP API, served from the agent's cache (agent endpoints) and its
 * backend (server endpoints), as a Consul agent serves them.
 */
final class Endpoints {
  /**
   * Ours, not Consul's: signs a caller's CSR, so that an application in another process keeps its
   * private key; {@code /v1/agent/self} names it in {@code Meta}.
   */
  static final String CSR_SIGN_PATH = "/v1/agent/connect/ca/sign";
  /** The {@code Meta} key of {@code /v1/agent/self} that names {@link #CSR_SIGN_PATH}. */
  static final String CSR_SIGN_META = "connect-java-csr-sign";
  /** The Consul version whose HTTP API this agent speaks. */
  static final String CONSUL_VERSION = "1.10.4";
  /** The default node name, reported when no HTTPS node name is given. */
  static final String NODE_NAME = "connect-agent";

  private final ConnectAgent agent;
  private final Waiters waiters;
  private final LeafWatch leafWatch;
  private final LongUnaryOperator random;
  private final String serverAddress;
  /** The node name this agent reports, and the segment of its {@code agent:read} rule. */
  private final String node;
  /** Leaf replies, key PEM included, encoded once per cached leaf. */
  private final EncodedBodies<Leaf> leafBodies = new EncodedBodies<>(10_000);
  /** Roots replies, encoded once per set of roots. */
  private final EncodedBodies<CaRoots> rootsBodies = new EncodedBodies<>(16);

  Endpoints(ConnectAgent agent, Waiters waiters, LeafWatch leafWatch,
      LongUnaryOperator random, String serverAddress, String node) {
    this.node = node;
    this.agent = agent;
    this.waiters = waiters;
    this.leafWatch = leafWatch;
    this.random = random;
    this.serverAddress = serverAddress;
  }

  /** Registers every endpoint. */
  Router register(Router router) {
    router.add("GET", "/v1/status/leader", this::leader);
    router.add("GET", "/v1/agent/connect/ca/roots", this::agentRoots);
    router.add("GET", "/v1/connect/ca/roots", this::serverRoots);
    router.add("GET", "/v1/agent/connect/ca/leaf/", this::leaf);
    router.add("POST", "/v1/agent/connect/authorize", this::authorize);
    router.add("POST", CSR_SIGN_PATH, this::signCsr);
    router.add("GET", "/v1/agent/self", this::self);
    new CaConfigEndpoints(agent).register(router);
    new AclEndpoints(agent).register(router);
    new ServiceEndpoints(agent, waiters, random, node).register(router);
    return new IntentionEndpoints(agent, waiters, random).register(router);
  }

  // --- status ---------------------------------------------------------------------------------

  private CompletableFuture<ApiReply> leader(ApiRequest r, String rest) {
    // One server, always the leader: its "address" is the agent's own.
    return done(json(r, serverAddress));
  }

  // --- roots ----------------------------------------------------------------------------------

  /**
   * Served from the agent cache, as Consul's agent serves it: a HIT with its {@code Age} once
   * cached; a blocking read is answered at once (a HIT) when the cached roots are already past
   * its index, else when the cache's roots change or the wait (no jitter, as for every
   * agent-cached read) elapses, a MISS then, as Consul's.
   */
  private CompletableFuture<ApiReply> agentRoots(ApiRequest r, String rest) {
    Blocking b = Blocking.of(r);
    CacheRequest anonymous = CacheRequest.anonymous();
    Optional<EntryStatus> before = agent.cache().rootsStatus(anonymous);
    if (!b.blocks() || before.filter(s -> s.index() > b.index()).isPresent()) {
      return cachedRoots(r, anonymous, before);
    }
    Supplier<CompletableFuture<ApiReply>> now = () -> cachedRoots(r, anonymous,
        Optional.empty());
    return waiters.await(r.client(), () -> {
      CompletableFuture<Void> woken = leafWatch.rootsAfter(anonymous, b.index(), b.maxWait());
      // The watch is registered first, so a change between it and this read is not missed.
      agent.cache().rootsAsync(anonymous).whenComplete((roots, e) -> {
        if (e != null || rootsIndex(anonymous) > b.index()) {
          woken.complete(null);
        }
      });
      return woken.thenCompose(v -> now.get());
    }, now);
  }

  /** The cached roots; a HIT with its {@code Age} when {@code before} says it was cached. */
  private CompletableFuture<ApiReply> cachedRoots(ApiRequest r, CacheRequest request,
      Optional<EntryStatus> before) {
    return agent.cache().rootsAsync(request).thenApply(roots -> rootsReply(r,
        new QueryResult<>(roots, rootsIndex(request)), before.isPresent() ? "HIT" : "MISS",
        before.map(EntryStatus::age)));
  }

  private long rootsIndex(CacheRequest request) {
    return agent.cache().rootsStatus(request).map(EntryStatus::index).orElse(0L);
  }

  private CompletableFuture<ApiReply> serverRoots(ApiRequest r, String rest) {
    Blocking b = Blocking.of(r);
    boolean pem = r.param("pem").map(v -> v.equals("true") || v.equals("1") || v.isEmpty())
        .orElse(false);
    Supplier<CompletableFuture<ApiReply>> now = () -> backendRoots(0, b.maxWait())
        .thenApply(q -> pem ? pemReply(q.value()) : rootsReply(r, q, null, Optional.empty()));
    if (b.blocks()) {
      Duration wait = b.withJitter(random);
      return waiters.await(r.client(), () -> backendRoots(b.index(), wait)
          .thenApply(q -> pem ? pemReply(q.value()) : rootsReply(r, q, null, Optional.empty())),
          now);
    }
    return now.get();
  }

  private CompletableFuture<QueryResult<CaRoots>> backendRoots(long index, Duration wait) {
    QueryOptions.Builder o = QueryOptions.builder();
    if (index > 0) {
      o.minIndex(index).maxWait(wait);
    }
    return agent.backend().roots(o.build());
  }

  private ApiReply rootsReply(ApiRequest r, QueryResult<CaRoots> q, String cache,
      Optional<Duration> age) {
    ApiReply reply = (r.has("pretty") ? json(r, CaRootsWire.from(q.value()))
        : ApiReply.json(rootsBodies.get(q.value(), CaRootsWire::from)))
        .with("X-Consul-Index", Long.toString(q.index()))
        .with("X-Consul-Knownleader", "false")
        .with("X-Consul-Lastcontact", "0")
        .with("X-Consul-Query-Backend", "blocking-query");
    if (cache != null) {
      reply = reply.with("X-Cache", cache);
      if (age.isPresent()) {
        reply = reply.with("Age", Long.toString(age.get().toSeconds()));
      }
    }
    return reply;
  }

  /** {@code ?pem=true}: every root's PEM, then its intermediates, as Consul concatenates them. */
  private static ApiReply pemReply(CaRoots roots) {
    StringBuilder s = new StringBuilder();
    for (CaRoot root : roots.roots()) {
      s.append(Certificates.toPem(root.certificate()));
      for (X509Certificate c : root.intermediates()) {
        s.append(Certificates.toPem(c));
      }
    }
    return new ApiReply(200, List.of(Map.entry("Content-Type",
        "application/pem-certificate-chain")), s.toString().getBytes(
            java.nio.charset.StandardCharsets.US_ASCII));
  }

  // --- leaf -----------------------------------------------------------------------------------

  /**
   * The agent makes the key and has the leaf signed, as Consul's agent does; the key is
   * exported here, to the caller that asked for it with {@code service:write}.
   */
  private CompletableFuture<ApiReply> leaf(ApiRequest r, String service) {
    if (service.isEmpty()) {
      // Consul: 500 "URI must be either service or agent"; a client's mistake, so 400.
      throw new ApiException(400, "URI must be either service or agent");
    }
    try {
      ServiceNames.check(service);
    } catch (IllegalArgumentException e) {
      throw new ApiException(400, e.getMessage());
    }
    Blocking b = Blocking.of(r);
    CacheRequest request = cacheRequest(r);
    if (b.blocks()) {
      // Consul's agent cache: wait until the cached leaf's ModifyIndex passes the index, or
      // the wait (no jitter, as for every agent-cached read) elapses; always a MISS.
      Supplier<CompletableFuture<ApiReply>> now = () -> agent.cache()
          .leafAsync(service, request).thenApply(leaf -> leafReply(r, leaf, Optional.empty()));
      return waiters.await(r.client(), () -> {
        CompletableFuture<Void> woken = leafWatch.after(service, request, b.index(),
            b.maxWait());
        // The watch is registered first, so a change between it and this read is not missed.
        agent.cache().leafAsync(service, request).whenComplete((leaf, e) -> {
          if (e != null || leaf.certificate().modifyIndex() > b.index()) {
            woken.complete(null);
          }
        });
        return woken.thenCompose(v -> now.get());
      }, now);
    }
    Optional<EntryStatus> before = agent.cache().leafStatus(service, request);
    return agent.cache().leafAsync(service, request)
        .thenApply(leaf -> leafReply(r, leaf, before));
  }

  /** The leaf, its key and {@code X-Consul-Index}; a HIT with its {@code Age} when cached before. */
  private ApiReply leafReply(ApiRequest r, Leaf leaf, Optional<EntryStatus> before) {
    IssuedCertificate cert = leaf.certificate();
    ApiReply reply = (r.has("pretty") ? json(r, leafWire(leaf))
        : ApiReply.json(leafBodies.get(leaf, Endpoints::leafWire)))
        .with("X-Consul-Index", Long.toString(cert.modifyIndex()))
        .with("X-Cache", before.isPresent() ? "HIT" : "MISS");
    return before.isPresent()
        ? reply.with("Age", Long.toString(before.get().age().toSeconds())) : reply;
  }

  private static LeafCertWire leafWire(Leaf leaf) {
    return LeafCertWire.of(leaf.certificate(),
        LeafRequests.exportPrivateKeyPkcs8Pem(leaf.privateKey()));
  }

  // --- authorize ------------------------------------------------------------------------------

  private CompletableFuture<ApiReply> authorize(ApiRequest r, String rest) {
    AuthorizeRequestWire body = Json.read(r.body(), Shape.of(AuthorizeRequestWire.class),
        "Bad request: Request decode failed: ");
    if (body.target() == null || body.target().isEmpty()) {
      throw ApiException.badRequest("Target service must be specified");
    }
    ConnectId client;
    try {
      client = ConnectId.parse(body.clientCertUri() == null ? "" : body.clientCertUri());
    } catch (InvalidSpiffeIdException e) {
      throw ApiException.badRequest("ClientCertURI not a valid Connect identifier");
    }
    if (!(client instanceof ServiceId)) {
      throw ApiException.badRequest("ClientCertURI not a valid Service identifier");
    }
    String target = body.target();
    try {
      ServiceNames.check(target);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    CacheRequest request = cacheRequest(r);
    ServiceId destination = ServiceId.of(agent.trustDomain(), agent.datacenter(), target);
    // Consul's agent: service:write on the target, then the intentions read with the caller's
    // token through the cache (which needs intentions:read).
    return enforce(r, Permission.serviceWrite(target)).thenCompose(ok -> {
      Optional<EntryStatus> before = agent.cache().intentionMatchStatus(target, request);
      return agent.cache().intentionMatchAsync(target, request).thenApply(intentions -> {
        Decision d = intentions.authorize(destination, client, agent.defaultIntentionPolicy());
        ApiReply reply = json(r, AuthorizeReplyWire.from(d))
            .with("X-Cache", before.isPresent() ? "HIT" : "MISS");
        return before.isPresent()
            ? reply.with("Age", Long.toString(before.get().age().toSeconds())) : reply;
      });
    });
  }

  /**
   * Completes when the request's token has {@code permission}, resolved by the backend; with
   * ACLs off at once. Fails with Consul's 403 otherwise ({@code ACL not found} for an unknown
   * token).
   */
  private CompletableFuture<Void> enforce(ApiRequest r, Permission permission) {
    if (agent.backend() instanceof AclResolver resolver) {
      QueryOptions.Builder o = QueryOptions.builder();
      r.token().ifPresent(o::token);
      return resolver.resolveToken(o.build()).thenAccept(a -> a.enforce(permission));
    }
    if (agent.defaultIntentionPolicy() == DefaultIntentionPolicy.ACLS_DISABLED) {
      return CompletableFuture.completedFuture(null);
    }
    throw new ApiException(501, "this agent's backend cannot resolve ACL tokens, so it cannot"
        + " check " + permission.label() + ": " + agent.backend().getClass().getSimpleName());
  }

  // --- our CSR endpoint -----------------------------------------------------------------------

  /**
   * Signs the PEM CSR in the body: the same ACL rule as the leaf endpoint ({@code service:write}
   * on the CSR's service, checked by the server), and the reply is the leaf endpoint's without
   * {@code PrivateKeyPEM}, which stays with the caller.
   */
  private CompletableFuture<ApiReply> signCsr(ApiRequest r, String rest) {
    if (!(agent.backend() instanceof CsrSigningBackend signer)) {
      throw new ApiException(501, "this agent's backend does not sign CSRs: "
          + agent.backend().getClass().getSimpleName());
    }
    String pem = new String(r.body(), java.nio.charset.StandardCharsets.US_ASCII);
    if (!pem.contains("-----BEGIN CERTIFICATE REQUEST-----")) {
      throw ApiException.badRequest("the body must be a PEM certificate signing request"
          + " (-----BEGIN CERTIFICATE REQUEST-----); got " + r.body().length + " bytes without one");
    }
    QueryOptions.Builder o = QueryOptions.builder();
    r.token().ifPresent(o::token);
    return signer.signLeaf(pem, o.build()).thenApply(q -> {
      IssuedCertificate c = q.value();
      LeafCertWire wire = new LeafCertWire(c.serialNumberHex(), Certificates.toPem(c.certificate()), null,
          c.service().service(), c.service().spiffeId().toString(),
          c.validAfter().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
          c.validBefore().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), c.createIndex(),
          c.modifyIndex());
      return json(r, wire).with("X-Consul-Index", Long.toString(q.index()));
    });
  }

  // --- agent/self -----------------------------------------------------------------------------

  private CompletableFuture<ApiReply> self(ApiRequest r, String rest) {
    // Consul: agent:read on the agent's node name.
    return enforce(r, Permission.of(AclResource.AGENT, AccessLevel.READ, node))
        .thenApply(ok -> selfReply(r));
  }

  private ApiReply selfReply(ApiRequest r) {
    String nodeId = agent.trustDomain().replace(".consul", "");
    boolean acls = agent.defaultIntentionPolicy() != DefaultIntentionPolicy.ACLS_DISABLED;
    AgentSelfConfigWire config = new AgentSelfConfigWire(agent.datacenter(), agent.datacenter(),
        node, nodeId, "", true, CONSUL_VERSION);
    Map<String, String> tags = new java.util.TreeMap<>(Map.of("acls", acls ? "1" : "0",
        "build", CONSUL_VERSION + ":connect-java", "dc", agent.datacenter(), "id", nodeId,
        "role", "consul"));
    AgentMemberWire member = new AgentMemberWire(node, "127.0.0.1", 0, tags, 1, 1, 5, 2, 2, 5, 4);
    Map<String, String> meta = Map.of("consul-network-segment", "", CSR_SIGN_META,
        CSR_SIGN_PATH);
    return json(r, new AgentSelfWire(config, meta, member));
  }

  private static CacheRequest cacheRequest(ApiRequest r) {
    return r.token().map(CacheRequest::withToken).orElseGet(CacheRequest::anonymous);
  }

  // --- helpers --------------------------------------------------------------------------------

  static ApiReply json(ApiRequest r, Object body) {
    return ApiReply.json(Json.write(body, r.has("pretty")));
  }

  static CompletableFuture<ApiReply> done(ApiReply reply) {
    return CompletableFuture.completedFuture(reply);
  }

}
