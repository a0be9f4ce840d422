package dev.connect.agent;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.connect.ca.CaAdmin;
import dev.connect.ca.CaConfiguration;
import dev.connect.ca.LeafRequests;
import dev.connect.cache.CacheListener;
import dev.connect.cache.CacheRequest;
import dev.connect.cache.ConnectCache;
import dev.connect.cache.Leaf;
import dev.connect.cache.LeafKeyFactory;
import dev.connect.core.BuilderOptions;
import dev.connect.core.CaRoots;
import dev.connect.core.AclAdmin;
import dev.connect.core.AclDefaultPolicy;
import dev.connect.core.ConnectBackend;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.IntentionAdmin;
import dev.connect.core.QueryOptions;
import dev.connect.core.Schedulers;
import dev.connect.core.ServiceNames;
import dev.connect.consul.ConsulBackend;
import dev.connect.server.EmbeddedServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * A Connect agent inside this JVM: the one object an application builds to get service
 * identities, mutual-TLS contexts that follow rotation, authorization decisions, and the
 * administration of intentions, the CA and ACLs.
 *
 * <pre>{@code
 * try (ConnectAgent agent = ConnectAgent.builder()
 *     .dataDirectory(Path.of("connect-data"))   // the embedded server keeps its CA here
 *     .build()) {
 *   agent.intentions().allow("web", "db");
 *   SSLContext dbServer = agent.service("db").serverSslContext();
 *   SSLContext webToDb = agent.service("web").clientSslContext("db");
 * }
 * }</pre>
 *
 * <p><b>What it is made of.</b> A backend that owns the state, by default an {@link
 * EmbeddedServer} opened on the {@linkplain Builder#dataDirectory data directory} (the same root
 * CA on every start), or any other {@link ConnectBackend} given to {@link Builder#backend},
 * which the admin views use through the interfaces it implements ({@link IntentionAdmin},
 * {@link CaAdmin}, {@link AclAdmin}), as they use the embedded server's; a
 * {@link ConnectCache} over it that answers from memory and keeps roots, leaves and intentions
 * fresh; and per service a {@link ConnectService} handle whose contexts read that cache on every
 * handshake. Everything runs on one {@link Clock} and one scheduler, either injected or owned by
 * the agent (two daemon threads named {@code connect-agent-N}).
 *
 * <p><b>Tokens.</b> With ACLs on, every request carries an ACL token: the agent's {@linkplain
 * Builder#token default token}, or one given per service handle ({@link #service(String,
 * String)}) or per admin view ({@link #intentions(String)}). The admin views go through the same
 * ACL checks as the server's own API. Tokens are never logged and never shown by {@code
 * toString}.
 *
 * <p><b>Lifecycle.</b> {@link #close()} stops the cache's background queries and renewals, then
 * closes the embedded server (releasing its data directory), then shuts down the scheduler if
 * the agent made it. Contexts built before keep existing but fail every new handshake, and every
 * method of the agent, its handles and its views throws {@link IllegalStateException} naming the
 * closed agent.
 *
 * <p><b>Sharp edges.</b> The data directory defaults to {@code connect-data} in the working
 * directory; give one explicitly in anything but a demo. The embedded server's CA configuration
 * applies only when the data directory is new. Over {@code connect agent} or Consul ({@link
 * Builder#consul()}), the policy for connections no intention matches is read from the server
 * when the agent is built, so {@code build()} fails if the server cannot be reached then. With
 * any other backend, the agent cannot know the server's ACL configuration, so {@link
 * Builder#defaultIntentionPolicy} is required, and the admin operations of an interface it does
 * not implement throw {@link dev.connect.core.UnsupportedByBackendException} naming the
 * operation and the backend.
 *
 * <p>Thread-safe.
 */
public final class ConnectAgent implements AutoCloseable {
  /** The data directory of the embedded server when none is given: {@code connect-data}. */
  public static final Path DEFAULT_DATA_DIRECTORY = Path.of("connect-data");

  static final LeafKeyFactory LEAF_KEYS = LeafKeyFactory.of(LeafRequests::newKeyPair,
      LeafRequests::csrPem);

  private final ConnectBackend backend;
  private final IntentionAdmin intentionAdmin;
  private final CaAdmin caAdmin;
  private final AclAdmin aclAdmin;
  /**
   * Closes what the agent opened: the embedded server, the {@link ConsulBackend} of {@link
   * Builder#consul()}, or nothing with a given backend.
   */
  private final Runnable closeOwned;
  private final Supplier<String> trustDomain;
  private final ConnectCache cache;
  private final String datacenter;
  private final Clock clock;
  private final DefaultIntentionPolicy defaultPolicy;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final String defaultToken; // null: anonymous
  private final CacheRequest defaultRequest;
  private final String description;
  /**
   * The handles in use, weakly: a handle stays while something holds it (the caller, a context
   * built from it, a registration), so a caller passing made-up tokens leaves nothing behind.
   */
  private final Cache<HandleKey, ConnectService> services =
      Caffeine.newBuilder().weakValues().executor(Runnable::run).build();
  /** Handles with listeners, held strongly: a listener registered on a dropped handle stays. */
  private final Set<ConnectService> pinned = ConcurrentHashMap.newKeySet();
  private final Object closeLock = new Object();
  private volatile CacheListener.Registration rotation;
  private volatile boolean closed;

  private ConnectAgent(ConnectBackend backend, EmbeddedServer owned, Runnable closeBackend,
      ConnectCache cache, String datacenter, Clock clock, DefaultIntentionPolicy defaultPolicy,
      ScheduledExecutorService scheduler, boolean ownsScheduler, String defaultToken) {
    this.backend = backend;
    MissingAdmin missing = new MissingAdmin(backend);
    this.intentionAdmin = backend instanceof IntentionAdmin a ? a : missing;
    this.caAdmin = backend instanceof CaAdmin a ? a : missing;
    this.aclAdmin = backend instanceof AclAdmin a ? a : missing;
    this.closeOwned = owned != null ? owned::close : closeBackend;
    this.cache = cache;
    this.datacenter = datacenter;
    this.clock = clock;
    this.defaultPolicy = defaultPolicy;
    this.scheduler = scheduler;
    this.ownsScheduler = ownsScheduler;
    this.defaultToken = defaultToken;
    this.defaultRequest = request(defaultToken);
    CacheRequest roots = defaultRequest;
    this.trustDomain = owned != null ? () -> owned.trustDomain().trustDomain()
        : () -> cache.roots(roots).trustDomain();
    this.description = owned != null ? "ConnectAgent[" + owned + "]"
        : "ConnectAgent[backend=" + backend.getClass().getName() + ", datacenter=" + datacenter
            + "]";
  }

  /**
   * Returns a builder: an embedded server in {@link #DEFAULT_DATA_DIRECTORY}, datacenter {@code
   * dc1}, ACLs off, the system clock, and a scheduler the agent owns.
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Routes the cache's change notifications to the handles of the partition they concern,
   * matched by token and datacenter (the request the cache reports is whichever loaded the
   * entry, not necessarily the handle's own object).
   */
  private void listenForRotation() {
    rotation = cache.addListener(new CacheListener() {
      @Override
      public void rootsChanged(CacheRequest request, CaRoots roots) {
        for (ConnectService s : services.asMap().values()) {
          if (cache.sameDatacenter(s.request(), request)) {
            s.rootsChanged(roots);
          }
        }
      }

      @Override
      public void leafChanged(String service, CacheRequest request, Leaf leaf) {
        for (ConnectService s : services.asMap().values()) {
          if (s.name().equals(service) && cache.samePartition(s.request(), request)) {
            s.leafChanged(leaf);
          }
        }
      }

      @Override
      public String toString() {
        return "rotation listeners of " + ConnectAgent.this;
      }
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Services

  /**
   * Returns the handle of a local service, reading with the agent's {@linkplain Builder#token
   * default token}. The same handle is returned for the same name while it is in use (see {@link
   * #service(String, String)}), so its contexts are shared.
   *
   * @param name the service name, such as {@code web}
   * @return the handle; nothing is fetched until it is used
   * @throws IllegalArgumentException if {@code name} is not a {@linkplain ServiceNames service
   *     name}
   * @throws IllegalStateException if the agent is closed
   */
  public ConnectService service(String name) {
    requireNonNull(name, "name");
    checkOpen();
    return handle(name, defaultToken);
  }

  /**
   * Returns the handle of a local service that reads with its own ACL token, which needs {@code
   * service:write} on the service (for its leaf) and {@code intention:read} on it (to authorize
   * inbound connections). The same handle is returned for the same name and token while it is
   * in use (held by the caller, by a context built from it, or through a listener registered on
   * it); a handle nobody holds is not kept, so tokens that were only passed through (made-up,
   * deleted) leave nothing behind.
   *
   * @param name the service name, such as {@code web}
   * @param tokenSecret the token's secret ID; never logged
   * @return the handle
   * @throws IllegalArgumentException if {@code name} is not a valid service name or the token is
   *     empty
   * @throws IllegalStateException if the agent is closed
   */
  public ConnectService service(String name, String tokenSecret) {
    requireNonNull(name, "name");
    requireToken(tokenSecret);
    checkOpen();
    return handle(name, tokenSecret);
  }

  /** The handle of {@code name} with {@code token} (null: anonymous), made if none is in use. */
  private ConnectService handle(String name, String token) {
    ServiceNames.check(name);
    return services.get(new HandleKey(name, token), k -> new ConnectService(this, name,
        Objects.equals(token, defaultToken) ? defaultRequest : request(token)));
  }

  /** Keeps {@code handle} while it has listeners, however the caller holds it. */
  void pin(ConnectService handle) {
    pinned.add(handle);
  }

  /** Lets {@code handle} go once nothing else holds it. */
  void unpin(ConnectService handle) {
    pinned.remove(handle);
  }

  /**
   * The number of handles kept now, for tests: those whose value the garbage collector has not
   * cleared. Counted by iterating, which skips cleared values at once; the size would still count
   * them until the JVM's reference handler thread has queued them, which a busy machine delays.
   */
  long handles() {
    services.cleanUp();
    long n = 0;
    for (ConnectService ignored : services.asMap().values()) {
      n++;
    }
    return n;
  }

  // ---------------------------------------------------------------------------------------------
  // Admin views

  /**
   * Returns the intentions, managed with the agent's default token.
   *
   * @return the view
   * @throws IllegalStateException if the agent is closed
   */
  public AgentIntentions intentions() {
    checkOpen();
    return new AgentIntentions(this, options(defaultToken));
  }

  /**
   * Returns the intentions, managed with a given token: writes need {@code intention:write} on
   * the destination, reads {@code intention:read}.
   *
   * @param tokenSecret the token's secret ID; never logged
   * @return the view
   * @throws IllegalArgumentException if the token is empty
   * @throws IllegalStateException if the agent is closed
   */
  public AgentIntentions intentions(String tokenSecret) {
    requireToken(tokenSecret);
    checkOpen();
    return new AgentIntentions(this, options(tokenSecret));
  }

  /**
   * Returns the CA: roots, configuration and rotation, with the agent's default token.
   *
   * @return the view
   * @throws IllegalStateException if the agent is closed
   */
  public AgentCa ca() {
    checkOpen();
    return new AgentCa(this, options(defaultToken));
  }

  /**
   * Returns the CA with a given token; configuration and rotation need {@code operator:write}.
   *
   * @param tokenSecret the token's secret ID; never logged
   * @return the view
   * @throws IllegalArgumentException if the token is empty
   * @throws IllegalStateException if the agent is closed
   */
  public AgentCa ca(String tokenSecret) {
    requireToken(tokenSecret);
    checkOpen();
    return new AgentCa(this, options(tokenSecret));
  }

  /**
   * Returns the ACL system: bootstrap, policies and tokens, with the agent's default token.
   *
   * @return the view
   * @throws IllegalStateException if the agent is closed
   */
  public AgentAcl acl() {
    checkOpen();
    return new AgentAcl(this, options(defaultToken));
  }

  /**
   * Returns the ACL system with a given token; reads need {@code acl:read}, writes {@code
   * acl:write}.
   *
   * @param tokenSecret the token's secret ID; never logged
   * @return the view
   * @throws IllegalArgumentException if the token is empty
   * @throws IllegalStateException if the agent is closed
   */
  public AgentAcl acl(String tokenSecret) {
    requireToken(tokenSecret);
    checkOpen();
    return new AgentAcl(this, options(tokenSecret));
  }

  // ---------------------------------------------------------------------------------------------
  // What the agent runs on

  /**
   * Returns the trust domain, {@code <cluster-id>.consul}: the embedded server's, or with another
   * backend the one its roots name (fetched through the cache on first call).
   *
   * @return the trust domain, such as {@code 7f3c0a1e-....consul}
   * @throws IllegalStateException if the agent is closed
   */
  public String trustDomain() {
    checkOpen();
    return trustDomain.get();
  }

  /** Returns the local datacenter, in the SPIFFE ID of every leaf this agent issues. */
  public String datacenter() {
    return datacenter;
  }

  /** Returns the clock every certificate date, renewal and TLS validation reads. */
  public Clock clock() {
    return clock;
  }

  /**
   * Returns what decides a connection no intention matches: for the embedded server, derived
   * from its ACL configuration (ACLs off: {@link DefaultIntentionPolicy#ACLS_DISABLED}; on: the
   * ACL default policy); over {@link Builder#consul}, the server's, read when the agent was
   * built; for another backend, the one given to the builder.
   */
  public DefaultIntentionPolicy defaultIntentionPolicy() {
    return defaultPolicy;
  }

  /**
   * Returns the backend: the embedded server, or the one given to {@link Builder#backend}.
   *
   * @return the backend
   */
  public ConnectBackend backend() {
    return backend;
  }

  /**
   * Returns the agent cache, for its statistics and entry status; read through the handles
   * rather than directly, so tokens stay per service.
   *
   * @return the cache
   */
  public ConnectCache cache() {
    return cache;
  }

  /** Tells whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Stops background work: the cache's queries and renewals first, then the embedded server
   * (waiting queries are answered, the data directory released), then the scheduler if the agent
   * made it; an injected scheduler is left to its owner. Idempotent; every later call on the
   * agent, its handles and views throws {@link IllegalStateException}.
   */
  @Override
  public void close() {
    synchronized (closeLock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      rotation.close();
      for (ConnectService s : services.asMap().values()) {
        s.stopKeepAlive();
      }
      cache.close();
    } finally {
      try {
        closeOwned.run();
      } finally {
        if (ownsScheduler) {
          scheduler.shutdownNow();
        }
      }
    }
  }

  /** Returns the backend and datacenter (the server's trust domain and directory); no token. */
  @Override
  public String toString() {
    return description;
  }

  // ---------------------------------------------------------------------------------------------
  // For handles and views

  /**
   * Returns the scheduler the cache's queries and renewals run on (the injected one, or the
   * agent's own), for timers that must follow the same clock, such as a blocking read's wait.
   *
   * @return the scheduler; shut down by {@link #close()} only when the agent made it
   */
  public ScheduledExecutorService scheduler() {
    return scheduler;
  }

  void checkOpen() {
    if (closed) {
      throw new IllegalStateException(description + " is closed");
    }
  }

  /** The backend's intention administration; one that fails every call if it has none. */
  IntentionAdmin intentionAdmin() {
    checkOpen();
    return intentionAdmin;
  }

  /** The backend's CA administration; one that fails every call if it has none. */
  CaAdmin caAdmin() {
    checkOpen();
    return caAdmin;
  }

  /** The backend's ACL administration; one that fails every call if it has none. */
  AclAdmin aclAdmin() {
    checkOpen();
    return aclAdmin;
  }

  private static CacheRequest request(String token) {
    return token == null ? CacheRequest.anonymous() : CacheRequest.withToken(token);
  }

  private static QueryOptions options(String token) {
    return token == null ? QueryOptions.defaults() : QueryOptions.builder().token(token).build();
  }

  private static void requireToken(String tokenSecret) {
    requireNonNull(tokenSecret, "tokenSecret");
    if (tokenSecret.isEmpty()) {
      throw new IllegalArgumentException("token must not be empty");
    }
  }

  /** A handle's service name and token secret (null: anonymous); never printed. */
  private static final class HandleKey {
    private final String name;
    private final String token;

    HandleKey(String name, String token) {
      this.name = name;
      this.token = token;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof HandleKey k && name.equals(k.name) && Objects.equals(token, k.token);
    }

    @Override
    public int hashCode() {
      return 31 * name.hashCode() + Objects.hashCode(token);
    }

    @Override
    public String toString() {
      return "HandleKey[" + name + "]";
    }
  }

  /**
   * A mutable builder of {@link ConnectAgent}. Each option may be set once: a second setting
   * throws {@link IllegalStateException} naming the earlier value (a secret shows as {@code
   * <redacted>}). The embedded server is the default backend; {@link #backend} replaces it, and
   * then the embedded-only options ({@link #dataDirectory}, {@link #aclsEnabled}, {@link
   * #aclDefaultPolicy}, {@link #initialManagementToken}, {@link #caConfiguration}) are refused.
   */
  public static final class Builder {
    private static final List<String> EMBEDDED_ONLY = List.of("dataDirectory", "aclsEnabled",
        "aclDefaultPolicy", "initialManagementToken", "caConfiguration", "caProvider");

    private final Map<String, Object> given = new LinkedHashMap<>();
    /** Embedded-only options go straight here: it validates them, and opens with them. */
    private final EmbeddedServer.Builder embedded = EmbeddedServer.builder();
    private String datacenter = "dc1";
    private Clock clock;
    private Ticker ticker;
    private ScheduledExecutorService scheduler;
    private ConnectBackend backend;
    /** Set by {@link #consul}: the default intention policy is read from this server. */
    private ConsulBackend consul;
    /** Set by {@link #consul()}: a backend made from the environment at build, owned. */
    private boolean consulFromEnvironment;
    private DefaultIntentionPolicy defaultIntentionPolicy;
    private String token;
    private Duration caChangeJitter;

    private Builder() {}

    private void once(String option, Object shown) {
      Object earlier = given.get(option);
      if (earlier != null) {
        throw BuilderOptions.alreadySet(option, earlier);
      }
      if (EMBEDDED_ONLY.contains(option) && given.containsKey("backend")) {
        throw new IllegalStateException(option + " is an option of the embedded server, but"
            + " this agent runs over the backend " + given.get("backend"));
      }
      given.put(option, shown);
    }

    /**
     * Sets the embedded server's data directory, created owner-only if missing; the CA's root
     * and keys, intentions and ACL state live there and survive restarts. Default: {@link
     * #DEFAULT_DATA_DIRECTORY}, relative to the working directory.
     *
     * @param directory the directory
     * @return this builder
     * @throws IllegalStateException if already set, or a {@link #backend} was given
     */
    public Builder dataDirectory(Path directory) {
      embedded.dataDirectory(requireNonNull(directory, "directory"));
      once("dataDirectory", directory);
      return this;
    }

    /**
     * Sets the local datacenter: the embedded server's, and the one in every leaf's SPIFFE ID.
     * Default: {@code dc1}.
     *
     * @param datacenter a datacenter name, valid as a SPIFFE path segment
     * @return this builder
     * @throws IllegalArgumentException if the name is empty or not valid in a SPIFFE ID
     * @throws IllegalStateException if already set
     */
    public Builder datacenter(String datacenter) {
      requireNonNull(datacenter, "datacenter");
      ConnectService.checkName("datacenter", datacenter);
      once("datacenter", datacenter);
      this.datacenter = datacenter;
      return this;
    }

    /**
     * Turns the embedded server's ACL enforcement on or off. The data directory records it, with
     * the default policy, and {@link #build()} fails naming both if this disagrees (see {@link
     * EmbeddedServer.Builder#aclsEnabled}); unset, the recorded setting applies. Default for a
     * new directory: off, so every request is allowed and connections no intention matches are
     * allowed.
     *
     * @param enabled whether ACLs are enforced
     * @return this builder
     * @throws IllegalStateException if already set, or a {@link #backend} was given
     */
    public Builder aclsEnabled(boolean enabled) {
      embedded.aclsEnabled(enabled);
      once("aclsEnabled", enabled);
      return this;
    }

    /**
     * Sets the embedded server's ACL default policy, which also decides connections no
     * intention matches when ACLs are on; recorded in the data directory and enforced like
     * {@link #aclsEnabled}. Default for a new directory: {@link AclDefaultPolicy#ALLOW}, as in
     * Consul.
     *
     * @param policy allow or deny
     * @return this builder
     * @throws IllegalStateException if already set, or a {@link #backend} was given
     */
    public Builder aclDefaultPolicy(AclDefaultPolicy policy) {
      embedded.aclDefaultPolicy(requireNonNull(policy, "policy"));
      once("aclDefaultPolicy", policy);
      return this;
    }

    /**
     * Sets the secret of a management token the embedded server creates on open (Consul's
     * {@code acl.tokens.initial_management}). Only its hash is stored. It does not become the
     * agent's {@link #token}; give it there too if the agent should act with it. Default: none.
     *
     * @param secretId a random UUID
     * @return this builder
     * @throws IllegalArgumentException if it is empty or the anonymous token's public secret
     * @throws IllegalStateException if already set, or a {@link #backend} was given
     */
    public Builder initialManagementToken(String secretId) {
      embedded.initialManagementToken(secretId); // validates it
      once("initialManagementToken", "<redacted>");
      return this;
    }

    /**
     * Sets the embedded server's CA configuration (key type, TTLs), used only when the data
     * directory is new; change an existing one with {@link AgentCa#updateConfiguration}.
     * Default: {@link CaConfiguration#defaults()}.
     *
     * @param configuration the configuration
     * @return this builder
     * @throws IllegalStateException if already set, or a {@link #backend} was given
     */
    public Builder caConfiguration(CaConfiguration configuration) {
      embedded.caConfiguration(requireNonNull(configuration, "configuration"));
      once("caConfiguration", configuration);
      return this;
    }

    /**
     * Signs the embedded server's leaves through an external CA provider such as Vault ({@code
     * VaultCaProvider.factory(...)}), chosen when the data directory is created; see {@link
     * EmbeddedServer.Builder#caProvider}. Default: the built-in CA.
     *
     * @param factory makes or reopens the provider
     * @return this builder
     * @throws IllegalStateException if already set, or a {@link #backend} was given
     */
    public Builder caProvider(dev.connect.ca.ExternalCaProvider.Factory factory) {
      embedded.caProvider(requireNonNull(factory, "factory"));
      once("caProvider", factory.name());
      return this;
    }

    /**
     * Sets the clock of every certificate date, renewal, rotation and TLS chain validation.
     * Default: {@link Clock#systemUTC()}. Unless a {@link #ticker} is given, the cache's ticker
     * follows this clock: the clock itself if it is a {@link Ticker} (a test's fake time),
     * otherwise its instant in nanoseconds.
     *
     * @param clock the clock
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder clock(Clock clock) {
      once("clock", requireNonNull(clock, "clock"));
      this.clock = clock;
      return this;
    }

    /**
     * Sets the ticker with which the cache measures disuse and age, for tests that move it
     * themselves. Default: derived from the {@link #clock} (see there), or {@link
     * Ticker#systemTicker()} with the system clock.
     *
     * @param ticker the ticker
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder ticker(Ticker ticker) {
      once("ticker", requireNonNull(ticker, "ticker"));
      this.ticker = ticker;
      return this;
    }

    /**
     * Sets the window over which leaves are re-issued after the active root changes, each at a
     * random point in it, so that a rotation does not make every service ask for a leaf at once.
     * Default: {@link ConnectCache#DEFAULT_CA_CHANGE_JITTER} (30 s, as Consul's agent).
     *
     * @param window the window
     * @return this builder
     * @throws IllegalArgumentException if {@code window} is not positive
     * @throws IllegalStateException if already set
     */
    public Builder caChangeJitter(Duration window) {
      requireNonNull(window, "window");
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("caChangeJitter must be positive: " + window);
      }
      once("caChangeJitter", window);
      this.caChangeJitter = window;
      return this;
    }

    /**
     * Sets the scheduler for the cache's background queries and renewals and the embedded
     * server's timeouts. The caller owns it and shuts it down after {@link ConnectAgent#close()}.
     * Default: two daemon threads named {@code connect-agent-N}, owned and stopped by the agent.
     *
     * @param scheduler the scheduler
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      once("scheduler", requireNonNull(scheduler, "scheduler"));
      this.scheduler = scheduler;
      return this;
    }

    /**
     * Runs the agent over another backend instead of the embedded server, such as a Consul
     * agent's HTTP API. The agent does not close it. Then {@link #defaultIntentionPolicy} is
     * required and the embedded-only options are refused. The admin views use whichever of
     * {@link IntentionAdmin}, {@link CaAdmin} and {@link AclAdmin} the backend implements (an
     * {@link EmbeddedServer} given here implements all three); the operations of one it does not
     * implement throw {@link dev.connect.core.UnsupportedByBackendException} naming the
     * operation and the backend.
     *
     * @param backend the backend
     * @return this builder
     * @throws IllegalStateException if already set, or an embedded-only option was set
     */
    public Builder backend(ConnectBackend backend) {
      requireNonNull(backend, "backend");
      for (String option : EMBEDDED_ONLY) {
        if (given.containsKey(option)) {
          throw new IllegalStateException("a custom backend cannot be combined with " + option
              + " (set to " + given.get(option) + "), an option of the embedded server");
        }
      }
      once("backend", backend.getClass().getName());
      this.backend = backend;
      return this;
    }

    /**
     * Runs the agent over {@code connect agent} or a Consul agent, reached through {@code
     * consul}: as {@link #backend}, but the policy for connections no intention matches is read
     * from the server when {@link #build()} runs ({@link ConsulBackend#defaultIntentionPolicy()}:
     * ACLs disabled, or Consul's {@code X-Consul-Default-Acl-Policy}), never stated by hand, so
     * {@link #defaultIntentionPolicy} is refused. Leaves are signed from a CSR where the server
     * offers it ({@code connect agent}: the key stays in this JVM), else issued whole by
     * Consul's leaf endpoint. The agent does not close {@code consul}.
     *
     * <pre>{@code
     * try (ConsulBackend consul = ConsulBackend.builder().address("127.0.0.1:8500").build();
     *     ConnectAgent agent = ConnectAgent.builder().consul(consul).token(secret).build()) {
     *   SSLContext db = agent.service("db").serverSslContext();
     * }
     * }</pre>
     *
     * @param consul the backend
     * @return this builder
     * @throws IllegalStateException if a backend was already set, or an embedded-only option
     */
    public Builder consul(ConsulBackend consul) {
      backend(requireNonNull(consul, "consul"));
      this.consul = consul;
      return this;
    }

    /**
     * Runs the agent over the agent that Consul's {@code CONSUL_*} environment variables name
     * ({@code CONSUL_HTTP_ADDR}, {@code CONSUL_HTTP_TOKEN}, {@code CONSUL_HTTP_TOKEN_FILE},
     * {@code CONSUL_CACERT}, {@code CONSUL_CLIENT_CERT}/{@code CONSUL_CLIENT_KEY}, {@code
     * CONSUL_HTTP_SSL_VERIFY}; see {@link ConsulBackend}), {@code connect agent} or Consul: as
     * {@link #consul(ConsulBackend)} with {@code ConsulBackend.builder().build()}, made by {@link
     * #build()} and closed with the agent. The backend's token is Consul's default token of the
     * process; the agent's own {@link #token} still goes with every request that has one.
     *
     * @return this builder
     * @throws IllegalStateException if a backend was already set, or an embedded-only option
     */
    public Builder consul() {
      for (String option : EMBEDDED_ONLY) {
        if (given.containsKey(option)) {
          throw new IllegalStateException("a custom backend cannot be combined with " + option
              + " (set to " + given.get(option) + "), an option of the embedded server");
        }
      }
      once("backend", ConsulBackend.class.getName() + " from the CONSUL_* environment");
      this.consulFromEnvironment = true;
      return this;
    }

    /**
     * States what decides a connection no intention matches, which must describe the backend's
     * ACL configuration: {@link DefaultIntentionPolicy#ACLS_DISABLED}, {@link
     * DefaultIntentionPolicy#ACLS_DEFAULT_ALLOW} or {@link DefaultIntentionPolicy#ACLS_DEFAULT_DENY}.
     * Required with a {@link #backend}; refused with the embedded server, whose configuration
     * decides it, and with {@link #consul}, whose server tells it.
     *
     * @param policy the policy
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder defaultIntentionPolicy(DefaultIntentionPolicy policy) {
      once("defaultIntentionPolicy", requireNonNull(policy, "policy"));
      this.defaultIntentionPolicy = policy;
      return this;
    }

    /**
     * Sets the agent's default ACL token: what service handles and admin views use unless given
     * their own. Default: none, so the anonymous token applies.
     *
     * @param secretId the token's secret ID; never logged
     * @return this builder
     * @throws IllegalArgumentException if it is empty
     * @throws IllegalStateException if already set (the message does not show it)
     */
    public Builder token(String secretId) {
      requireToken(secretId);
      once("token", "<redacted>");
      this.token = secretId;
      return this;
    }

    /**
     * Opens the embedded server (or takes the given backend), builds the cache over it and
     * returns the running agent.
     *
     * @return the agent
     * @throws IllegalStateException if a custom backend has no {@link #defaultIntentionPolicy},
     *     or the embedded server or {@link #consul} was given one
     * @throws dev.connect.consul.ConsulHttpException if {@link #consul} cannot read the
     *     server's default policy (unreachable, an error status), naming the endpoint
     * @throws IllegalArgumentException if {@link #consul()} finds an invalid {@code CONSUL_*}
     *     variable, naming it
     * @throws dev.connect.server.DataDirectoryException if the data directory is corrupt or in
     *     use by another server
     * @throws IOException if the data directory cannot be read or written
     */
    public ConnectAgent build() throws IOException {
      if (backend == null && defaultIntentionPolicy != null) {
        throw new IllegalStateException("defaultIntentionPolicy (set to "
            + defaultIntentionPolicy + ") is decided by the embedded server's ACL configuration;"
            + " set aclsEnabled and aclDefaultPolicy instead");
      }
      if ((consul != null || consulFromEnvironment) && defaultIntentionPolicy != null) {
        throw new IllegalStateException("defaultIntentionPolicy (set to "
            + defaultIntentionPolicy + ") is read from the server with consul(...); use"
            + " backend(...) to state it instead");
      }
      if (backend != null && consul == null && defaultIntentionPolicy == null) {
        throw new IllegalStateException("defaultIntentionPolicy is required with the backend "
            + backend.getClass().getName() + ": state its ACL configuration (ACLS_DISABLED,"
            + " ACLS_DEFAULT_ALLOW or ACLS_DEFAULT_DENY)");
      }
      Clock c = clock == null ? Clock.systemUTC() : clock;
      Ticker t = ticker != null ? ticker
          : clock == null ? Ticker.systemTicker()
          : clock instanceof Ticker fake ? fake
          : new ClockTicker(clock);
      boolean owns = scheduler == null;
      ScheduledExecutorService s = owns ? newScheduler() : scheduler;
      EmbeddedServer server = null;
      ConsulBackend ownedConsul = null;
      try {
        ConnectBackend b = backend;
        DefaultIntentionPolicy policy = defaultIntentionPolicy;
        ConsulBackend remote = consul;
        if (consulFromEnvironment) {
          remote = ownedConsul = ConsulBackend.builder().build();
          b = remote;
        }
        if (remote != null) {
          policy = remote.defaultIntentionPolicy();
        }
        if (b == null) {
          if (!given.containsKey("dataDirectory")) {
            embedded.dataDirectory(DEFAULT_DATA_DIRECTORY);
          }
          server = embedded.datacenter(datacenter).clock(c).scheduler(s).open();
          b = server;
          policy = DefaultIntentionPolicy.of(server.aclsEnabled(), server.aclDefaultPolicy());
        }
        ConnectCache.Builder cb = ConnectCache.builder(b).leafKeys(LEAF_KEYS)
            .datacenter(datacenter).clock(c).ticker(t).scheduler(s);
        if (caChangeJitter != null) {
          cb.caChangeJitter(caChangeJitter);
        }
        ConnectCache cache = cb.build();
        Runnable closeBackend = ownedConsul != null ? ownedConsul::close : () -> { };
        ConnectAgent agent = new ConnectAgent(b, server, closeBackend, cache, datacenter, c,
            policy, s, owns, token);
        agent.listenForRotation();
        return agent;
      } catch (IOException | RuntimeException | Error e) {
        if (server != null) {
          server.close();
        }
        if (ownedConsul != null) {
          ownedConsul.close();
        }
        if (owns) {
          s.shutdownNow();
        }
        throw e;
      }
    }

    private static ScheduledExecutorService newScheduler() {
      return Schedulers.newDaemonScheduler("connect-agent", 2);
    }
  }
}
