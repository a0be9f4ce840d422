package dev.connect.agent;

import static java.util.Objects.requireNonNull;

import dev.connect.cache.CacheRequest;
import dev.connect.cache.Leaf;
import dev.connect.core.CaRoots;
import dev.connect.core.Decision;
import dev.connect.core.InvalidSpiffeIdException;
import dev.connect.core.ServiceId;
import dev.connect.core.ServiceNames;
import dev.connect.core.SpiffeId;
import dev.connect.tls.ConnectIdentity;
import dev.connect.tls.ConnectTls;
import dev.connect.tls.HandshakeEvent;
import dev.connect.tls.HandshakeListener;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One local service of a {@link ConnectAgent}, read with one ACL token: its identity, its
 * mutual-TLS contexts, and the decisions about who may connect to it.
 *
 * <pre>{@code
 * ConnectService db = agent.service("db");
 * SSLServerSocket listener = (SSLServerSocket) db.serverSslContext().getServerSocketFactory()
 *     .createServerSocket(5432);
 * db.onHandshake(e -> log.info("{} {}: {}", e.peer(), e.allowed() ? "in" : "refused", e.reason()));
 *
 * SSLContext toDb = agent.service("web").clientSslContext("db");
 * }</pre>
 *
 * <p>Contexts are built once per handle (a client context once per upstream) and shared: they
 * read the cache's current leaf, roots and intentions on every handshake, so renewals, root
 * rotations and intention changes need no rebuild. A server context authorizes each client with
 * the service's intentions and the agent's {@link ConnectAgent#defaultIntentionPolicy()}; a
 * denied client gets a TLS alert and never reaches the application. For other settings (TLS
 * 1.2, a peer in another datacenter) build contexts from {@link #serverTls()} and {@link
 * #clientTls(String)}.
 *
 * <p>The agent keeps a handle only while it is in use: held by the caller, by a context built
 * from it, or through a listener registered on it. Hold the handle (or its context) rather than
 * asking the agent for it again per request.
 *
 * <p>Thread-safe. After the agent is closed every method throws {@link IllegalStateException}.
 */
public final class ConnectService {
  /**
   * How often, in hours, a handle with rotation listeners reads its leaf and roots: a third of
   * the cache's default time of disuse (72 hours), which the agent uses.
   */
  static final long KEEP_ALIVE_HOURS = 24;
  private static final Logger log = LoggerFactory.getLogger(ConnectService.class);

  private final ConnectAgent agent;
  private final String name;
  private final CacheRequest request;
  private final ConnectIdentity identity;
  private final List<HandshakeListener> handshakeListeners = new CopyOnWriteArrayList<>();
  private final List<RotationListener> rotationListeners = new CopyOnWriteArrayList<>();
  private final HandshakeListener fanOut = this::handshake;
  private final AtomicReference<SSLContext> serverContext = new AtomicReference<>();
  private final Map<String, SSLContext> clientContexts = new ConcurrentHashMap<>();
  private final Object keepAliveLock = new Object();
  /** The periodic read that keeps the leaf in use while rotation listeners wait; guarded. */
  private ScheduledFuture<?> keepAlive;
  /** The leaf last told to rotation listeners (or seen by a keep-alive read); guarded by this. */
  private Leaf lastLeaf;
  // Netty contexts, per provider (and upstream), built by NettyContexts. Typed Object so that
  // this class names no Netty type anywhere (reflection over it must work without Netty).
  private final Map<String, Object> nettyContexts = new ConcurrentHashMap<>();
  private volatile ServiceId id;

  ConnectService(ConnectAgent agent, String name, CacheRequest request) {
    this.agent = agent;
    this.name = name;
    this.request = request;
    this.identity = ConnectIdentity.of(agent.cache(), name, request);
  }

  /** Returns the service name, such as {@code web}. */
  public String name() {
    return name;
  }

  /**
   * Returns the service's identity, {@code spiffe://<trust domain>/ns/default/dc/<dc>/svc/<name>}.
   *
   * @return the identity
   * @throws IllegalStateException if the agent is closed
   */
  public ServiceId id() {
    agent.checkOpen();
    ServiceId i = id;
    if (i == null) {
      i = ServiceId.of(agent.trustDomain(), agent.datacenter(), name);
      id = i;
    }
    return i;
  }

  /** Returns the agent this handle belongs to. */
  public ConnectAgent agent() {
    return agent;
  }

  /**
   * Returns the identity the contexts read from: the agent's cache, this service and this
   * handle's token.
   *
   * @return the identity
   */
  public ConnectIdentity identity() {
    return identity;
  }

  // ---------------------------------------------------------------------------------------------
  // Contexts

  /**
   * Returns this service's server context, built on first call and then shared: it presents the
   * service's current leaf, requires a client certificate, and authorizes each client with the
   * service's intentions, falling back to {@link ConnectAgent#defaultIntentionPolicy()}.
   *
   * @return the context
   * @throws dev.connect.core.ConnectException (or a subtype such as {@link
   *     dev.connect.core.PermissionDeniedException}) if the leaf, roots or intentions cannot be
   *     fetched; nothing is cached then, and the next call tries again
   * @throws IllegalStateException if the agent is closed
   */
  public SSLContext serverSslContext() {
    agent.checkOpen();
    SSLContext c = serverContext.get();
    if (c != null) {
      return c;
    }
    SSLContext built = serverTls().sslContext();
    return serverContext.compareAndExchange(null, built) == null ? built : serverContext.get();
  }

  /**
   * Returns a client context for calls to {@code upstream}, built on first call per upstream
   * and then shared: it presents this service's leaf and accepts only a server whose identity is
   * {@code upstream} in the agent's trust domain and datacenter.
   *
   * @param upstream the service to call, such as {@code db}
   * @return the context
   * @throws IllegalArgumentException if {@code upstream} is not a valid service name
   * @throws dev.connect.core.ConnectException (or a subtype) if the leaf or roots cannot be
   *     fetched; nothing is cached then
   * @throws IllegalStateException if the agent is closed
   */
  public SSLContext clientSslContext(String upstream) {
    requireNonNull(upstream, "upstream");
    ServiceNames.check(upstream);
    agent.checkOpen();
    SSLContext c = clientContexts.get(upstream);
    if (c != null) {
      return c;
    }
    SSLContext built = clientTls(upstream).sslContext();
    SSLContext earlier = clientContexts.putIfAbsent(upstream, built);
    return earlier == null ? built : earlier;
  }

  /**
   * Returns a new server-context builder for this service, for settings the shared context does
   * not have ({@code tls12Allowed()}, a key or trust manager for another TLS stack). Its policy
   * is the agent's default intention policy, its clock the agent's, and its listener reports to
   * this handle's {@linkplain #onHandshake handshake listeners}; those two are set already, so
   * setting them again throws. Each {@code sslContext()} it builds is new and not cached.
   *
   * @return the builder
   * @throws IllegalStateException if the agent is closed
   */
  public ConnectTls.ServerBuilder serverTls() {
    agent.checkOpen();
    return ConnectTls.forServer(identity).authorizeWith(agent.defaultIntentionPolicy())
        .clock(agent.clock()).listener(fanOut);
  }

  /**
   * Returns a new client-context builder for calls to {@code upstream}, for settings the shared
   * context does not have ({@code tls12Allowed()}, {@code peerDatacenter}). Its clock is the
   * agent's and its listener reports to this handle's {@linkplain #onHandshake handshake
   * listeners}; both are set already. Each {@code sslContext()} it builds is new and not cached.
   *
   * @param upstream the service to call
   * @return the builder
   * @throws IllegalArgumentException if {@code upstream} is not a valid service name
   * @throws IllegalStateException if the agent is closed
   */
  public ConnectTls.ClientBuilder clientTls(String upstream) {
    requireNonNull(upstream, "upstream");
    ServiceNames.check(upstream);
    agent.checkOpen();
    return ConnectTls.forClient(identity).expectPeer(upstream).clock(agent.clock())
        .listener(fanOut);
  }

  /** The Netty contexts built for this handle, for {@link NettyContexts}. */
  Map<String, Object> nettyContexts() {
    return nettyContexts;
  }

  void checkOpen() {
    agent.checkOpen();
  }

  // ---------------------------------------------------------------------------------------------
  // Decisions and material

  /**
   * Decides whether a client may connect to this service, as the server context does in a
   * handshake: the most precedent matching intention, else the agent's default intention
   * policy. Reads the cached intentions.
   *
   * @param client the client's SPIFFE ID
   * @return the decision; a client that is not a Connect service of this trust domain is denied
   *     with a reason saying so
   * @throws dev.connect.core.PermissionDeniedException if this handle's token may not read the
   *     service's intentions
   * @throws IllegalStateException if the agent is closed
   */
  public Decision authorize(SpiffeId client) {
    requireNonNull(client, "client");
    agent.checkOpen();
    return agent.cache().intentionMatch(name, request)
        .authorize(id(), client, agent.defaultIntentionPolicy());
  }

  /**
   * Decides whether the holder of a client certificate with this URI SAN may connect, as
   * Consul's {@code /v1/agent/connect/authorize} does; a URI that is not a Connect service
   * identity is denied with Consul's reason, never thrown.
   *
   * @param clientCertUri the URI SAN of the client's certificate
   * @return the decision
   * @throws dev.connect.core.PermissionDeniedException if this handle's token may not read the
   *     service's intentions
   * @throws IllegalStateException if the agent is closed
   */
  public Decision authorize(String clientCertUri) {
    requireNonNull(clientCertUri, "clientCertUri");
    agent.checkOpen();
    return agent.cache().intentionMatch(name, request)
        .authorize(id(), clientCertUri, "", agent.defaultIntentionPolicy());
  }

  /**
   * Returns the service's current leaf certificate and key, issuing it on first call; the token
   * needs {@code service:write}.
   *
   * @return the leaf
   * @throws dev.connect.core.ConnectException (or a subtype) if it cannot be issued
   * @throws IllegalStateException if the agent is closed
   */
  public Leaf leaf() {
    agent.checkOpen();
    return agent.cache().leaf(name, request);
  }

  /**
   * Returns the roots the service's contexts trust now.
   *
   * @return the roots
   * @throws dev.connect.core.ConnectException (or a subtype) if they cannot be fetched
   * @throws IllegalStateException if the agent is closed
   */
  public CaRoots roots() {
    agent.checkOpen();
    return agent.cache().roots(request);
  }

  // ---------------------------------------------------------------------------------------------
  // Listeners

  /**
   * Adds a listener told of every peer this handle's contexts check (shared ones and those built
   * from {@link #serverTls()} and {@link #clientTls(String)}): allowed or denied, with the reason.
   * Called on the handshake's thread; an exception it throws is logged and ignored.
   *
   * @param listener the listener
   * @return its registration; close it to remove the listener
   * @throws IllegalStateException if the agent is closed
   */
  public Registration onHandshake(HandshakeListener listener) {
    requireNonNull(listener, "listener");
    agent.checkOpen();
    HandshakeListener wrapped = listener::onHandshake; // a distinct element per registration
    synchronized (keepAliveLock) {
      handshakeListeners.add(wrapped);
      agent.pin(this);
    }
    return () -> {
      synchronized (keepAliveLock) {
        if (handshakeListeners.remove(wrapped)) {
          unpinIfIdle();
        }
      }
    };
  }

  /**
   * Adds a listener told when this service's leaf is renewed or re-issued, and when the roots
   * it trusts change. See {@link RotationListener} for the thread it runs on.
   *
   * <p>While at least one rotation listener is registered, the handle reads its roots and leaf
   * every {@value #KEEP_ALIVE_HOURS} hours, so that the cache never evicts them for disuse: a
   * leaf exported by a listener (to files, another TLS stack) keeps being renewed even if
   * nothing else reads it. Such a read that finds a leaf other than the last one told (an entry
   * loaded again) tells the listeners too.
   *
   * @param listener the listener
   * @return its registration; close it to remove the listener
   * @throws IllegalStateException if the agent is closed
   */
  public Registration onRotation(RotationListener listener) {
    requireNonNull(listener, "listener");
    agent.checkOpen();
    RotationListener wrapped = new RotationListener() {
      @Override
      public void leafChanged(ConnectService service, Leaf leaf) {
        listener.leafChanged(service, leaf);
      }

      @Override
      public void rootsChanged(ConnectService service, CaRoots roots) {
        listener.rootsChanged(service, roots);
      }
    };
    synchronized (keepAliveLock) {
      rotationListeners.add(wrapped);
      agent.pin(this);
      startKeepAlive();
    }
    return () -> {
      synchronized (keepAliveLock) {
        if (rotationListeners.remove(wrapped)) {
          if (rotationListeners.isEmpty()) {
            stopKeepAlive();
          }
          unpinIfIdle();
        }
      }
    };
  }

  /** Lets the agent drop this handle once unused: no listener is left. Guarded by the lock. */
  private void unpinIfIdle() {
    if (handshakeListeners.isEmpty() && rotationListeners.isEmpty()) {
      agent.unpin(this);
    }
  }

  private void startKeepAlive() {
    synchronized (keepAliveLock) {
      if (keepAlive == null && !agent.isClosed()) {
        long period = TimeUnit.HOURS.toNanos(KEEP_ALIVE_HOURS);
        keepAlive = agent.scheduler().scheduleWithFixedDelay(this::keepAlive, period, period,
            TimeUnit.NANOSECONDS);
      }
    }
  }

  void stopKeepAlive() {
    synchronized (keepAliveLock) {
      if (keepAlive != null) {
        keepAlive.cancel(false);
        keepAlive = null;
      }
    }
  }

  /** Reads roots and leaf as a user would, so that neither is evicted while listeners wait. */
  private void keepAlive() {
    if (agent.isClosed() || rotationListeners.isEmpty()) {
      return;
    }
    try {
      agent.cache().roots(request);
      Leaf now = agent.cache().leaf(name, request);
      Leaf before;
      synchronized (this) {
        before = lastLeaf;
        lastLeaf = now;
      }
      if (before != null && before != now) {
        tell(now);
      }
    } catch (RuntimeException e) {
      log.warn("keeping the leaf of {} in use failed; its rotation listeners may miss renewals",
          name, e);
    }
  }

  CacheRequest request() {
    return request;
  }

  private void handshake(HandshakeEvent event) {
    for (HandshakeListener l : handshakeListeners) {
      try {
        l.onHandshake(event);
      } catch (RuntimeException e) {
        log.warn("handshake listener of {} failed on {}", name, event, e);
      }
    }
  }

  void leafChanged(Leaf leaf) {
    synchronized (this) {
      if (lastLeaf == leaf) {
        return; // a keep-alive read told it already
      }
      lastLeaf = leaf;
    }
    tell(leaf);
  }

  private void tell(Leaf leaf) {
    for (RotationListener l : rotationListeners) {
      try {
        l.leafChanged(this, leaf);
      } catch (RuntimeException e) {
        log.warn("rotation listener of {} failed on {}", name, leaf, e);
      }
    }
  }

  void rootsChanged(CaRoots roots) {
    for (RotationListener l : rotationListeners) {
      try {
        l.rootsChanged(this, roots);
      } catch (RuntimeException e) {
        log.warn("rotation listener of {} failed on roots {}", name, roots.activeRootId(), e);
      }
    }
  }

  /** Checks a service or datacenter name is a valid SPIFFE path segment. */
  static void checkName(String what, String value) {
    if (value.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    try {
      SpiffeId.of("x.consul", "svc", value);
    } catch (InvalidSpiffeIdException e) {
      // Re-thrown for the name alone; the message shows it escaped and shortened.
      throw new InvalidSpiffeIdException(value, what + " is not a valid SPIFFE path segment: "
          + e.rule());
    }
  }

  /** Returns the service name and the request (which never shows the token). */
  @Override
  public String toString() {
    return "ConnectService[" + name + ", " + request + "]";
  }
}
