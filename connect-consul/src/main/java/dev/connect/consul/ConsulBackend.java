package dev.connect.consul;

import static java.util.Objects.requireNonNull;

import dev.connect.ca.CaAdmin;
import dev.connect.ca.CaConfiguration;
import dev.connect.core.AclAdmin;
import dev.connect.core.AclDefaultPolicy;
import dev.connect.core.AclPolicy;
import dev.connect.core.AclToken;
import dev.connect.core.AclTokenInfo;
import dev.connect.core.BuilderOptions;
import dev.connect.core.CaRoots;
import dev.connect.core.Certificates;
import dev.connect.core.CsrSigningBackend;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.Decision;
import dev.connect.core.Intention;
import dev.connect.core.IntentionAction;
import dev.connect.core.IntentionAdmin;
import dev.connect.core.IntentionTarget;
import dev.connect.core.IssuedCertificate;
import dev.connect.core.IssuedLeaf;
import dev.connect.core.LeafIssuingBackend;
import dev.connect.core.QueryOptions;
import dev.connect.core.QueryResult;
import dev.connect.core.ServiceId;
import dev.connect.core.UnsupportedByBackendException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;

/**
 * A backend that reaches a Consul agent (client or server) or {@code connect agent} over
 * Consul's HTTP API, so that agents in many JVMs share one trust domain, one CA and one set of
 * intentions. Roots, intention matches and leaves come from the endpoints Consul's own SDKs use
 * ({@code /v1/agent/connect/ca/roots}, {@code /v1/connect/intentions/match}, {@code
 * /v1/agent/connect/ca/leaf/<service>}), each a blocking query where Consul offers one.
 *
 * <pre>{@code
 * try (ConsulBackend consul = ConsulBackend.builder().build();   // CONSUL_HTTP_ADDR, ...
 *     ConnectAgent agent = ConnectAgent.builder().consul(consul).build()) {
 *   SSLContext db = agent.service("db").serverSslContext();
 * }
 * }</pre>
 *
 * <p><b>Configuration</b> is read as Consul's tools read it, from {@code CONSUL_HTTP_ADDR}
 * ({@code host:port}, {@code http://...} or {@code https://...}; default {@code
 * 127.0.0.1:8500}), {@code CONSUL_HTTP_TOKEN}, {@code CONSUL_HTTP_TOKEN_FILE} (which wins over
 * the token, as in Consul's api client), {@code CONSUL_CACERT}, {@code CONSUL_CLIENT_CERT} and
 * {@code CONSUL_CLIENT_KEY}, {@code CONSUL_HTTP_SSL_VERIFY}; each can be overridden in the
 * {@link Builder}, and the environment itself replaced ({@link Builder#environment}).
 *
 * <p><b>Queries.</b> A query with a positive {@link QueryOptions#minIndex()} sends {@code
 * ?index=&wait=} and times out after the wait, plus a sixteenth (Consul's jitter), plus 10 s; no
 * thread waits meanwhile. The index is {@code X-Consul-Index}: a missing or malformed one fails
 * the query, 0 counts as 1 (Consul's rule against hot loops), and one lower than asked is
 * returned as it is, so the caller restarts from 0 as Consul's clients do (the agent's cache
 * does). The token is sent as {@code X-Consul-Token}: the query's own, else the configured one.
 * The datacenter goes as {@code ?dc=}.
 *
 * <p><b>Failures</b> complete the futures exceptionally: 403 as {@link
 * dev.connect.core.PermissionDeniedException} or, for {@code ACL not found}, {@link
 * dev.connect.core.AclNotFoundException} (both final for the cache); 400 as {@link
 * IllegalArgumentException}; any other status, a refused connection, a timeout, a TLS failure
 * or a malformed body as {@link ConsulHttpException}, naming the endpoint and the status or the
 * cause (transient for the cache, which keeps serving what it has).
 *
 * <p><b>Leaves.</b> Against {@code connect agent}, whose {@code GET /v1/agent/self} advertises
 * its CSR endpoint, the agent's cache makes the key pair in this JVM and only the CSR crosses
 * the wire ({@link #signLeaf}); against Consul, whose HTTP API issues whole leaves, the key is
 * made on the Consul side and crosses the wire ({@link #issueLeaf}; use {@code https://} beyond
 * loopback), as Consul's own SDKs get it. {@link #signsCsrs} tells which, asked once. Thread-safe;
 * {@link #close()} stops the client's threads: two of the JDK client's ({@code connect-consul-N})
 * and one per request in flight ({@code connect-consul-request-N}, reused while idle for a
 * minute), whose requests then fail.
 */
