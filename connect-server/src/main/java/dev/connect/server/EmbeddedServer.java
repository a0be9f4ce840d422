package dev.connect.server;

import static java.util.Objects.requireNonNull;

import dev.connect.ca.AgentCertificateRequest;
import dev.connect.ca.CaAdmin;
import dev.connect.ca.CaConfiguration;
import dev.connect.ca.CaProviderConfig;
import dev.connect.ca.CertificateRequest;
import dev.connect.core.AclAdmin;
import dev.connect.core.AclAuthorizer;
import dev.connect.core.AclResolver;
import dev.connect.core.AclDefaultPolicy;
import dev.connect.core.AclNotFoundException;
import dev.connect.core.AclPolicy;
import dev.connect.core.AclToken;
import dev.connect.core.AclTokenInfo;
import dev.connect.core.BuilderOptions;
import dev.connect.core.CaRoots;
import dev.connect.core.ConnectBackend;
import dev.connect.core.ConnectException;
import dev.connect.core.CsrSigningBackend;
import dev.connect.core.ConnectId;
import dev.connect.core.Decision;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.Intention;
import dev.connect.core.IntentionAdmin;
import dev.connect.core.IntentionAction;
import dev.connect.core.IntentionTarget;
import dev.connect.core.Intentions;
import dev.connect.core.InvalidSpiffeIdException;
import dev.connect.core.IssuedCertificate;
import dev.connect.core.Permission;
import dev.connect.core.PermissionDeniedException;
import dev.connect.core.PolicyRulesException;
import dev.connect.core.QueryOptions;
import dev.connect.core.QueryResult;
import dev.connect.core.Schedulers;
import dev.connect.core.ServiceId;
import dev.connect.core.SigningId;
import dev.connect.server.internal.AclStore;
import dev.connect.server.internal.CaStore;
import dev.connect.server.internal.DirectoryLock;
import dev.connect.server.internal.IndexFloor;
import dev.connect.server.internal.IndexedState;
import dev.connect.server.internal.IntentionStore;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Connect server inside this JVM: a certificate authority whose roots survive restarts, leaf
 * signing from CSRs, intentions, ACL tokens and policies, and blocking queries, behind the same
 * {@link ConnectBackend} seam a real Consul cluster sits behind.
 *
 * <p>On first open the server creates a cluster ID, the trust domain {@code <cluster-id>.consul}
 * and a root CA in the data directory; every later open, including after a crash or {@code kill
 * -9} at any moment, finds the same root, intentions, policies and tokens. State files are
 * written whole or not at all (temporary file, fsync, atomic rename, fsync of the directory) before
 * a change becomes visible; they and the private keys are owner-only files. A corrupt or
 * half-written state file stops {@link Builder#open()} with a {@link DataDirectoryException}; the
 * server never silently starts a new CA over an old one.
 *
 * <pre>{@code
 * try (EmbeddedServer server = EmbeddedServer.builder().dataDirectory(Path.of("connect-data"))
 *     .datacenter("dc1").open()) {
 *   QueryOptions none = QueryOptions.defaults();
 *   server.upsertIntention(IntentionTarget.parse("web"), IntentionTarget.parse("db"),
 *       IntentionAction.ALLOW, "", none);
 *   Decision d = server.checkIntention("web", "db", none);
 *   // d.reason(): "Matched L4 intention: default/web => default/db (Precedence: 9, ...)"
 * }
 * }</pre>
 *
 * <p><b>ACLs.</b> Off by default: then every request is allowed whatever its token, and a
 * connection no intention matches is allowed ("ACLs disabled, access is allowed by default"). With
 * {@link Builder#aclsEnabled(boolean)} every read and write needs Consul's permission for it, from
 * the token in its {@link QueryOptions}: a request without one uses the anonymous token, an
 * unknown secret fails with {@link AclNotFoundException}, a missing permission with {@link
 * PermissionDeniedException} naming the permission, the resource and the token's accessor ID,
 * never its secret. The data directory records whether ACLs are on and their default
 * policy, and every opener (an application, the {@code connect} command) enforces them: one that
 * asks for other settings is refused, naming both. Lists are filtered rather than refused. Synchronous methods throw; methods that
 * return a future complete it exceptionally. Token secrets are stored only as SHA-256 hashes.
 *
 * <p><b>Rotation.</b> {@link #rotateRoot(QueryOptions)} makes a new root, has the old root
 * cross-sign it, and lists both, the new one active. Leaves signed afterwards carry the
 * cross-signed certificate as an intermediate, so peers that still trust only the old root accept
 * them, while it is {@linkplain CaRoots#presentable presentable}: it ends no later than twice the
 * leaf lifetime after the rotation, and is dropped from new leaves and from the published roots
 * an hour before it ends. A rotated-out root stays listed for twice the leaf lifetime, until every
 * leaf it signed has been renewed, and never while a cross-signed certificate it issued is still
 * valid.
 *
 * <p><b>Two forms of each operation.</b> The administration of intentions, the CA and ACLs is
 * offered twice: as synchronous methods for in-process callers ({@link #upsertIntention}, {@link
 * #rotateRoot(QueryOptions)}, {@link #createPolicy}, ...), which throw, and as the seam's
 * asynchronous interfaces ({@link IntentionAdmin}, {@link CaAdmin}, {@link AclAdmin}), named
 * after Consul's Go client ({@link #intentionUpsert}, {@link #caRotate(QueryOptions)}, {@link
 * #policyCreate}, ...), whose futures complete at once, exceptionally where the synchronous
 * form throws. A remote backend implements only the interfaces; the agent uses only them.
 *
 * <p>Thread-safe. Writes (rotation, configuration, intentions, ACL) are serialised, and each takes
 * the next index; reads and leaf signing run in parallel on the caller's thread against immutable
 * snapshots, without locks. Blocking queries park no thread.
 */
public final class EmbeddedServer
    implements CsrSigningBackend, IntentionAdmin, CaAdmin, AclAdmin, AclResolver, AutoCloseable {
  /** How often rotated-out roots are checked for pruning, as Consul's leader does. */
  static final Duration PRUNE_INTERVAL = Duration.ofHours(1);
  /** How soon a failed renewal of the CA provider's credentials is tried again. */
  static final Duration CREDENTIAL_RETRY = Duration.ofSeconds(15);

  private static final Logger log = LoggerFactory.getLogger(EmbeddedServer.class);
  private static final String ACL_DISABLED = "ACL support disabled";

  private final String datacenter;
  private final boolean aclsEnabled;
  private final AclDefaultPolicy aclDefaultPolicy;
  private final DirectoryLock lock;
  private final IndexFloor floor;
  private final CaStore store;
  private final IntentionStore intentions;
  private final AclStore acl;
  private final IndexedState index;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final Clock clock;
  private final ScheduledFuture<?> pruning;
  private final Object renewalLock = new Object();
  private ScheduledFuture<?> renewal; // guarded by renewalLock
  private boolean closed; // guarded by renewalLock
  private volatile Optional<Instant> credentialsRenewedAt = Optional.empty();

  private EmbeddedServer(Builder b, AclStore.Mode mode, DirectoryLock lock, IndexFloor floor,
      CaStore store, IntentionStore intentions, AclStore acl, IndexedState index,
      ScheduledExecutorService scheduler, boolean ownsScheduler) {
    this.datacenter = b.datacenter;
    this.aclsEnabled = mode.enabled();
    this.aclDefaultPolicy = mode.policy();
    this.lock = lock;
    this.floor = floor;
    this.store = store;
    this.intentions = intentions;
    this.acl = acl;
    this.index = index;
    this.scheduler = scheduler;
    this.ownsScheduler = ownsScheduler;
    this.pruning = scheduler.scheduleAtFixedRate(this::pruneQuietly,
        PRUNE_INTERVAL.toMillis(), PRUNE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    this.clock = b.clock;
    if (store.snapshot().provider() instanceof dev.connect.ca.ExternalCaProvider) {
      scheduleRenewal(Duration.ZERO);
    }
  }

  /** Returns a builder; {@link Builder#dataDirectory(Path)} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns this server's trust domain, {@code <cluster-id>.consul}. */
  public SigningId trustDomain() {
    return store.trustDomain();
  }

  /** Returns the datacenter this server signs leaves for. */
  public String datacenter() {
    return datacenter;
  }

  /** Returns the data directory. */
  public Path dataDirectory() {
    return store.directory();
  }

  /** Returns whether ACLs are enforced. */
  public boolean aclsEnabled() {
    return aclsEnabled;
  }

  /**
   * Returns the ACL default policy, Consul's {@code acl.default_policy}; it applies only when
   * {@link #aclsEnabled()}.
   */
  public AclDefaultPolicy aclDefaultPolicy() {
    return aclDefaultPolicy;
  }

  // ---------------------------------------------------------------------------------------------
  // CA

  /**
   * Returns the CA configuration in force. Needs {@code operator:write}, as Consul does since
   * 1.8.6 (CVE-2020-28053).
   *
   * @param options the token
   * @return the configuration
   * @throws PermissionDeniedException if the token lacks {@code operator:write}
   * @throws AclNotFoundException if no token has the given secret
   */
  public CaConfiguration caConfiguration(QueryOptions options) {
    caller(options).enforce(Permission.operatorWrite());
    return store.snapshot().config();
  }

  /** Returns the trusted roots; needs no ACL permission, and ignores the token. */
  @Override
  public CompletableFuture<QueryResult<CaRoots>> roots(QueryOptions options) {
    requireNonNull(options, "options");
    try {
      checkDatacenter(options);
      if (!options.isBlocking()) {
        return CompletableFuture.completedFuture(currentRoots());
      }
      return cancellable(index.awaitAbove(CaStore.ROOTS, options.minIndex(), options.maxWait()),
          ignored -> currentRoots());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private QueryResult<CaRoots> currentRoots() {
    CaStore.Snapshot s = store.snapshot();
    return new QueryResult<>(s.roots(), s.rootsIndex());
  }

  /**
   * Signs a leaf; the token needs {@code service:write} on the CSR's service, checked after the
   * CSR is validated and before it is signed.
   */
  @Override
  public CompletableFuture<QueryResult<IssuedCertificate>> signLeaf(String csrPem,
      QueryOptions options) {
    requireNonNull(csrPem, "csrPem");
    requireNonNull(options, "options");
    try {
      checkDatacenter(options);
      AclAuthorizer caller = caller(options);
      for (int attempt = 0; ; attempt++) {
        CaStore.Snapshot s = store.snapshot();
        CertificateRequest request =
            CertificateRequest.validate(csrPem, s.trustDomain(), datacenter, s.config());
        caller.enforce(Permission.serviceWrite(request.serviceId().service()));
        X509Certificate leaf = s.provider().sign(request);
        long issuedAt = store.recordLeaf();
        // A rotation that landed between the snapshot and the index would give a leaf of the
        // retired root an index after the rotation; an agent trusts the newer index. Sign again.
        if (attempt < 3 && !store.snapshot().roots().activeRootId()
            .equals(s.roots().activeRootId())) {
          continue;
        }
        IssuedCertificate issued = new IssuedCertificate(leaf,
            store.leafIntermediates(s), request.serviceId(), issuedAt, issuedAt);
        return CompletableFuture.completedFuture(new QueryResult<>(issued, issuedAt));
      }
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Signs the certificate of the Connect agent that runs this server, for its HTTPS API: the
   * agent's SPIFFE ID plus the request's DNS names and IP addresses (see {@link
   * AgentCertificateRequest}).
   *
   * <p>No ACL token is asked for: this is for the process that opened the server, which holds
   * its data directory and so its CA key already, and is never offered over the wire (Consul's
   * servers likewise sign their own agents' certificates from configuration, not by token).
   *
   * @param request the agent, its public key and its names
   * @return the leaf followed by the intermediates a client needs, leaf first
   * @throws IllegalArgumentException if the agent is of another trust domain or datacenter
   * @throws IllegalStateException if its CA provider does not sign agent certificates, or its
   *     root has expired
   */
  public List<X509Certificate> signAgentCertificate(AgentCertificateRequest request) {
    requireNonNull(request, "request");
    if (!request.agent().datacenter().equals(datacenter)) {
      throw new IllegalArgumentException("agent " + request.agent()
          + " is of another datacenter: " + request.agent().datacenter() + ", we are "
          + datacenter);
    }
    CaStore.Snapshot s = store.snapshot();
    X509Certificate leaf = s.provider().signAgent(request);
    store.recordLeaf();
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(leaf);
    chain.addAll(store.leafIntermediates(s));
    return List.copyOf(chain);
  }

  /**
   * Replaces the active root with a newly generated one of the configured key type, cross-signed
   * by the old root. Needs {@code operator:write}.
   *
   * @param options the token
   * @return the roots after the rotation, the new root active
   * @throws PermissionDeniedException if the token lacks {@code operator:write}
   * @throws AclNotFoundException if no token has the given secret
   * @throws ConnectException if the new state cannot be written; the old root stays active
   */
  public CaRoots rotateRoot(QueryOptions options) {
    caller(options).enforce(Permission.operatorWrite());
    return store.rotate(Optional.empty(), Optional.empty());
  }

  /**
   * Replaces the active root with one the operator supplies, cross-signed by the old root. Needs
   * {@code operator:write}.
   *
   * @param privateKeyPem the new root's private key (PKCS#1, PKCS#8 or SEC1 PEM)
   * @param rootCertPem the new root certificate, a CA certificate for that key
   * @param options the token
   * @return the roots after the rotation, the new root active
   * @throws IllegalArgumentException if the key or certificate is malformed, or they do not match
   * @throws PermissionDeniedException if the token lacks {@code operator:write}
   * @throws AclNotFoundException if no token has the given secret
   * @throws ConnectException if the new state cannot be written; the old root stays active
   */
  public CaRoots rotateRoot(String privateKeyPem, String rootCertPem, QueryOptions options) {
    requireNonNull(privateKeyPem, "privateKeyPem");
    requireNonNull(rootCertPem, "rootCertPem");
    caller(options).enforce(Permission.operatorWrite());
    return store.rotate(Optional.of(privateKeyPem), Optional.of(rootCertPem));
  }

  /**
   * Changes the CA configuration. As in Consul, a change of key type or size makes a new root
   * (cross-signed by the old one); any other change keeps the root and applies to leaves signed
   * from now on. Needs {@code operator:write}.
   *
   * @param configuration the new configuration
   * @param options the token
   * @return the roots after the change
   * @throws PermissionDeniedException if the token lacks {@code operator:write}
   * @throws AclNotFoundException if no token has the given secret
   * @throws ConnectException if the new state cannot be written; nothing changes then
   */
  public CaRoots updateCaConfiguration(CaConfiguration configuration, QueryOptions options) {
    requireNonNull(configuration, "configuration");
    caller(options).enforce(Permission.operatorWrite());
    return store.updateConfiguration(configuration);
  }

  /**
   * Returns which provider signs and its settings in Consul's names, never a secret: {@code
   * consul} with no settings for the built-in CA, else the external provider's {@link
   * dev.connect.ca.ExternalCaProvider#settings()}. Needs {@code operator:write}.
   *
   * @param options the token
   * @return the provider and its settings
   * @throws PermissionDeniedException if the token lacks {@code operator:write}
   */
  public CaProviderConfig caProviderConfig(QueryOptions options) {
    caller(options).enforce(Permission.operatorWrite());
    if (store.snapshot().provider() instanceof dev.connect.ca.ExternalCaProvider ext) {
      return new CaProviderConfig(ext.name(), ext.settings());
    }
    return new CaProviderConfig("consul", Map.of());
  }

  /**
   * Changes the external provider's settings, as Consul's {@code PUT} of a configuration naming
   * the same provider: a new intermediate, and a new root, cross-signed by the old one, when the
   * settings name another root (for Vault, another {@code RootPKIPath}). Switching between
   * providers is refused: the provider is chosen when the data directory is created. Needs
   * {@code operator:write}.
   *
   * @param provider the provider, which must be the one signing, and the settings to change
   * @param options the token
   * @return the roots after the change
   * @throws IllegalArgumentException if {@code provider} names another provider than the one
   *     signing (naming both), the built-in CA signs, or a setting cannot be changed
   * @throws PermissionDeniedException if the token lacks {@code operator:write}
   */
  public CaRoots updateCaProviderConfig(CaProviderConfig provider, QueryOptions options) {
    requireNonNull(provider, "provider");
    caller(options).enforce(Permission.operatorWrite());
    String signing = store.snapshot().provider() instanceof dev.connect.ca.ExternalCaProvider e
        ? e.name() : "consul";
    if (!provider.provider().equals(signing)) {
      throw new IllegalArgumentException("switching the CA provider from " + signing + " to "
          + provider.provider() + " is not supported: the provider is chosen when the data"
          + " directory is created (connect agent --ca-provider)");
    }
    return store.reconfigureProvider(provider.settings());
  }

  /**
   * Returns when the external CA provider's credentials (a renewable Vault token) were last
   * renewed; empty if never, or if they need no renewal.
   */
  public Optional<Instant> caProviderCredentialsRenewedAt() {
    return credentialsRenewedAt;
  }

  private void scheduleRenewal(Duration delay) {
    synchronized (renewalLock) {
      if (!closed) {
        renewal = scheduler.schedule(this::renewCredentials, delay.toMillis(),
            TimeUnit.MILLISECONDS);
      }
    }
  }

  private void renewCredentials() {
    if (!(store.snapshot().provider() instanceof dev.connect.ca.ExternalCaProvider ext)) {
      return;
    }
    Optional<Duration> next;
    try {
      next = ext.renewCredentials();
    } catch (RuntimeException e) {
      if (!floor.isClosed()) {
        // Visible in the log; tried again soon, before a short-lived token expires.
        log.warn("renewing the {} CA provider's credentials failed; retrying in {}",
            ext.name(), CREDENTIAL_RETRY, e);
        scheduleRenewal(CREDENTIAL_RETRY);
      }
      return;
    }
    if (next.isPresent()) {
      credentialsRenewedAt = Optional.of(clock.instant());
      scheduleRenewal(next.get());
    }
  }

  /** Removes rotated-out roots older than twice the leaf lifetime; returns how many. */
  int pruneRoots() {
    return store.prune();
  }

  private void pruneQuietly() {
    try {
      store.prune();
    } catch (RuntimeException e) {
      if (!floor.isClosed()) {
        // Visible in the log and retried next hour; the roots stay trusted a little longer.
        log.warn("pruning rotated-out roots failed in {}", store.directory(), e);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Intentions

  /**
   * Creates an intention as Consul's legacy {@code POST /v1/connect/intentions} does: the server
   * gives it a new random ID, the current time as creation and update time, and the next index.
   * Its source, destination, action, description and metadata are taken from {@code intention};
   * its indexes and times are ignored. Needs {@code intention:write} on the destination.
   *
   * @param intention the intention, with an empty ID
   * @param options the token
   * @return the stored intention
   * @throws IllegalArgumentException if the source or destination is in a namespace other than
   *     {@code default}, the wildcard namespace included (checked first, as Consul Community
   *     Edition refuses namespaces before any ACL check), if its name is neither {@code *} nor a
   *     {@linkplain dev.connect.core.ServiceNames service name} (checked next, naming the value),
   *     if the ID is not empty ({@code ID must
   *     be empty when creating a new intention}) or an intention for the same source and
   *     destination exists ({@code duplicate intention found: <existing>})
   * @throws PermissionDeniedException if the token lacks {@code intention:write} on the
   *     destination
   * @throws AclNotFoundException if no token has the given secret
   * @throws ConnectException if the new state cannot be written; nothing changes then
   */
  public Intention createIntention(Intention intention, QueryOptions options) {
    requireNonNull(intention, "intention");
    IntentionStore.requireWritable(intention.source(), intention.destination());
    caller(options).enforce(Permission.intentionWrite(intention.destination().name()));
    return intentions.create(intention);
  }

  /**
   * Creates or updates the intention for a source and destination, as Consul's {@code PUT
   * /v1/connect/intentions/exact} does. An existing intention keeps its ID, metadata and creation
   * time; a new one gets no ID and no times, as Consul's exact API makes them. Needs {@code
   * intention:write} on the destination. Changing nothing writes nothing.
   *
   * @param source the source, such as {@code IntentionTarget.parse("web")}
   * @param destination the destination
   * @param action allow or deny
   * @param description free text, at most 512 bytes in UTF-8; may be empty
   * @param options the token
   * @return the stored intention
   * @throws IllegalArgumentException if the source or destination is in a namespace other than
   *     {@code default}, the wildcard namespace included (checked before any ACL check), if its
   *     name is neither {@code *} nor a {@linkplain dev.connect.core.ServiceNames service name}
   *     (checked next, naming the value), or the description is too long
   * @throws PermissionDeniedException if the token lacks {@code intention:write} on the
   *     destination
   * @throws AclNotFoundException if no token has the given secret
   * @throws ConnectException if the new state cannot be written; nothing changes then
   */
  public Intention upsertIntention(IntentionTarget source, IntentionTarget destination,
      IntentionAction action, String description, QueryOptions options) {
    requireNonNull(source, "source");
    requireNonNull(destination, "destination");
    requireNonNull(action, "action");
    requireNonNull(description, "description");
    IntentionStore.requireWritable(source, destination);
    caller(options).enforce(Permission.intentionWrite(destination.name()));
    return intentions.upsert(source, destination, action, description);
  }

  /**
   * Returns the intention with this ID. Needs {@code intention:read} on its source or its
   * destination.
   *
   * @param id a UUID
   * @param options the token
   * @return the intention, or empty if none has this ID
   * @throws IllegalArgumentException if {@code id} is not a UUID
   * @throws PermissionDeniedException if the intention exists and the token may read neither
   *     its source nor its destination (the message names the destination)
   * @throws AclNotFoundException if no token has the given secret
   */
  public Optional<Intention> intention(String id, QueryOptions options) {
    requireNonNull(id, "id");
    AclAuthorizer caller = caller(options);
    Optional<Intention> found = intentions.current().byId(checkUuid(id));
    found.ifPresent(i -> checkRead(caller, i.source(), i.destination()));
    return found;
  }

  /**
   * Returns the intention for exactly this source and destination; wildcards are compared as
   * values. Needs {@code intention:read} on the source or the destination, checked before the
   * lookup.
   *
   * @param source the source
   * @param destination the destination
   * @param options the token
   * @return the intention, or empty
   * @throws PermissionDeniedException if the token may read neither the source nor the
   *     destination (the message names the destination)
   * @throws AclNotFoundException if no token has the given secret
   */
  public Optional<Intention> intention(IntentionTarget source, IntentionTarget destination,
      QueryOptions options) {
    requireNonNull(source, "source");
    requireNonNull(destination, "destination");
    checkRead(caller(options), source, destination);
    return intentions.current().get(source, destination);
  }

  /**
   * Lists the intentions the token may read ({@code intention:read} on the source or the
   * destination), most precedent first; the others are left out, never refused. Blocks on the
   * intentions index when {@code options} asks to.
   *
   * @param options the token and blocking settings
   * @return a future of the intentions and the intentions index; completed exceptionally with
   *     {@link AclNotFoundException} if no token has the given secret
   */
  @Override
  public CompletableFuture<QueryResult<List<Intention>>> intentions(QueryOptions options) {
    return blockingRead(options, IntentionStore.TABLE, caller -> { }, caller -> {
      List<Intention> all = intentions.current().all();
      if (!caller.aclsEnabled()) {
        return all;
      }
      List<Intention> readable = new ArrayList<>(all.size());
      for (Intention i : all) {
        if (canRead(caller, i.source(), i.destination())) {
          readable.add(i);
        }
      }
      return List.copyOf(readable);
    });
  }

  /**
   * Deletes the intention with this ID. Needs {@code intention:write} on its destination.
   *
   * @param id a UUID
   * @param options the token
   * @return whether it existed
   * @throws IllegalArgumentException if {@code id} is not a UUID
   * @throws PermissionDeniedException if the token lacks {@code intention:write} on the
   *     intention's destination
   * @throws AclNotFoundException if no token has the given secret
   * @throws ConnectException if the new state cannot be written; nothing changes then
   */
  public boolean deleteIntention(String id, QueryOptions options) {
    requireNonNull(id, "id");
    AclAuthorizer caller = caller(options);
    Optional<Intention> found = intentions.current().byId(checkUuid(id));
    if (found.isEmpty()) {
      return false;
    }
    // An ID names one (source, destination) pair for ever, so the check stays valid.
    caller.enforce(Permission.intentionWrite(found.get().destination().name()));
    return intentions.delete(id);
  }

  /**
   * Deletes the intention for exactly this source and destination. Needs {@code
   * intention:write} on the destination.
   *
   * @param source the source
   * @param destination the destination
   * @param options the token
   * @return whether it existed
   * @throws PermissionDeniedException if the token lacks {@code intention:write} on the
   *     destination
   * @throws AclNotFoundException if no token has the given secret
   * @throws ConnectException if the new state cannot be written; nothing changes then
   */
  public boolean deleteIntention(IntentionTarget source, IntentionTarget destination,
      QueryOptions options) {
    requireNonNull(source, "source");
    requireNonNull(destination, "destination");
    caller(options).enforce(Permission.intentionWrite(destination.name()));
    return intentions.delete(source, destination);
  }

  /**
   * Returns the intentions whose destination covers {@code destination}, most precedent first,
   * as Consul's {@code /v1/connect/intentions/match?by=destination} does; what an agent caches to
   * authorize connections to that service. Needs {@code intention:read} on the name. Blocks on
   * the intentions index when {@code options} asks to.
   *
   * @param destination {@code name} (in the {@code default} namespace) or {@code
   *     namespace/name}
   * @param options the token and blocking settings
   * @return a future of the intentions and the intentions index; completed exceptionally with
   *     {@link IllegalArgumentException} for an invalid name, {@link PermissionDeniedException}
   *     or {@link AclNotFoundException}
   */
  @Override
  public CompletableFuture<QueryResult<List<Intention>>> matchIntentions(String destination,
      QueryOptions options) {
    requireNonNull(destination, "destination");
    return match(destination, options, Intentions::matchByDestination);
  }

  /**
   * Returns the intentions whose source covers {@code source}, most precedent first, as Consul's
   * {@code /v1/connect/intentions/match?by=source} does. Needs {@code intention:read} on the
   * name. Blocks on the intentions index when {@code options} asks to.
   *
   * @param source {@code name} (in the {@code default} namespace) or {@code namespace/name}
   * @param options the token and blocking settings
   * @return a future of the intentions and the intentions index; completed exceptionally as
   *     {@link #matchIntentions} is
   */
  public CompletableFuture<QueryResult<List<Intention>>> matchIntentionsBySource(String source,
      QueryOptions options) {
    requireNonNull(source, "source");
    return match(source, options, Intentions::matchBySource);
  }

  private interface Matcher {
    List<Intention> match(Intentions intentions, String name);
  }

  private CompletableFuture<QueryResult<List<Intention>>> match(String name,
      QueryOptions options, Matcher matcher) {
    IntentionTarget target;
    try {
      target = IntentionTarget.parse(name);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    Permission needed = Permission.intentionRead(target.name());
    return blockingRead(options, IntentionStore.TABLE, caller -> caller.enforce(needed),
        caller -> matcher.match(intentions.current(), name));
  }

  /**
   * Decides whether {@code source} may connect to {@code destination}, as Consul's {@code GET
   * /v1/connect/intentions/check} does: the most precedent matching intention, else the default
   * (ACLs off: allowed; on: the ACL default policy). Needs {@code service:read} on the
   * destination.
   *
   * @param source the client service, {@code name} or {@code namespace/name}; no wildcard
   * @param destination the server service, likewise
   * @param options the token
   * @return the decision and its reason
   * @throws IllegalArgumentException if a service is not valid or is a wildcard
   * @throws PermissionDeniedException if the token lacks {@code service:read} on the destination
   * @throws AclNotFoundException if no token has the given secret
   */
  public Decision checkIntention(String source, String destination, QueryOptions options) {
    requireNonNull(source, "source");
    requireNonNull(destination, "destination");
    AclAuthorizer caller = caller(options);
    IntentionTarget.parse(source);
    IntentionTarget d = IntentionTarget.parse(destination);
    caller.enforce(Permission.serviceRead(d.name()));
    return intentions.current().check(source, destination, caller.defaultIntentionPolicy());
  }

  /**
   * Decides whether the holder of a client certificate may connect to {@code target}, as
   * Consul's {@code POST /v1/agent/connect/authorize} does, in its order: the target is checked,
   * then the client URI (a URI that is not a Connect service identity is denied, with Consul's
   * words as the reason, before any ACL check), then the token needs {@code service:write} on the
   * target and {@code intention:read} on it; then the intentions decide (see {@link
   * Intentions#authorize(ServiceId, String, String, DefaultIntentionPolicy)}), and the caller's
   * ACL default when none matches. A client of another trust domain is denied.
   *
   * @param target the service being connected to, in this server's trust domain and datacenter
   * @param clientCertUri the URI SAN of the client's certificate
   * @param clientCertSerial the client certificate's serial; unused, as in Consul; may be empty
   * @param options the token
   * @return the decision and its reason
   * @throws IllegalArgumentException if {@code target} is empty ({@code Target service must be
   *     specified}) or not a valid service name
   * @throws PermissionDeniedException if the token lacks {@code service:write} or {@code
   *     intention:read} on the target
   * @throws AclNotFoundException if no token has the given secret
   */
  public Decision authorize(String target, String clientCertUri, String clientCertSerial,
      QueryOptions options) {
    requireNonNull(target, "target");
    requireNonNull(clientCertUri, "clientCertUri");
    requireNonNull(clientCertSerial, "clientCertSerial");
    checkDatacenter(requireNonNull(options, "options"));
    if (target.isEmpty()) {
      throw new IllegalArgumentException("Target service must be specified");
    }
    ServiceId destination = ServiceId.of(trustDomain().trustDomain(), datacenter, target);
    ConnectId client;
    try {
      client = ConnectId.parse(clientCertUri);
    } catch (InvalidSpiffeIdException e) {
      return intentions.current().authorize(destination, clientCertUri, clientCertSerial,
          serverDefaultIntentionPolicy());
    }
    if (!(client instanceof ServiceId)) {
      return intentions.current().authorize(destination, client, serverDefaultIntentionPolicy());
    }
    AclAuthorizer caller = caller(options);
    caller.enforce(Permission.serviceWrite(target));
    caller.enforce(Permission.intentionRead(target));
    return intentions.current().authorize(destination, client, caller.defaultIntentionPolicy());
  }

  private DefaultIntentionPolicy serverDefaultIntentionPolicy() {
    if (!aclsEnabled) {
      return DefaultIntentionPolicy.ACLS_DISABLED;
    }
    return aclDefaultPolicy.allows() ? DefaultIntentionPolicy.ACLS_DEFAULT_ALLOW
        : DefaultIntentionPolicy.ACLS_DEFAULT_DENY;
  }

  private static boolean canRead(AclAuthorizer caller, IntentionTarget source,
      IntentionTarget destination) {
    return caller.intentionRead(source.name()) || caller.intentionRead(destination.name());
  }

  private static void checkRead(AclAuthorizer caller, IntentionTarget source,
      IntentionTarget destination) {
    if (!canRead(caller, source, destination)) {
      caller.enforce(Permission.intentionRead(destination.name()));
    }
  }

  private static String checkUuid(String id) {
    boolean ok = id.length() == 36;
    for (int i = 0; ok && i < 36; i++) {
      char c = id.charAt(i);
      ok = i == 8 || i == 13 || i == 18 || i == 23 ? c == '-'
          : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
    if (!ok) {
      throw new IllegalArgumentException("intention ID must be a UUID such as"
          + " 353609c9-81a8-0081-5b0a-5608979d6d3a: \""
          + (id.length() > 64 ? id.substring(0, 64) + "..." : id) + "\"");
    }
    return id;
  }

  // ---------------------------------------------------------------------------------------------
  // ACL

  /**
   * Creates the first management token (Consul's {@code PUT /v1/acl/bootstrap}): it links to the
   * builtin {@code global-management} policy and may do everything. Allowed once per data
   * directory; a configured {@linkplain Builder#initialManagementToken initial management token}
   * counts as that once. This is the only time its secret is returned.
   *
   * @return the token, with its secret ({@link AclToken#revealSecretId()})
   * @throws PermissionDeniedException {@code Permission denied: ACL bootstrap no longer allowed
   *     (reset index: <n>)} after the first time, as Consul answers
   * @throws ConnectException {@code ACL support disabled} when ACLs are off, or if the new state
   *     cannot be written
   */
  public AclToken bootstrapAcl() {
    requireAcls();
    return acl.bootstrap();
  }

  /**
   * Creates an ACL policy. Needs {@code acl:write}.
   *
   * @param name unique; 1 to 128 letters, digits, {@code -} and {@code _}
   * @param description free text, may be empty
   * @param rules the rules in Consul's HCL or JSON form, such as {@code service "web" { policy =
   *     "write" }}
   * @param options the token
   * @return the policy, with a new random ID
   * @throws IllegalArgumentException if the name is not valid, or taken ({@code Invalid Policy: A
   *     Policy with Name "web-write" already exists})
   * @throws PolicyRulesException if the rules do not parse
   * @throws PermissionDeniedException if the token lacks {@code acl:write}
   * @throws AclNotFoundException if no token has the given secret
   * @throws ConnectException {@code ACL support disabled} when ACLs are off, or if the new state
   *     cannot be written
   */
  public AclPolicy createPolicy(String name, String description, String rules,
      QueryOptions options) {
    requireNonNull(name, "name");
    requireNonNull(description, "description");
    requireNonNull(rules, "rules");
    aclCaller(options).enforce(Permission.aclWrite());
    return acl.createPolicy(name, description, rules);
  }

  /**
   * Lists the ACL policies by name, the builtin {@code global-management} included. Needs {@code
   * acl:read}.
   *
   * @param options the token
   * @return the policies
   * @throws PermissionDeniedException if the token lacks {@code acl:read}
   * @throws AclNotFoundException if no token has the given secret
   * @throws ConnectException {@code ACL support disabled} when ACLs are off
   */
  public List<AclPolicy> policies(QueryOptions options) {
    aclCaller(options).enforce(Permission.aclRead());
    return acl.state().policies();
  }

  /**
   * Returns the policy with this ID, else the one with this name. Needs {@code acl:read}.
   *
   * @param idOrName a policy ID or name
   * @param options the token
   * @return the policy, or empty
   * @throws PermissionDeniedException if the token lacks {@code acl:read}
   * @throws AclNotFoundException if no token has the given secret
   * @throws ConnectException {@code ACL support disabled} when ACLs are off
   */
  public Optional<AclPolicy> policy(String idOrName, QueryOptions options) {
    requireNonNull(idOrName, "idOrName");
    aclCaller(options).enforce(Permission.aclRead());
    return acl.state().policy(idOrName);
  }

  /**
   * Deletes a policy, by ID or name; tokens lose their link to it. Needs {@code acl:write}.
   *
   * @param idOrName a policy ID or name
   * @param options the token
   * @return whether it existed
   * @throws IllegalArgumentException for the builtin {@code global-management} policy
   * @throws PermissionDeniedException if the token lacks {@code acl:write}
   * @throws AclNotFoundException if no token has the given secret
   * @throws ConnectException {@code ACL support disabled} when ACLs are off, or if the new state
   *     cannot be written
   */
  public boolean deletePolicy(String idOrName, QueryOptions options) {
    requireNonNull(idOrName, "idOrName");
    aclCaller(options).enforce(Permission.aclWrite());
    return acl.deletePolicy(idOrName);
  }

  /**
   * Creates a token with a new random accessor ID and secret (random UUIDs). This is the only
   * time its secret is returned: the server keeps just its SHA-256. Needs {@code acl:write}.
   *
   * @param description free text, may be empty
   * @param policyIdsOrNames the token's policies, each by ID or name; may be empty
   * @param options the token making the request
   * @return the token, with its secret ({@link AclToken#revealSecretId()})
   * @throws IllegalArgumentException if a policy does not exist
   * @throws PermissionDeniedException if the token lacks {@code acl:write}
   * @throws AclNotFoundException if no token has the given secret
   * @throws ConnectException {@code ACL support disabled} when ACLs are off, or if the new state
   *     cannot be written
   */
  public AclToken createToken(String description, List<String> policyIdsOrNames,
      QueryOptions options) {
    requireNonNull(description, "description");
    List<String> refs = List.copyOf(requireNonNull(policyIdsOrNames, "policyIdsOrNames"));
    aclCaller(options).enforce(Permission.aclWrite());
    return acl.createToken(description, refs);
  }

  /**
   * Replaces a token's description and policies; its secret stays. The way to give the anonymous
   * token ({@value AclToken#ANONYMOUS_ACCESSOR_ID}) policies, as with {@code consul acl token
   * update}. Needs {@code acl:write}.
   *
   * @param accessorId the token's accessor ID
   * @param description the new description
   * @param policyIdsOrNames the new policies, each by ID or name
   * @param options the token making the request
   * @return the token as it is now
   * @throws IllegalArgumentException if the token or a policy does not exist
   * @throws PermissionDeniedException if the token lacks {@code acl:write}
   * @throws AclNotFoundException if no token has the given secret
   * @throws ConnectException {@code ACL support disabled} when ACLs are off, or if the new state
   *     cannot be written
   */
  public AclTokenInfo updateToken(String accessorId, String description,
      List<String> policyIdsOrNames, QueryOptions options) {
    requireNonNull(accessorId, "accessorId");
    requireNonNull(description, "description");
    List<String> refs = List.copyOf(requireNonNull(policyIdsOrNames, "policyIdsOrNames"));
    aclCaller(options).enforce(Permission.aclWrite());
    return acl.updateToken(accessorId, description, refs);
  }

  /**
   * Lists the tokens, oldest first, without their secrets. Needs {@code acl:read}.
   *
   * @param options the token
   * @return the tokens
   * @throws PermissionDeniedException if the token lacks {@code acl:read}
   * @throws AclNotFoundException if no token has the given secret
   * @throws ConnectException {@code ACL support disabled} when ACLs are off
   */
  public List<AclTokenInfo> tokens(QueryOptions options) {
    aclCaller(options).enforce(Permission.aclRead());
    return acl.state().tokens();
  }

  /**
   * Returns the token with this accessor ID, without its secret. Needs {@code acl:read}.
   *
   * @param accessorId the accessor ID
   * @param options the token
   * @return the token, or empty
   * @throws PermissionDeniedException if the token lacks {@code acl:read}
   * @throws AclNotFoundException if no token has the given secret
   * @throws ConnectException {@code ACL support disabled} when ACLs are off
   */
  public Optional<AclTokenInfo> token(String accessorId, QueryOptions options) {
    requireNonNull(accessorId, "accessorId");
    aclCaller(options).enforce(Permission.aclRead());
    return acl.state().tokenByAccessor(accessorId);
  }

  /**
   * Deletes a token. Needs {@code acl:write}. The anonymous token and the token making the
   * request cannot be deleted.
   *
   * @param accessorId the accessor ID
   * @param options the token making the request
   * @return whether it existed
   * @throws IllegalArgumentException for the anonymous token or the caller's own
   * @throws PermissionDeniedException if the token lacks {@code acl:write}
   * @throws AclNotFoundException if no token has the given secret
   * @throws ConnectException {@code ACL support disabled} when ACLs are off, or if the new state
   *     cannot be written
   */
  public boolean deleteToken(String accessorId, QueryOptions options) {
    requireNonNull(accessorId, "accessorId");
    AclAuthorizer caller = aclCaller(options);
    caller.enforce(Permission.aclWrite());
    return acl.deleteToken(accessorId, caller.accessorId());
  }

  /**
   * Returns the token whose secret {@code options} carries (Consul's {@code GET
   * /v1/acl/token/self}); needs no permission.
   *
   * @param options the token
   * @return the token, without its secret
   * @throws AclNotFoundException if {@code options} has no token, or no token has its secret
   * @throws ConnectException {@code ACL support disabled} when ACLs are off
   */
  public AclTokenInfo tokenSelf(QueryOptions options) {
    requireNonNull(options, "options");
    checkDatacenter(options);
    requireAcls();
    return acl.state().token(options.tokenSecret().orElseThrow(AclNotFoundException::new));
  }

  private void requireAcls() {
    if (!aclsEnabled) {
      throw new ConnectException(ACL_DISABLED);
    }
  }

  private AclAuthorizer aclCaller(QueryOptions options) {
    requireNonNull(options, "options");
    checkDatacenter(options);
    requireAcls();
    return acl.state().authorizer(options.tokenSecret());
  }

  /**
   * Returns the authorizer of the request's token; every request is allowed when ACLs are off.
   *
   * @throws AclNotFoundException if no token has the given secret
   */
  private AclAuthorizer caller(QueryOptions options) {
    requireNonNull(options, "options");
    checkDatacenter(options);
    return aclsEnabled ? acl.state().authorizer(options.tokenSecret())
        : AclAuthorizer.aclsDisabled();
  }

  /**
   * Answers a read of {@code table} now, or once it changes when {@code options} blocks. The
   * token is resolved and {@code check}ed both when the query arrives and when it is answered,
   * so a token deleted or restricted during the wait gets no data.
   */
  private <T> CompletableFuture<QueryResult<T>> blockingRead(QueryOptions options, String table,
      Consumer<AclAuthorizer> check, Function<AclAuthorizer, T> read) {
    requireNonNull(options, "options");
    try {
      AclAuthorizer caller = caller(options);
      check.accept(caller);
      if (!options.isBlocking()) {
        return CompletableFuture.completedFuture(answer(table, caller, read));
      }
      return cancellable(index.awaitAbove(table, options.minIndex(), options.maxWait()),
          ignored -> {
            AclAuthorizer now = caller(options);
            check.accept(now);
            return answer(table, now, read);
          });
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Maps a wait to its answer so that cancelling the answer, which is all the caller holds,
   * also releases the waiter and its timeout.
   */
  private static <T> CompletableFuture<T> cancellable(CompletableFuture<Long> wait,
      Function<Long, T> answer) {
    CompletableFuture<T> result = wait.thenApply(answer);
    result.whenComplete((value, failure) -> {
      if (result.isCancelled()) {
        wait.cancel(false);
      }
    });
    return result;
  }

  /** Returns how many blocking queries are waiting; for tests of cancellation. */
  int waitingQueries() {
    return index.waiterCount();
  }

  private <T> QueryResult<T> answer(String table, AclAuthorizer caller,
      Function<AclAuthorizer, T> read) {
    long at = index.index(table); // before the data; see IndexedState
    return new QueryResult<>(read.apply(caller), at);
  }

  private void checkDatacenter(QueryOptions options) {
    if (options.datacenter().isPresent() && !options.datacenter().get().equals(datacenter)) {
      throw new ConnectException("No path to datacenter \"" + options.datacenter().get()
          + "\": this embedded server serves only \"" + datacenter + "\"");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The seam's admin interfaces: the operations above, as futures that complete at once

  /** Runs {@code call} now: its value completes the future, its exception fails it. */
  private static <T> CompletableFuture<T> now(Supplier<T> call) {
    try {
      return CompletableFuture.completedFuture(call.get());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** {@link #createIntention}, as a future. */
  @Override
  public CompletableFuture<Intention> intentionCreate(Intention intention,
      QueryOptions options) {
    return now(() -> createIntention(intention, options));
  }

  /**
   * Replaces the intention with this ID (Consul's legacy {@code PUT
   * /v1/connect/intentions/<id>}). Needs {@code intention:write} on its current destination and
   * on the new one; the new source and destination are checked as {@link #createIntention}
   * checks them, first.
   */
  @Override
  public CompletableFuture<Intention> intentionUpdate(String id, Intention intention,
      QueryOptions options) {
    return now(() -> {
      requireNonNull(id, "id");
      requireNonNull(intention, "intention");
      IntentionStore.requireWritable(intention.source(), intention.destination());
      AclAuthorizer caller = caller(options);
      Optional<Intention> found = intentions.current().byId(checkUuid(id));
      found.ifPresent(i -> caller.enforce(Permission.intentionWrite(i.destination().name())));
      caller.enforce(Permission.intentionWrite(intention.destination().name()));
      return intentions.update(id, intention);
    });
  }

  /** {@link #upsertIntention}, as a future. */
  @Override
  public CompletableFuture<Intention> intentionUpsert(IntentionTarget source,
      IntentionTarget destination, IntentionAction action, String description,
      QueryOptions options) {
    return now(() -> upsertIntention(source, destination, action, description, options));
  }

  /** {@link #intention(String, QueryOptions)}, as a future. */
  @Override
  public CompletableFuture<Optional<Intention>> intentionGet(String id, QueryOptions options) {
    return now(() -> intention(id, options));
  }

  /** {@link #intention(IntentionTarget, IntentionTarget, QueryOptions)}, as a future. */
  @Override
  public CompletableFuture<Optional<Intention>> intentionGetExact(IntentionTarget source,
      IntentionTarget destination, QueryOptions options) {
    return now(() -> intention(source, destination, options));
  }

  /** {@link #deleteIntention(String, QueryOptions)}, as a future. */
  @Override
  public CompletableFuture<Boolean> intentionDelete(String id, QueryOptions options) {
    return now(() -> deleteIntention(id, options));
  }

  /** {@link #deleteIntention(IntentionTarget, IntentionTarget, QueryOptions)}, as a future. */
  @Override
  public CompletableFuture<Boolean> intentionDeleteExact(IntentionTarget source,
      IntentionTarget destination, QueryOptions options) {
    return now(() -> deleteIntention(source, destination, options));
  }

  /** {@link #checkIntention}, as a future. */
  @Override
  public CompletableFuture<Decision> intentionCheck(String source, String destination,
      QueryOptions options) {
    return now(() -> checkIntention(source, destination, options));
  }

  /** {@link #caConfiguration}, as a future. */
  @Override
  public CompletableFuture<CaConfiguration> caGetConfig(QueryOptions options) {
    return now(() -> caConfiguration(options));
  }

  /** {@link #updateCaConfiguration}, as a future. */
  @Override
  public CompletableFuture<CaRoots> caSetConfig(CaConfiguration configuration,
      QueryOptions options) {
    return now(() -> updateCaConfiguration(configuration, options));
  }

  /** {@link #caProviderConfig}, as a future. */
  @Override
  public CompletableFuture<CaProviderConfig> caGetProviderConfig(QueryOptions options) {
    return now(() -> caProviderConfig(options));
  }

  /** {@link #updateCaProviderConfig}, as a future. */
  @Override
  public CompletableFuture<CaRoots> caSetProviderConfig(CaProviderConfig provider,
      QueryOptions options) {
    return now(() -> updateCaProviderConfig(provider, options));
  }

  /** {@link #rotateRoot(QueryOptions)}, as a future. */
  @Override
  public CompletableFuture<CaRoots> caRotate(QueryOptions options) {
    return now(() -> rotateRoot(options));
  }

  /** {@link #rotateRoot(String, String, QueryOptions)}, as a future. */
  @Override
  public CompletableFuture<CaRoots> caRotate(String privateKeyPem, String rootCertPem,
      QueryOptions options) {
    return now(() -> rotateRoot(privateKeyPem, rootCertPem, options));
  }

  /**
   * Resolves the request's token; {@link AclAuthorizer#aclsDisabled()} when ACLs are off.
   *
   * @param options the token and datacenter
   * @return a future of the authorizer; completed exceptionally with {@link
   *     AclNotFoundException} if no token has the given secret
   */
  @Override
  public CompletableFuture<AclAuthorizer> resolveToken(QueryOptions options) {
    return now(() -> caller(options));
  }

  /**
   * {@link #bootstrapAcl()}, as a future; {@code options} only chooses the datacenter, and its
   * token is ignored, as Consul ignores it.
   */
  @Override
  public CompletableFuture<AclToken> aclBootstrap(QueryOptions options) {
    return now(() -> {
      checkDatacenter(requireNonNull(options, "options"));
      return bootstrapAcl();
    });
  }

  /** {@link #createPolicy}, as a future. */
  @Override
  public CompletableFuture<AclPolicy> policyCreate(String name, String description,
      String rules, QueryOptions options) {
    return now(() -> createPolicy(name, description, rules, options));
  }

  /** {@link #policy}, as a future. */
  @Override
  public CompletableFuture<Optional<AclPolicy>> policyRead(String idOrName,
      QueryOptions options) {
    return now(() -> policy(idOrName, options));
  }

  /** {@link #policies}, as a future. */
  @Override
  public CompletableFuture<List<AclPolicy>> policyList(QueryOptions options) {
    return now(() -> policies(options));
  }

  /**
   * Replaces a policy's name, description and rules; its ID and the tokens' links stay. Needs
   * {@code acl:write}; the builtin {@code global-management} policy cannot be changed.
   */
  @Override
  public CompletableFuture<AclPolicy> policyUpdate(String id, String name, String description,
      String rules, QueryOptions options) {
    return now(() -> {
      requireNonNull(id, "id");
      requireNonNull(name, "name");
      requireNonNull(description, "description");
      requireNonNull(rules, "rules");
      aclCaller(options).enforce(Permission.aclWrite());
      return acl.updatePolicy(id, name, description, rules);
    });
  }

  /** {@link #deletePolicy}, as a future. */
  @Override
  public CompletableFuture<Boolean> policyDelete(String idOrName, QueryOptions options) {
    return now(() -> deletePolicy(idOrName, options));
  }

  /** {@link #createToken}, as a future. */
  @Override
  public CompletableFuture<AclToken> tokenCreate(String description,
      List<String> policyIdsOrNames, QueryOptions options) {
    return now(() -> createToken(description, policyIdsOrNames, options));
  }

  /** {@link #token}, as a future. */
  @Override
  public CompletableFuture<Optional<AclTokenInfo>> tokenRead(String accessorId,
      QueryOptions options) {
    return now(() -> token(accessorId, options));
  }

  /** {@link #tokenSelf}, as a future. */
  @Override
  public CompletableFuture<AclTokenInfo> tokenReadSelf(QueryOptions options) {
    return now(() -> tokenSelf(options));
  }

  /** {@link #tokens}, as a future. */
  @Override
  public CompletableFuture<List<AclTokenInfo>> tokenList(QueryOptions options) {
    return now(() -> tokens(options));
  }

  /** {@link #updateToken}, as a future. */
  @Override
  public CompletableFuture<AclTokenInfo> tokenUpdate(String accessorId, String description,
      List<String> policyIdsOrNames, QueryOptions options) {
    return now(() -> updateToken(accessorId, description, policyIdsOrNames, options));
  }

  /** {@link #deleteToken}, as a future. */
  @Override
  public CompletableFuture<Boolean> tokenDelete(String accessorId, QueryOptions options) {
    return now(() -> deleteToken(accessorId, options));
  }

  /**
   * Stops background work, answers every waiting blocking query with the current data, and
   * releases the data directory; later writes fail with {@link IllegalStateException}.
   * Idempotent.
   */
  @Override
  public void close() {
    pruning.cancel(false);
    synchronized (renewalLock) {
      closed = true;
      if (renewal != null) {
        renewal.cancel(false);
      }
    }
    floor.close();
    index.close();
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
    lock.close();
  }

  /** Returns the trust domain, datacenter, data directory and whether ACLs are on. */
  @Override
  public String toString() {
    return "EmbeddedServer[trustDomain=" + store.trustDomain().trustDomain() + ", datacenter="
        + datacenter + ", dataDirectory=" + store.directory() + ", acls="
        + (aclsEnabled ? "enabled, default " + aclDefaultPolicy.text() : "disabled") + "]";
  }

  /**
   * A mutable builder of {@link EmbeddedServer}; {@link #dataDirectory(Path)} is required. Each
   * option may be set once: a second setting throws {@link IllegalStateException} naming the
   * earlier value.
   */
  public static final class Builder {
    private Path dataDirectory;
    private String datacenter = "dc1";
    private CaConfiguration caConfiguration = CaConfiguration.defaults();
    private Clock clock = Clock.systemUTC();
    private ScheduledExecutorService scheduler;
    private boolean aclsEnabled;
    private AclDefaultPolicy aclDefaultPolicy = AclDefaultPolicy.ALLOW;
    private String initialManagementToken;
    private Optional<dev.connect.ca.ExternalCaProvider.Factory> caProvider = Optional.empty();
    private final java.util.Map<String, Object> given = new java.util.HashMap<>();

    private Builder() {}

    /** Records that {@code option} is set, refusing a second setting (STYLE: no silent overwrite). */
    private void once(String option, Object shown) {
      Object earlier = given.putIfAbsent(option, shown);
      if (earlier != null) {
        throw BuilderOptions.alreadySet(option, earlier);
      }
    }

    /**
     * Sets the data directory, created (owner-only) if missing. Required.
     *
     * @param directory where roots, keys, intentions, ACL state and configuration are kept
     * @return this builder
     */
    public Builder dataDirectory(Path directory) {
      once("dataDirectory", requireNonNull(directory, "directory"));
      this.dataDirectory = directory;
      return this;
    }

    /**
     * Sets the datacenter this server signs leaves for. Default: {@code dc1}.
     *
     * @param datacenter a datacenter name, valid as a SPIFFE path segment
     * @return this builder
     * @throws IllegalArgumentException if the name is empty or not valid in a SPIFFE ID
     */
    public Builder datacenter(String datacenter) {
      requireNonNull(datacenter, "datacenter");
      dev.connect.core.SpiffeId.of("x.consul", "dc", datacenter); // validates the segment
      once("datacenter", datacenter);
      this.datacenter = datacenter;
      return this;
    }

    /**
     * Sets the CA configuration used when the data directory is new. An existing directory keeps
     * its stored configuration; change it with {@link #updateCaConfiguration}. Default: {@link
     * CaConfiguration#defaults()}.
     *
     * @param configuration the initial configuration
     * @return this builder
     */
    public Builder caConfiguration(CaConfiguration configuration) {
      once("caConfiguration", requireNonNull(configuration, "configuration"));
      this.caConfiguration = configuration;
      return this;
    }

    /**
     * Sets the clock every certificate date, rotation time, intention and token time is read
     * from. Default: {@link Clock#systemUTC()}.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      once("clock", requireNonNull(clock, "clock"));
      this.clock = clock;
      return this;
    }

    /**
     * Sets the scheduler for blocking-query timeouts and hourly root pruning. The caller owns it
     * and shuts it down after {@link EmbeddedServer#close()}. Default: one daemon thread named
     * {@code connect-server-N}, owned and stopped by the server.
     *
     * @param scheduler the scheduler
     * @return this builder
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      once("scheduler", requireNonNull(scheduler, "scheduler"));
      this.scheduler = scheduler;
      return this;
    }

    /**
     * Turns ACL enforcement on or off (Consul's {@code acl.enabled}). The data directory records
     * the setting when it is created, and every later open enforces what it records: unset, the
     * recorded one applies; set to a different one, {@link #open()} fails naming both. ACLs are
     * turned on for a directory created without them only together with {@link
     * #initialManagementToken}. A new directory gets ACLs off unless set, so every request is
     * allowed and ACL management fails with {@code ACL support disabled}.
     *
     * @param enabled whether to enforce ACLs
     * @return this builder
     */
    public Builder aclsEnabled(boolean enabled) {
      once("aclsEnabled", enabled);
      this.aclsEnabled = enabled;
      return this;
    }

    /**
     * Sets what a token may do where none of its rules says (Consul's {@code acl.default_policy}),
     * which also decides connections no intention matches. Recorded in the data directory with
     * {@link #aclsEnabled}, and enforced the same way: unset, the recorded one applies; a
     * different one makes {@link #open()} fail naming both. Default for a new directory: {@link
     * AclDefaultPolicy#ALLOW}, as in Consul. Setting it where ACLs are off is refused by {@link
     * #open()}.
     *
     * @param policy allow or deny
     * @return this builder
     */
    public Builder aclDefaultPolicy(AclDefaultPolicy policy) {
      once("aclDefaultPolicy", requireNonNull(policy, "policy"));
      this.aclDefaultPolicy = policy;
      return this;
    }

    /**
     * Sets the secret of a management token the server creates on open while ACLs are not
     * bootstrapped (Consul's {@code acl.tokens.initial_management}, which 1.10 calls {@code
     * master}); its creation bootstraps ACLs, so {@link #bootstrapAcl()} is refused afterwards.
     * Once ACLs are bootstrapped it must be the secret of an existing token, or {@link #open()}
     * fails: a second management token is never made from it. Only its hash is stored; use a
     * random UUID. Default: none. Refused by {@link #open()} where ACLs are off.
     *
     * @param secretId the token's secret
     * @return this builder
     * @throws IllegalArgumentException if it is empty or the anonymous token's public secret
     */
    public Builder initialManagementToken(String secretId) {
      requireNonNull(secretId, "secretId");
      if (secretId.isEmpty()) {
        throw new IllegalArgumentException("initialManagementToken must not be empty");
      }
      if (secretId.equals(AclToken.ANONYMOUS_SECRET_ID)) {
        throw new IllegalArgumentException(
            "initialManagementToken must not be the anonymous token's public secret");
      }
      once("initialManagementToken", "<redacted>");
      this.initialManagementToken = secretId;
      return this;
    }

    /**
     * Signs leaves through an external CA provider, such as Vault ({@code
     * VaultCaProvider.factory(...)} in {@code connect-ca-vault}), instead of the built-in CA.
     * Default: the built-in CA. The provider is chosen when the data directory is created and
     * recorded there ({@code provider.json}); opening it later with another provider, or
     * without this one, fails naming both. {@link #rotateRoot(QueryOptions)} then makes a new
     * intermediate under the provider's root.
     *
     * @param factory makes or reopens the provider
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder caProvider(dev.connect.ca.ExternalCaProvider.Factory factory) {
      requireNonNull(factory, "factory");
      once("caProvider", factory.name());
      this.caProvider = Optional.of(factory);
      return this;
    }

    /**
     * Opens the data directory, creating a CA on first use, and starts the server.
     *
     * @return the running server
     * @throws IllegalStateException if no data directory was set
     * @throws DataDirectoryException if the directory is corrupt or in use by another server, or
     *     the ACL settings disagree with those the directory records (the message names both)
     * @throws IOException if the directory cannot be read or written
     */
    public EmbeddedServer open() throws IOException {
      if (dataDirectory == null) {
        throw new IllegalStateException("dataDirectory is required");
      }
      DirectoryLock lock = DirectoryLock.acquire(dataDirectory);
      boolean owns = scheduler == null;
      ScheduledExecutorService s = null;
      try {
        lock.removeStaleTemporaryFiles(dataDirectory);
        // Every store tells the floor its indexes before the CA store resumes it.
        IndexFloor floor = IndexFloor.load(dataDirectory);
        IntentionStore intentions = IntentionStore.load(dataDirectory, floor, clock);
        AclStore acl = AclStore.load(dataDirectory, floor, clock, AclDefaultPolicy.ALLOW);
        CaStore store = CaStore.open(lock, caConfiguration, clock, floor,
            List.of(intentions.initialFile(), acl.initialFile()), caProvider);
        s = owns ? newScheduler() : scheduler;
        IndexedState index = new IndexedState(floor.restoredIndex(),
            List.of(CaStore.ROOTS, CaStore.LEAF, CaStore.CONFIG, IntentionStore.TABLE,
                AclStore.TABLE), s);
        floor.attach(index);
        AclStore.Mode mode = acl.settle(
            given.containsKey("aclsEnabled") ? Optional.of(aclsEnabled) : Optional.empty(),
            given.containsKey("aclDefaultPolicy") ? Optional.of(aclDefaultPolicy)
                : Optional.empty(),
            Optional.ofNullable(initialManagementToken));
        return new EmbeddedServer(this, mode, lock, floor, store, intentions, acl, index, s,
            owns);
      } catch (IOException | RuntimeException e) {
        if (owns && s != null) {
          s.shutdownNow();
        }
        lock.close();
        throw e;
      }
    }

    private static ScheduledExecutorService newScheduler() {
      return Schedulers.newDaemonScheduler("connect-server", 1);
    }
  }
}
