package dev.connect.tls;

import static java.util.Objects.requireNonNull;

import dev.connect.core.BuilderOptions;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.tls.internal.ConfiguredSslContext;
import dev.connect.tls.internal.ConnectTrustManager;
import dev.connect.tls.internal.LiveKeyManager;
import dev.connect.tls.internal.TlsStacks;
import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Mutual-TLS contexts for a Connect identity, one factory per role, each requiring what the role
 * cannot do without: a server names the policy for connections no intention matches, a client
 * names the service it expects to reach.
 *
 * <pre>{@code
 * ConnectIdentity db = ConnectIdentity.of(cache, "db", request);
 * SSLContext server = ConnectTls.forServer(db)
 *     .authorizeWith(DefaultIntentionPolicy.ACLS_DISABLED).sslContext();
 * SSLContext client = ConnectTls.forClient(ConnectIdentity.of(cache, "web", request))
 *     .expectPeer("db").sslContext();
 * }</pre>
 *
 * <p><b>Live.</b> Build each context once and share it. Its key manager presents the cache's
 * current leaf on every handshake under an alias per certificate generation ({@code
 * leaf-<serial in hex>}), and its trust manager reads the current roots and intentions, so leaf
 * renewals, root rotations and intention changes apply to the next handshake with no rebuild.
 *
 * <p><b>What a peer must pass.</b> Its chain validates with BouncyCastle's PKIX validator
 * against the current roots (intermediates it presents included, such as a new root
 * cross-signed by the old one), at the date of the builder's {@link Clock}, without revocation
 * checks; its leaf allows client authentication (on a server) or server
 * authentication (on a client) if it restricts its extended key usage; it carries exactly one
 * URI SAN, a Connect service SPIFFE ID in our trust domain. Then a server authorizes it with the
 * cache's intention match for its own service, falling back to the {@link
 * DefaultIntentionPolicy} it was given; a client requires the service it expects. A refusal
 * throws {@link java.security.cert.CertificateException} inside the trust manager with the
 * reason ({@code connect: authz denied: <reason>}), so the peer gets a TLS alert and nothing
 * reaches the application. Every decision goes to the {@link HandshakeListener}. With TLS 1.3
 * a client finishes its side of the handshake before the server has checked its certificate,
 * so a refused client's {@code startHandshake()} may return and the alert surface on its first
 * read; the server's application never sees the connection either way.
 *
 * <p>A chain that validated is remembered (by its exact bytes and the roots it validated
 * against, up to 1,024 chains per trust manager), so a returning peer skips the signature work;
 * the dates, the identity checks and authorization still run on every handshake, and a root
 * rotation starts the memo afresh.
 *
 * <p><b>No JVM-wide state.</b> The chain check and the {@link TlsStack#BOUNCY_CASTLE} stack use
 * BouncyCastle provider <em>instances</em>; nothing is added to {@link
 * java.security.Security}'s provider list and no system or security property is set.
 *
 * <p><b>Stacks.</b> {@code stack(TlsStack)} picks the JSSE implementation: the JDK's (the
 * default) or BouncyCastle's, which needs {@code org.bouncycastle:bctls-jdk18on} on the class
 * path. The managers, parameters and guarantees below are the same on both.
 *
 * <p><b>Parameters.</b> TLS 1.3 only unless {@code tls12Allowed()}; never older. A server
 * requires a client certificate. Endpoint (hostname) identification is off, because Connect
 * leaves carry no DNS name; the SPIFFE ID check replaces it, and the trust manager ignores an
 * endpoint identification algorithm a caller sets (the JDK's {@code HttpClient} sets {@code
 * HTTPS}; it needs no system property). Every engine, socket and server socket the context
 * makes starts with these parameters, and they are its {@link
 * SSLContext#getDefaultSSLParameters() default parameters}; a caller that replaces them with
 * weaker ones (for example {@code setWantClientAuth}) is on its own.
 *
 * <p><b>Session resumption.</b> A resumed session never reaches the trust manager, so it would
 * let a client in after intentions deny it. A server context therefore makes every session
 * unresumable: its trust manager invalidates the handshake session ({@link
 * javax.net.ssl.SSLSession#invalidate()}: "future connections will not be able to resume or
 * join this session") before it decides, and every connection is a full handshake that reaches
 * the trust manager, with TLS 1.3 and 1.2 alike, on both stacks ({@code
 * ResumedSessionAfterDenyTest} proves it against a control that does resume; BouncyCastle's
 * JSSE resumes only TLS 1.2 sessions at all). There is no cleaner switch in SunJSSE: {@code
 * setSessionCacheSize(0)} means unlimited, and the ticket properties are JVM-wide. The
 * application sees {@code SSLSession.isValid()} false on server-side sessions. A client context
 * keeps its sessions and offers them; servers decline. A JDK server context is made with TLS 1.2
 * session tickets off (SunJSSE reads {@code jdk.tls.server.enableSessionTicketExtension} when a
 * context is made; it is set to {@code false} for that instant and restored): otherwise SunJSSE
 * would agree to a client's ticket and then, the session being invalidated, never send it, and
 * clients offering tickets ({@code openssl s_client}, curl, Go) would fail with {@code
 * unexpected_message}.
 */
public final class ConnectTls {
  private static final List<String> TLS13_SUITES = List.of("TLS_AES_128_GCM_SHA256",
      "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");
  private static final List<String> TLS12_SUITES = List.of(
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private ConnectTls() {}

  /**
   * Starts a server context for {@code identity}; {@link ServerStart#authorizeWith} is next.
   *
   * @param identity whose leaf the server presents and whose intentions decide
   * @return the first step
   */
  public static ServerStart forServer(ConnectIdentity identity) {
    return new ServerStart(requireNonNull(identity, "identity"));
  }

  /**
   * Starts a client context for {@code identity}; {@link ClientStart#expectPeer} is next.
   *
   * @param identity whose leaf the client presents
   * @return the first step
   */
  public static ClientStart forClient(ConnectIdentity identity) {
    return new ClientStart(requireNonNull(identity, "identity"));
  }

  /** The first step of a server context: how connections no intention matches are decided. */
  public static final class ServerStart {
    private final ConnectIdentity identity;

    private ServerStart(ConnectIdentity identity) {
      this.identity = identity;
    }

    /**
     * Authorizes every client with the cache's intention match for this service, and with
     * {@code defaultPolicy} when no intention matches. Pick the constant that describes the
     * server's ACL configuration, as Consul does: {@link DefaultIntentionPolicy#ACLS_DISABLED}
     * or {@link DefaultIntentionPolicy#ACLS_DEFAULT_ALLOW} allow, {@link
     * DefaultIntentionPolicy#ACLS_DEFAULT_DENY} denies.
     *
     * @param defaultPolicy what decides when no intention matches
     * @return the builder
     */
    public ServerBuilder authorizeWith(DefaultIntentionPolicy defaultPolicy) {
      return new ServerBuilder(identity, requireNonNull(defaultPolicy, "defaultPolicy"));
    }
  }

  /** The first step of a client context: which service the server must be. */
  public static final class ClientStart {
    private final ConnectIdentity identity;

    private ClientStart(ConnectIdentity identity) {
      this.identity = identity;
    }

    /**
     * Accepts only a server whose SPIFFE ID is {@code service} in our trust domain, the default
     * namespace and partition, and the client's own datacenter (Consul compares the datacenter
     * of the instance it dialled; see {@link ClientBuilder#peerDatacenter}).
     *
     * @param service the service name, such as {@code db}
     * @return the builder
     * @throws IllegalArgumentException if {@code service} is empty
     */
    public ClientBuilder expectPeer(String service) {
      requireNonNull(service, "service");
      if (service.isEmpty()) {
        throw new IllegalArgumentException("expected peer service must not be empty");
      }
      return new ClientBuilder(identity, service);
    }
  }

  /** Settings both roles share. */
  private abstract static class Common<B extends Common<B>> {
    final ConnectIdentity identity;
    Clock clock = Clock.systemUTC();
    HandshakeListener listener = HandshakeListener.none();
    boolean tls12;
    TlsStack stack = TlsStack.JDK;
    final BuilderOptions options = BuilderOptions.create();

    Common(ConnectIdentity identity) {
      this.identity = identity;
    }

    abstract B self();

    B setClock(Clock c) {
      requireNonNull(c, "clock");
      options.set("clock", c);
      clock = c;
      return self();
    }

    B setListener(HandshakeListener l) {
      requireNonNull(l, "listener");
      options.set("listener", l);
      listener = l;
      return self();
    }

    B setStack(TlsStack s) {
      requireNonNull(s, "stack");
      if (options.isSet("stack")) {
        throw BuilderOptions.alreadySet("stack", stack);
      }
      TlsStacks.requireAvailable(s);
      options.set("stack", s);
      stack = s;
      return self();
    }

    abstract boolean server();

    abstract X509ExtendedTrustManager newTrustManager();

    SSLParameters parameters(SSLContext context) {
      Set<String> supported = Set.of(context.getSupportedSSLParameters().getCipherSuites());
      List<String> suites = new ArrayList<>(TLS13_SUITES);
      if (tls12) {
        suites.addAll(TLS12_SUITES);
      }
      suites.retainAll(supported);
      SSLParameters p = new SSLParameters(suites.toArray(new String[0]),
          tls12 ? new String[] {"TLSv1.3", "TLSv1.2"} : new String[] {"TLSv1.3"});
      p.setEndpointIdentificationAlgorithm(null);
      p.setNeedClientAuth(server());
      return p;
    }

    SSLContext build() {
      // Fail fast, and warm the cache on the caller's thread rather than a handshake's.
      identity.cache().roots(identity.request());
      identity.cache().leaf(identity.service(), identity.request());
      if (server()) {
        identity.cache().intentionMatch(identity.service(), identity.request());
      }
      LiveKeyManager km = new LiveKeyManager(identity, stack);
      km.currentAlias();
      SSLContext context = server() ? TlsStacks.newServerContext(stack)
          : TlsStacks.newContext(stack);
      try {
        context.init(new KeyManager[] {km}, new TrustManager[] {newTrustManager()}, null);
      } catch (KeyManagementException e) {
        throw new AssertionError("a new " + stack + " SSLContext refused its managers", e);
      }
      return new ConfiguredSslContext(context, parameters(context));
    }

    SSLParameters defaults() {
      if (stack == TlsStack.JDK) {
        try {
          return parameters(SSLContext.getDefault());
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException("no default SSLContext in this JVM", e);
        }
      }
      SSLContext context = TlsStacks.newContext(stack);
      try {
        context.init(new KeyManager[0], new TrustManager[0], null);
      } catch (KeyManagementException e) {
        throw new AssertionError("a new " + stack + " SSLContext refused no managers", e);
      }
      return parameters(context);
    }
  }

  /**
   * Builds server contexts: mutable; each {@link #sslContext()} is a new, independent context.
   */
  public static final class ServerBuilder extends Common<ServerBuilder> {
    private final DefaultIntentionPolicy policy;

    private ServerBuilder(ConnectIdentity identity, DefaultIntentionPolicy policy) {
      super(identity);
      this.policy = policy;
    }

    @Override
    ServerBuilder self() {
      return this;
    }

    @Override
    boolean server() {
      return true;
    }

    /**
     * Also accepts TLS 1.2 (ECDHE with AES-GCM or ChaCha20-Poly1305). Default: TLS 1.3 only.
     *
     * @return this builder
     * @throws IllegalStateException if already called on this builder
     */
    public ServerBuilder tls12Allowed() {
      options.set("tls12Allowed", true);
      tls12 = true;
      return this;
    }

    /**
     * Sets the JSSE implementation of this builder's contexts. Default: {@link TlsStack#JDK}.
     * The managers, parameters, checks and session handling are the same on every stack.
     *
     * @param stack the stack
     * @return this builder
     * @throws IllegalStateException if a stack was already set, or if {@code stack} is {@link
     *     TlsStack#BOUNCY_CASTLE} and {@code org.bouncycastle:bctls-jdk18on} is not on the class
     *     path
     */
    public ServerBuilder stack(TlsStack stack) {
      return setStack(stack);
    }

    /**
     * Sets the clock whose instant is the date of chain validation. Default: {@link
     * Clock#systemUTC()}; give the one the cache and CA use.
     *
     * @param clock the clock
     * @return this builder
     * @throws IllegalStateException if a clock was already set
     */
    public ServerBuilder clock(Clock clock) {
      return setClock(clock);
    }

    /**
     * Sets who is told of every allowed and denied client. Default: {@link
     * HandshakeListener#none()}.
     *
     * @param listener the listener
     * @return this builder
     * @throws IllegalStateException if a listener was already set
     */
    public ServerBuilder listener(HandshakeListener listener) {
      return setListener(listener);
    }

    /**
     * Returns a new live server context. It reads the roots, the leaf and the intention match
     * once now, to fail fast and warm the cache.
     *
     * @return the context; its engines and sockets require client certificates
     * @throws dev.connect.core.ConnectException (or a subtype) if the cache cannot supply them
     */
    public SSLContext sslContext() {
      return build();
    }

    /**
     * Returns the parameters every engine and socket of this builder's contexts starts with:
     * the protocols and cipher suites, client authentication required, no endpoint
     * identification. For code that configures engines itself.
     *
     * @return a new copy
     */
    public SSLParameters sslParameters() {
      return defaults();
    }

    /**
     * Returns a new live key manager, for code that builds its own context (Netty's {@code
     * SslContextBuilder}). It fetches nothing until a handshake asks.
     *
     * @return the key manager
     */
    public X509ExtendedKeyManager keyManager() {
      return new LiveKeyManager(identity, stack);
    }

    /**
     * Returns a new trust manager that authorizes clients as this builder's contexts do. A
     * context built around it must require client authentication; session resumption is off
     * only when JSSE calls the socket or engine variants of {@code checkClientTrusted}. A
     * BoringSSL-based stack that takes only the managers (gRPC's {@code TlsServerCredentials}
     * on {@code grpc-netty-shaded}) resumes TLS 1.3 sessions from tickets without asking this
     * trust manager: there, authorize every call as well (see {@code docs/tls.md}).
     *
     * @return the trust manager
     */
    public X509ExtendedTrustManager trustManager() {
      return newTrustManager();
    }

    @Override
    X509ExtendedTrustManager newTrustManager() {
      return ConnectTrustManager.server(identity, policy, clock, listener);
    }
  }

  /**
   * Builds client contexts: mutable; each {@link #sslContext()} is a new, independent context.
   */
  public static final class ClientBuilder extends Common<ClientBuilder> {
    private final String service;
    private String datacenter;

    private ClientBuilder(ConnectIdentity identity, String service) {
      super(identity);
      this.service = service;
    }

    @Override
    ClientBuilder self() {
      return this;
    }

    @Override
    boolean server() {
      return false;
    }

    /**
     * Expects the server in {@code datacenter} rather than the client's own.
     *
     * @param datacenter the datacenter in the server's SPIFFE ID, such as {@code dc2}
     * @return this builder
     * @throws IllegalArgumentException if it is empty
     * @throws IllegalStateException if it was already set
     */
    public ClientBuilder peerDatacenter(String datacenter) {
      requireNonNull(datacenter, "datacenter");
      if (datacenter.isEmpty()) {
        throw new IllegalArgumentException("peerDatacenter must not be empty");
      }
      this.datacenter = BuilderOptions.once("peerDatacenter", this.datacenter, datacenter);
      return this;
    }

    /**
     * Also offers TLS 1.2 (ECDHE with AES-GCM or ChaCha20-Poly1305). Default: TLS 1.3 only.
     *
     * @return this builder
     * @throws IllegalStateException if already called on this builder
     */
    public ClientBuilder tls12Allowed() {
      options.set("tls12Allowed", true);
      tls12 = true;
      return this;
    }

    /**
     * Sets the JSSE implementation of this builder's contexts. Default: {@link TlsStack#JDK}.
     * The managers, parameters, checks and session handling are the same on every stack.
     *
     * @param stack the stack
     * @return this builder
     * @throws IllegalStateException if a stack was already set, or if {@code stack} is {@link
     *     TlsStack#BOUNCY_CASTLE} and {@code org.bouncycastle:bctls-jdk18on} is not on the class
     *     path
     */
    public ClientBuilder stack(TlsStack stack) {
      return setStack(stack);
    }

    /**
     * Sets the clock whose instant is the date of chain validation. Default: {@link
     * Clock#systemUTC()}; give the one the cache and CA use.
     *
     * @param clock the clock
     * @return this builder
     * @throws IllegalStateException if a clock was already set
     */
    public ClientBuilder clock(Clock clock) {
      return setClock(clock);
    }

    /**
     * Sets who is told of every accepted and refused server. Default: {@link
     * HandshakeListener#none()}.
     *
     * @param listener the listener
     * @return this builder
     * @throws IllegalStateException if a listener was already set
     */
    public ClientBuilder listener(HandshakeListener listener) {
      return setListener(listener);
    }

    /**
     * Returns a new live client context. It reads the roots and the leaf once now, to fail fast
     * and warm the cache.
     *
     * @return the context
     * @throws dev.connect.core.ConnectException (or a subtype) if the cache cannot supply them
     */
    public SSLContext sslContext() {
      return build();
    }

    /**
     * Returns the parameters every engine and socket of this builder's contexts starts with:
     * the protocols and cipher suites, no endpoint identification.
     *
     * @return a new copy
     */
    public SSLParameters sslParameters() {
      return defaults();
    }

    /**
     * Returns a new live key manager, for code that builds its own context.
     *
     * @return the key manager
     */
    public X509ExtendedKeyManager keyManager() {
      return new LiveKeyManager(identity, stack);
    }

    /**
     * Returns a new trust manager that accepts only the expected server, as this builder's
     * contexts do.
     *
     * @return the trust manager
     */
    public X509ExtendedTrustManager trustManager() {
      return newTrustManager();
    }

    @Override
    X509ExtendedTrustManager newTrustManager() {
      return ConnectTrustManager.client(identity, service, datacenter, clock, listener);
    }
  }

}