public final class ConsulBackend implements CsrSigningBackend, LeafIssuingBackend, IntentionAdmin,
    CaAdmin, AclAdmin, AutoCloseable {
  /**
   * The {@code Meta} key under which {@code connect agent}'s {@code GET /v1/agent/self} names its
   * CSR-signing endpoint; the same string as connect-http's, read here rather than imported.
   */
  public static final String CSR_SIGN_META = "connect-java-csr-sign";
  /** Where {@code connect agent} signs CSRs, probed when {@code /v1/agent/self} is refused. */
  static final String CSR_SIGN_PATH = "/v1/agent/connect/ca/sign";

  private final URI address;
  private final String token; // null: none configured
  private final String datacenter; // null: the agent's own
  private final ConsulHttp http;
  private final Duration requestTimeout;
  private final ConsulAdmin admin = new ConsulAdmin(this);
  private final ConsulAcl acl = new ConsulAcl(this);
  /** The server's CSR endpoint once learnt: a path, or empty for Consul; null until then. */
  private volatile Optional<String> csrPath;

  private ConsulBackend(URI address, String token, String datacenter, SSLContext tls,
      Duration requestTimeout) {
    this.address = address;
    this.token = token;
    this.datacenter = datacenter;
    this.requestTimeout = requestTimeout;
    this.http = new ConsulHttp(address, tls, requestTimeout);
  }

  /**
   * Returns a builder that reads the process environment unless {@link Builder#environment} is
   * given.
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the base address, such as {@code http://127.0.0.1:8500/}. */
  public URI address() {
    return address;
  }

  @Override
  public CompletableFuture<QueryResult<CaRoots>> roots(QueryOptions options) {
    requireNonNull(options, "options");
    return query("/v1/agent/connect/ca/roots", options).sendThen(r -> {
      ConsulHttp.requireOk(r);
      CaRootsWire wire = r.decode(Shape.of(CaRootsWire.class));
      try {
        return new QueryResult<>(wire.toCaRoots(), r.index());
      } catch (IllegalArgumentException e) {
        throw new ConsulHttpException(r.endpoint(), r.status(), "malformed body: "
            + e.getMessage(), e);
      }
    });
  }

  @Override
  public CompletableFuture<QueryResult<List<Intention>>> matchIntentions(String destination,
      QueryOptions options) {
    requireNonNull(destination, "destination");
    requireNonNull(options, "options");
    int slash = destination.indexOf('/');
    String name = slash < 0 ? destination : destination.substring(slash + 1);
    if (name.isEmpty() || destination.indexOf('/', slash + 1) >= 0) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(
          "destination must be name or namespace/name: \"" + Texts.escape(destination, 256)
              + "\""));
    }
    ConsulHttp.Call call = query("/v1/connect/intentions/match", options)
        .param("by", "destination").param("name", name);
    if (slash > 0) {
      call.param("ns", destination.substring(0, slash));
    }
    return call.sendThen(r -> {
      ConsulHttp.requireOk(r);
      Map<String, List<IntentionWire>> match =
          r.decode(Shape.mapOfListsOf(IntentionWire.class));
      // Consul writes {"name": null} when nothing matches (a nil Go slice).
      List<IntentionWire> wires = match.getOrDefault(name, List.of());
      if (wires == null) {
        wires = List.of();
      }
      if (!match.isEmpty() && !match.containsKey(name)) {
        throw new ConsulHttpException(r.endpoint(), r.status(),
            "malformed body: no entry for \"" + Texts.escape(name, 256) + "\"");
      }
      List<Intention> out = new ArrayList<>(wires.size());
      for (IntentionWire w : wires) {
        try {
          out.add(w.toIntention());
        } catch (IllegalArgumentException e) {
          throw new ConsulHttpException(r.endpoint(), r.status(),
              "an intention the agent cannot enforce: " + e.getMessage(), e);
        }
      }
      return new QueryResult<>(List.copyOf(out), r.index());
    });
  }

  @Override
  public CompletableFuture<QueryResult<IssuedLeaf>> issueLeaf(String service,
      QueryOptions options) {
    requireNonNull(service, "service");
    requireNonNull(options, "options");
    if (service.isEmpty()) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("service must not be empty"));
    }
    String path = "/v1/agent/connect/ca/leaf/"
        + URLEncoder.encode(service, StandardCharsets.UTF_8).replace("+", "%20");
    return query(path, options).sendThen(r -> {
      ConsulHttp.requireOk(r);
      LeafCertWire wire = r.decode(Shape.of(LeafCertWire.class));
      try {
        return new QueryResult<>(toIssuedLeaf(wire), r.index());
      } catch (IllegalArgumentException e) {
        throw new ConsulHttpException(r.endpoint(), r.status(), "malformed body: "
            + e.getMessage(), e);
      }
    });
  }

  /**
   * {@inheritDoc} Asked once, then remembered for this backend: {@code true} when {@code GET
   * /v1/agent/self} names the CSR endpoint in its {@code Meta} ({@code connect agent} does),
   * {@code false} when it does not (Consul). A token without {@code agent:read} gets 403 there;
   * then the CSR path itself is asked, which both servers route before any ACL check: {@code
   * connect agent} answers a {@code GET} with 405 (it takes {@code POST}), Consul with 404. A
   * failure is not remembered.
   */
  @Override
  public CompletableFuture<Boolean> signsCsrs(QueryOptions options) {
    requireNonNull(options, "options");
    return csrPath(options).thenApply(Optional::isPresent);
  }

  /**
   * {@inheritDoc} {@code POST}s the PEM CSR to the endpoint {@code connect agent} advertises; the
   * reply is the leaf endpoint's without a private key, which stays in this JVM. A refused CSR
   * (400, naming the check that failed) is an {@link IllegalArgumentException}, as every 400 of
   * this backend; against Consul, which has no such endpoint, the future fails with {@link
   * UnsupportedByBackendException}.
   */
  @Override
  public CompletableFuture<QueryResult<IssuedCertificate>> signLeaf(String csrPem,
      QueryOptions options) {
    requireNonNull(csrPem, "csrPem");
    requireNonNull(options, "options");
    return csrPath(options).thenCompose(path -> {
      if (path.isEmpty()) {
        throw new UnsupportedByBackendException("CSR signing", toString(),
            "an agent whose /v1/agent/self advertises " + CSR_SIGN_META);
      }
      ConsulHttp.Call call = plain(http.call("POST", path.get()), options)
          .body(csrPem.getBytes(StandardCharsets.US_ASCII), "application/pkcs10");
      return call.send().thenApply(r -> {
        ConsulHttp.requireOk(r);
        LeafCertWire wire = r.decode(Shape.of(LeafCertWire.class));
        if (wire.privateKeyPem() != null) {
          throw new ConsulHttpException(r.endpoint(), r.status(),
              "malformed body: the answer to a CSR carries a PrivateKeyPEM");
        }
        try {
          return new QueryResult<>(toIssuedCertificate(wire), r.index());
        } catch (IllegalArgumentException e) {
          throw new ConsulHttpException(r.endpoint(), r.status(), "malformed body: "
              + e.getMessage(), e);
        }
      });
    });
  }

  /** The CSR endpoint, learnt from the server once (see {@link #signsCsrs}). */
  private CompletableFuture<Optional<String>> csrPath(QueryOptions options) {
    Optional<String> known = csrPath;
    if (known != null) {
      return CompletableFuture.completedFuture(known);
    }
    return plain(http.get("/v1/agent/self"), options).send().thenCompose(r -> {
      if (r.status() == 200) {
        AgentSelfWire self = r.decode(Shape.of(AgentSelfWire.class));
        String path = self.meta() == null ? null : self.meta().get(CSR_SIGN_META);
        if (path != null && (!path.startsWith("/v1/") || path.contains("?")
            || path.contains(".."))) {
          throw new ConsulHttpException(r.endpoint(), r.status(), "malformed body: Meta "
              + CSR_SIGN_META + " is not an API path: \"" + Texts.escape(path, 128) + "\"");
        }
        return CompletableFuture.completedFuture(Optional.ofNullable(path));
      }
      if (r.status() != 403 && r.status() != 401) {
        throw ConsulHttp.statusFailure(r);
      }
      return http.get(CSR_SIGN_PATH).send().thenApply(p -> {
        if (p.status() == 405) {
          return Optional.of(CSR_SIGN_PATH);
        }
        if (p.status() == 404) {
          return Optional.<String>empty();
        }
        throw ConsulHttp.statusFailure(p);
      });
    }).thenApply(path -> {
      csrPath = path;
      return path;
    });
  }

  // ---------------------------------------------------------------------------------------------
  // IntentionAdmin over /v1/connect/intentions

  /** {@inheritDoc} {@code POST /v1/connect/intentions}, then reads it back by its new ID. */
  @Override
  public CompletableFuture<Intention> intentionCreate(Intention intention, QueryOptions options) {
    return admin.create(requireNonNull(intention, "intention"), requireNonNull(options, "options"));
  }

  /** {@inheritDoc} {@code PUT /v1/connect/intentions/<id>}, then reads it back. */
  @Override
  public CompletableFuture<Intention> intentionUpdate(String id, Intention intention,
      QueryOptions options) {
    return admin.update(requireNonNull(id, "id"), requireNonNull(intention, "intention"),
        requireNonNull(options, "options"));
  }

  /** {@inheritDoc} {@code PUT /v1/connect/intentions/exact}, then reads it back. */
  @Override
  public CompletableFuture<Intention> intentionUpsert(IntentionTarget source,
      IntentionTarget destination, IntentionAction action, String description,
      QueryOptions options) {
    return admin.upsert(requireNonNull(source, "source"),
        requireNonNull(destination, "destination"), requireNonNull(action, "action"),
        requireNonNull(description, "description"), requireNonNull(options, "options"));
  }

  /** {@inheritDoc} A 404 is empty. */
  @Override
  public CompletableFuture<Optional<Intention>> intentionGet(String id, QueryOptions options) {
    return admin.get(requireNonNull(id, "id"), requireNonNull(options, "options"));
  }

  /** {@inheritDoc} A 404 is empty. */
  @Override
  public CompletableFuture<Optional<Intention>> intentionGetExact(IntentionTarget source,
      IntentionTarget destination, QueryOptions options) {
    return admin.getExact(requireNonNull(source, "source"),
        requireNonNull(destination, "destination"), requireNonNull(options, "options"));
  }

  @Override
  public CompletableFuture<QueryResult<List<Intention>>> intentions(QueryOptions options) {
    return admin.list(requireNonNull(options, "options"));
  }

  /** {@inheritDoc} Consul's 500 for a missing ID is {@code false}. */
  @Override
  public CompletableFuture<Boolean> intentionDelete(String id, QueryOptions options) {
    return admin.delete(requireNonNull(id, "id"), requireNonNull(options, "options"));
  }

  /**
   * {@inheritDoc} Consul answers {@code true} either way, so the intention is looked up first; a
   * concurrent writer between the two requests can make the answer stale.
   */
  @Override
  public CompletableFuture<Boolean> intentionDeleteExact(IntentionTarget source,
      IntentionTarget destination, QueryOptions options) {
    return admin.deleteExact(requireNonNull(source, "source"),
        requireNonNull(destination, "destination"), requireNonNull(options, "options"));
  }

  /** {@inheritDoc} Consul's answer carries no reason and no intention; the decision says so. */
  @Override
  public CompletableFuture<Decision> intentionCheck(String source, String destination,
      QueryOptions options) {
    return admin.check(requireNonNull(source, "source"),
        requireNonNull(destination, "destination"), requireNonNull(options, "options"));
  }

  // ---------------------------------------------------------------------------------------------
  // CaAdmin over /v1/connect/ca/configuration

  @Override
  public CompletableFuture<CaConfiguration> caGetConfig(QueryOptions options) {
    return admin.caGetConfig(requireNonNull(options, "options"));
  }

  @Override
  public CompletableFuture<CaRoots> caSetConfig(CaConfiguration configuration,
      QueryOptions options) {
    return admin.caSetConfig(requireNonNull(configuration, "configuration"),
        requireNonNull(options, "options"));
  }

  /**
   * {@inheritDoc} Consul has no rotate call: against Consul this generates a root key of the
   * configured type here and sets the configuration with it as {@code PrivateKey}, so Consul
   * makes a new root from it, cross-signed by the old one (the key crosses the wire; use {@code
   * https://}). {@code connect agent} (known by its CSR endpoint, see {@link #signsCsrs}) rotates
   * on any {@code PUT} of its configuration and makes the new root key itself, so there the
   * current configuration is set again and no key crosses the wire.
   */
  @Override
  public CompletableFuture<CaRoots> caRotate(QueryOptions options) {
    requireNonNull(options, "options");
    return signsCsrs(options).thenCompose(ours -> ours
        ? admin.caGetConfig(options).thenCompose(c -> admin.caSetConfig(c, options))
        : admin.caRotate(options));
  }

  @Override
  public CompletableFuture<CaRoots> caRotate(String privateKeyPem, String rootCertPem,
      QueryOptions options) {
    return admin.caRotate(requireNonNull(privateKeyPem, "privateKeyPem"),
        requireNonNull(rootCertPem, "rootCertPem"), requireNonNull(options, "options"));
  }

  // ---------------------------------------------------------------------------------------------
  // The agent itself, and connect agent's CSR endpoint

  /**
   * Reads {@code GET /v1/agent/self}: the agent's datacenter and version, and in {@code Meta}
   * whether it offers {@link #CSR_SIGN_META} ({@code connect agent} does, Consul does not).
   *
   * @param options the token (Consul asks for {@code agent:read}) and datacenter
   * @return a future of the agent's answer
   */
  public CompletableFuture<AgentSelfWire> agentSelf(QueryOptions options) {
    requireNonNull(options, "options");
    return plain(http.get("/v1/agent/self"), options).ok()
        .thenApply(r -> r.decode(Shape.of(AgentSelfWire.class)));
  }

  // ---------------------------------------------------------------------------------------------
  // Catalog reads of the sidecar proxy (connect-proxy), over the same client, TLS and token

  /**
   * Reads {@code GET /v1/health/connect/<service>?passing=1}: the passing Connect-capable
   * instances of {@code service} (its sidecars and native instances), blocking on {@code
   * options.minIndex()}.
   *
   * @param service the destination service
   * @param options the token, datacenter and blocking parameters
   * @return a future of the entries and the {@code X-Consul-Index}
   */
  public CompletableFuture<QueryResult<List<ServiceEntryWire>>> healthConnect(String service,
      QueryOptions options) {
    requireNonNull(service, "service");
    requireNonNull(options, "options");
    return query("/v1/health/connect/" + java.net.URLEncoder.encode(service,
        java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"), options)
        .param("passing", "1")
        .sendThen(r -> new QueryResult<>(ConsulHttp.requireOk(r)
            .decode(Shape.listOf(ServiceEntryWire.class)), r.index()));
  }

  /**
   * Reads {@code GET /v1/agent/services}: the services registered with the agent, by ID.
   *
   * @param options the token and datacenter
   * @return a future of the services
   */
  public CompletableFuture<Map<String, AgentServiceWire>> agentServices(QueryOptions options) {
    requireNonNull(options, "options");
    return plain(http.get("/v1/agent/services"), options).ok()
        .thenApply(r -> r.decode(Shape.mapOf(AgentServiceWire.class)));
  }

  // ---------------------------------------------------------------------------------------------
  // AclAdmin over /v1/acl

  /** {@inheritDoc} {@code PUT /v1/acl/bootstrap}; Consul's 403 afterwards is final. */
  @Override
  public CompletableFuture<AclToken> aclBootstrap(QueryOptions options) {
    return acl.bootstrap(requireNonNull(options, "options"));
  }

  /**
   * {@inheritDoc} The rules are parsed here first, so rules that do not parse fail with {@link
   * dev.connect.core.PolicyRulesException} before anything is sent.
   */
  @Override
  public CompletableFuture<AclPolicy> policyCreate(String name, String description,
      String rules, QueryOptions options) {
    return acl.policyCreate(requireNonNull(name, "name"),
        requireNonNull(description, "description"), requireNonNull(rules, "rules"),
        requireNonNull(options, "options"));
  }

  /**
   * {@inheritDoc} Consul answers {@code 403 ACL not found} for a missing policy as for an
   * unknown token; {@code GET /v1/acl/token/self} then tells the two apart.
   */
  @Override
  public CompletableFuture<Optional<AclPolicy>> policyRead(String idOrName,
      QueryOptions options) {
    return acl.policyRead(requireNonNull(idOrName, "idOrName"),
        requireNonNull(options, "options"));
  }

  /** {@inheritDoc} The list leaves the rules out, so each policy is then read by its ID. */
  @Override
  public CompletableFuture<List<AclPolicy>> policyList(QueryOptions options) {
    return acl.policyList(requireNonNull(options, "options"));
  }

  @Override
  public CompletableFuture<AclPolicy> policyUpdate(String id, String name, String description,
      String rules, QueryOptions options) {
    return acl.policyUpdate(requireNonNull(id, "id"), requireNonNull(name, "name"),
        requireNonNull(description, "description"), requireNonNull(rules, "rules"),
        requireNonNull(options, "options"));
  }

  /** {@inheritDoc} Consul answers {@code true} either way, so the policy is read first. */
  @Override
  public CompletableFuture<Boolean> policyDelete(String idOrName, QueryOptions options) {
    return acl.policyDelete(requireNonNull(idOrName, "idOrName"),
        requireNonNull(options, "options"));
  }

  /** {@inheritDoc} A UUID is sent as a policy ID, anything else as a name. */
  @Override
  public CompletableFuture<AclToken> tokenCreate(String description,
      List<String> policyIdsOrNames, QueryOptions options) {
    return acl.tokenCreate(requireNonNull(description, "description"),
        List.copyOf(requireNonNull(policyIdsOrNames, "policyIdsOrNames")),
        requireNonNull(options, "options"));
  }

  /** {@inheritDoc} As {@link #policyRead}, a {@code 403 ACL not found} is checked twice. */
  @Override
  public CompletableFuture<Optional<AclTokenInfo>> tokenRead(String accessorId,
      QueryOptions options) {
    return acl.tokenRead(requireNonNull(accessorId, "accessorId"),
        requireNonNull(options, "options"));
  }

  @Override
  public CompletableFuture<AclTokenInfo> tokenReadSelf(QueryOptions options) {
    return acl.tokenReadSelf(requireNonNull(options, "options"));
  }

  /** {@inheritDoc} Sorted here by creation index, since Consul lists in its own order. */
  @Override
  public CompletableFuture<List<AclTokenInfo>> tokenList(QueryOptions options) {
    return acl.tokenList(requireNonNull(options, "options"));
  }

  @Override
  public CompletableFuture<AclTokenInfo> tokenUpdate(String accessorId, String description,
      List<String> policyIdsOrNames, QueryOptions options) {
    return acl.tokenUpdate(requireNonNull(accessorId, "accessorId"),
        requireNonNull(description, "description"),
        List.copyOf(requireNonNull(policyIdsOrNames, "policyIdsOrNames")),
        requireNonNull(options, "options"));
  }

  /** {@inheritDoc} Consul answers {@code true} either way, so the token is read first. */
  @Override
  public CompletableFuture<Boolean> tokenDelete(String accessorId, QueryOptions options) {
    return acl.tokenDelete(requireNonNull(accessorId, "accessorId"),
        requireNonNull(options, "options"));
  }

  /**
   * Reads what decides a connection no intention matches from the server, with one request
   * ({@code GET /v1/acl/token/self}, which needs no permission): ACLs disabled when it answers
   * {@code ACL support disabled}, else Consul's {@code X-Consul-Default-Acl-Policy} header. A
   * server that does not serve that endpoint (404: {@code connect agent} without its ACL
   * endpoints) is asked {@code GET /v1/agent/self} instead: its member tag {@code acls} {@code
   * 0} means ACLs disabled; otherwise, or when it is refused (403: ACLs are on), the header of
   * that answer decides. Waits for the answers on the calling thread, at most the request
   * timeout each.
   *
   * @return the policy the agent decides unmatched connections with
   * @throws ConsulHttpException if the server cannot be reached or answers without the header
   */
  public DefaultIntentionPolicy defaultIntentionPolicy() {
    CompletableFuture<DefaultIntentionPolicy> f =
        plain(http.get("/v1/acl/token/self"), QueryOptions.defaults()).send().thenCompose(r -> {
          if (r.status() == 401 && r.text().contains("ACL support disabled")) {
            return CompletableFuture.completedFuture(DefaultIntentionPolicy.ACLS_DISABLED);
          }
          if (r.status() >= 500 || r.status() == 429) {
            throw ConsulHttp.statusFailure(r);
          }
          if (r.status() != 404) {
            return CompletableFuture.completedFuture(DefaultIntentionPolicy.of(true,
                headerPolicy(r)));
          }
          return plain(http.get("/v1/agent/self"), QueryOptions.defaults()).send()
              .thenApply(self -> {
                if (self.status() == 200) {
                  AgentSelfWire wire = self.decode(Shape.of(AgentSelfWire.class));
                  Map<String, String> tags = wire.member() == null ? null
                      : wire.member().tags();
                  if (tags != null && "0".equals(tags.get("acls"))) {
                    return DefaultIntentionPolicy.ACLS_DISABLED;
                  }
                } else if (self.status() != 403) {
                  throw ConsulHttp.statusFailure(self);
                }
                return DefaultIntentionPolicy.of(true, headerPolicy(self));
              });
        });
    return await(f);
  }

  /** The ACL default policy in a reply's {@code X-Consul-Default-Acl-Policy} header. */
  private static AclDefaultPolicy headerPolicy(ConsulHttp.Response r) {
    String header = r.headers().firstValue(ConsulHeaders.DEFAULT_ACL_POLICY)
        .orElseThrow(() -> new ConsulHttpException(r.endpoint(), r.status(),
            "no " + ConsulHeaders.DEFAULT_ACL_POLICY + " header"));
    try {
      return AclDefaultPolicy.parse(header);
    } catch (IllegalArgumentException e) {
      throw new ConsulHttpException(r.endpoint(), r.status(), "malformed "
          + ConsulHeaders.DEFAULT_ACL_POLICY + ": " + e.getMessage(), e);
    }
  }

  /** Waits for a future on the calling thread, unwrapping the project's exceptions. */
  <T> T await(CompletableFuture<T> f) {
    try {
      return f.get(requestTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new CompletionException(c);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new ConsulHttpException("GET " + address, 0, "no answer within " + requestTimeout,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + address, e);
    }
  }

  /** Stops the HTTP client's threads; requests in flight fail. Idempotent. */
  @Override
  public void close() {
    http.close();
  }

  /** Returns the address and datacenter; never the token. */
  @Override
  public String toString() {
    return "ConsulBackend[" + address + (datacenter == null ? "" : ", dc=" + datacenter)
        + ", token=" + (token == null ? "none" : "<redacted>") + "]";
  }

  ConsulHttp http() {
    return http;
  }

  /** A GET with the token, the datacenter and the blocking parameters of {@code options}. */
  ConsulHttp.Call query(String path, QueryOptions options) {
    return plain(http.get(path), options).blocking(options.minIndex(), options.maxWait());
  }

  /** Adds the token and the datacenter of {@code options} to a call. */
  ConsulHttp.Call plain(ConsulHttp.Call call, QueryOptions options) {
    String t = options.tokenSecret().orElse(token);
    if (t != null) {
      call.token(t);
    }
    String dc = options.datacenter().orElse(datacenter);
    if (dc != null) {
      call.param("dc", dc);
    }
    return call;
  }

  static IssuedLeaf toIssuedLeaf(LeafCertWire wire) {
    IssuedCertificate certificate = toIssuedCertificate(wire);
    PrivateKey key =
        ConsulTls.parsePrivateKey(Wire.required(wire.privateKeyPem(), "PrivateKeyPEM"),
            "PrivateKeyPEM");
    return new IssuedLeaf(certificate, key);
  }

  /** The certificate part of a leaf reply, without its key. */
  static IssuedCertificate toIssuedCertificate(LeafCertWire wire) {
    List<X509Certificate> certs =
        Certificates.parsePem(Wire.required(wire.certPem(), "CertPEM"));
    if (certs.isEmpty()) {
      throw new IllegalArgumentException("CertPEM holds no certificate");
    }
    ServiceId service = ServiceId.parse(Wire.required(wire.serviceUri(), "ServiceURI"));
    long create = Wire.orZero(wire.createIndex());
    long modify = wire.modifyIndex() == null ? create : wire.modifyIndex();
    return new IssuedCertificate(certs.get(0), certs.subList(1, certs.size()), service, create,
        modify);
  }

  /**
   * A mutable builder of {@link ConsulBackend}. Each setting may be given once (a second call
   * throws {@link IllegalStateException} naming the earlier value, never a token); what is not
   * given is read from the environment as Consul's tools read it.
   */
  public static final class Builder {
    private final BuilderOptions options = BuilderOptions.create();
    private Map<String, String> environment;
    private URI address;
    private String token;
    private Path tokenFile;
    private Path caCertificate;
    private Path clientCertificate;
    private Path clientKey;
    private Boolean sslVerify;
    private String datacenter;
    private Duration requestTimeout;

    private Builder() {}

    /**
     * Replaces the process environment as the source of the {@code CONSUL_*} variables, so that
     * a test never depends on the real one. Default: {@link System#getenv()}.
     *
     * @param environment variable names to values; copied
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder environment(Map<String, String> environment) {
      requireNonNull(environment, "environment");
      options.set("environment", "<" + environment.size() + " variables>");
      this.environment = Map.copyOf(environment);
      return this;
    }

    /**
     * Sets the address of the agent's HTTP API, overriding {@code CONSUL_HTTP_ADDR}.
     *
     * @param address {@code host:port}, {@code http://host:port} or {@code https://host:port}
     * @return this builder
     * @throws IllegalArgumentException if it is neither, naming it
     * @throws IllegalStateException if already set
     */
    public Builder address(String address) {
      requireNonNull(address, "address");
      URI parsed = parseAddress(address, "address");
      options.set("address", parsed);
      this.address = parsed;
      return this;
    }

    /**
     * Sets the ACL token sent with every query that carries none, overriding {@code
     * CONSUL_HTTP_TOKEN} and {@code CONSUL_HTTP_TOKEN_FILE}.
     *
     * @param secretId the token's secret ID; never logged
     * @return this builder
     * @throws IllegalArgumentException if it is empty
     * @throws IllegalStateException if already set
     */
    public Builder token(String secretId) {
      requireNonNull(secretId, "secretId");
      if (secretId.isEmpty()) {
        throw new IllegalArgumentException("token must not be empty");
      }
      options.set("token", "<redacted>");
      this.token = secretId;
      return this;
    }

    /**
     * Sets a file holding the ACL token, read once by {@link #build()}, overriding {@code
     * CONSUL_HTTP_TOKEN_FILE} and {@code CONSUL_HTTP_TOKEN}.
     *
     * @param file the file; its content, trimmed, is the secret
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder tokenFile(Path file) {
      options.set("tokenFile", requireNonNull(file, "file"));
      this.tokenFile = file;
      return this;
    }

    /**
     * Sets the PEM file of the CA certificates that sign the agent's HTTPS certificate,
     * overriding {@code CONSUL_CACERT}. Default: the JDK's trusted CAs.
     *
     * @param file the PEM file
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder caCertificate(Path file) {
      options.set("caCertificate", requireNonNull(file, "file"));
      this.caCertificate = file;
      return this;
    }

    /**
     * Sets the client certificate and key presented over HTTPS (Consul's {@code
     * verify_incoming}), overriding {@code CONSUL_CLIENT_CERT} and {@code CONSUL_CLIENT_KEY}.
     *
     * @param certificate the PEM certificate chain file
     * @param key the PEM private key file (PKCS#8, PKCS#1 or SEC1)
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder clientCertificate(Path certificate, Path key) {
      requireNonNull(certificate, "certificate");
      requireNonNull(key, "key");
      options.set("clientCertificate", certificate);
      this.clientCertificate = certificate;
      this.clientKey = key;
      return this;
    }

    /**
     * Turns verification of the agent's HTTPS certificate off or on, overriding {@code
     * CONSUL_HTTP_SSL_VERIFY}. Default: on. Off accepts any server: for tests only.
     *
     * @param verify whether to verify
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder sslVerify(boolean verify) {
      options.set("sslVerify", verify);
      this.sslVerify = verify;
      return this;
    }

    /**
     * Sets the datacenter sent as {@code ?dc=} with queries that name none. Default: none, so
     * the agent answers for its own.
     *
     * @param datacenter the datacenter
     * @return this builder
     * @throws IllegalArgumentException if it is empty
     * @throws IllegalStateException if already set
     */
    public Builder datacenter(String datacenter) {
      requireNonNull(datacenter, "datacenter");
      if (datacenter.isEmpty()) {
        throw new IllegalArgumentException("datacenter must not be empty");
      }
      options.set("datacenter", datacenter);
      this.datacenter = datacenter;
      return this;
    }

    /**
     * Sets how long a request that does not block may take, and the connect timeout. Default:
     * 30 s. A blocking query takes its wait plus a sixteenth plus 10 s instead.
     *
     * @param timeout the timeout
     * @return this builder
     * @throws IllegalArgumentException if it is not positive
     * @throws IllegalStateException if already set
     */
    public Builder requestTimeout(Duration timeout) {
      requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("requestTimeout must be positive: " + timeout);
      }
      options.set("requestTimeout", timeout);
      this.requestTimeout = timeout;
      return this;
    }

    /**
     * Resolves the configuration and returns the backend.
     *
     * @return the backend
     * @throws IllegalArgumentException naming the variable or setting whose value is invalid
     * @throws IOException if a token, certificate or key file cannot be read
     */
    public ConsulBackend build() throws IOException {
      Map<String, String> env = environment != null ? environment : System.getenv();
      URI base = address != null ? address
          : parseAddress(env.getOrDefault("CONSUL_HTTP_ADDR", "127.0.0.1:8500"),
              "CONSUL_HTTP_ADDR");
      String secret = token;
      if (secret == null) {
        Path file = tokenFile != null ? tokenFile : path(env, "CONSUL_HTTP_TOKEN_FILE");
        if (file != null) {
          String read = Files.readString(file, StandardCharsets.UTF_8).strip();
          if (!read.isEmpty()) {
            secret = read;
          }
        }
        if (secret == null) {
          String fromEnv = env.get("CONSUL_HTTP_TOKEN");
          secret = fromEnv == null || fromEnv.isEmpty() ? null : fromEnv;
        }
      }
      Path ca = caCertificate != null ? caCertificate : path(env, "CONSUL_CACERT");
      Path cert = clientCertificate != null ? clientCertificate
          : path(env, "CONSUL_CLIENT_CERT");
      Path key = clientCertificate != null ? clientKey : path(env, "CONSUL_CLIENT_KEY");
      if ((cert == null) != (key == null)) {
        throw new IllegalArgumentException("CONSUL_CLIENT_CERT and CONSUL_CLIENT_KEY go together:"
            + " only " + (cert == null ? "CONSUL_CLIENT_KEY" : "CONSUL_CLIENT_CERT") + " is set");
      }
      boolean verify = sslVerify != null ? sslVerify : goBool(env, "CONSUL_HTTP_SSL_VERIFY", true);
      SSLContext tls = null;
      if ("https".equals(base.getScheme())) {
        tls = ConsulTls.context(ca, cert, key, verify);
      }
      return new ConsulBackend(base, secret, datacenter, tls,
          requestTimeout != null ? requestTimeout : Duration.ofSeconds(30));
    }

    private static Path path(Map<String, String> env, String name) {
      String v = env.get(name);
      return v == null || v.isEmpty() ? null : Path.of(v);
    }

    /** Go's {@code strconv.ParseBool}, as Consul reads its boolean variables. */
    private static boolean goBool(Map<String, String> env, String name, boolean unset) {
      String v = env.get(name);
      if (v == null || v.isEmpty()) {
        return unset;
      }
      switch (v) {
        case "1", "t", "T", "TRUE", "true", "True":
          return true;
        case "0", "f", "F", "FALSE", "false", "False":
          return false;
        default:
          throw new IllegalArgumentException(name + " must be a boolean (true, false, 1, 0,"
              + " ...): \"" + Texts.escape(v, 64) + "\"");
      }
    }

    static URI parseAddress(String text, String what) {
      String s = text.strip();
      String lower = s.toLowerCase(Locale.ROOT);
      if (lower.startsWith("unix://")) {
        throw new IllegalArgumentException(what + " names a Unix socket, which this client does"
            + " not support: \"" + Texts.escape(text, 256) + "\"");
      }
      if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
        s = "http://" + s;
      }
      URI uri;
      try {
        uri = URI.create(s);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(what + " is not an address: \""
            + Texts.escape(text, 256) + "\"", e);
      }
      if (uri.getHost() == null || (uri.getPath() != null && !uri.getPath().isEmpty()
          && !uri.getPath().equals("/")) || uri.getQuery() != null || uri.getUserInfo() != null) {
        throw new IllegalArgumentException(what + " must be host:port, http://host:port or"
            + " https://host:port: \"" + Texts.escape(text, 256) + "\"");
      }
      return URI.create(uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getRawAuthority()
          + "/");
    }
  }
}
