package dev.connect.tls.netty;

import static java.util.Objects.requireNonNull;

import dev.connect.tls.ConnectTls;
import dev.connect.tls.internal.TlsStacks;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.OpenSslContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.KeyManagerFactoryWrapper;
import io.netty.internal.tcnative.SSL;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Netty {@link SslContext}s for Connect identities, one factory per role, built from a {@link
 * ConnectTls} builder and so with the same live key manager, trust manager and parameters as its
 * JSSE {@code SSLContext}s.
 *
 * <pre>{@code
 * SslContext server = ConnectNettyTls.forServer(ConnectTls.forServer(db)
 *         .authorizeWith(DefaultIntentionPolicy.ACLS_DISABLED))
 *     .provider(SslProvider.OPENSSL).build();
 * SslContext client = ConnectNettyTls.forClient(ConnectTls.forClient(web).expectPeer("db"))
 *     .provider(SslProvider.OPENSSL).build();
 * ch.pipeline().addLast(server.newHandler(ch.alloc()));
 * }</pre>
 *
 * <p><b>Live.</b> Build each context once and share it: every handshake presents the cache's
 * current leaf and checks the peer against the current roots and intentions, exactly as the JSSE
 * contexts do (see {@link ConnectTls}), so leaf renewals, root rotations and intention changes
 * apply to the next handshake with no rebuild. A refused peer fails the handshake with a TLS
 * alert; the reason ({@code connect: authz denied: <reason>}) is in the failed handshake's
 * cause chain and in the builder's {@link dev.connect.tls.HandshakeListener}, and no byte of the
 * connection reaches the handlers after the {@code SslHandler}.
 *
 * <p><b>Parameters.</b> The protocols and cipher suites are the builder's {@code
 * sslParameters()}: TLS 1.3 only unless it opted into TLS 1.2. A server requires a client
 * certificate ({@link ClientAuth#REQUIRE}). A client turns endpoint identification off
 * explicitly (Netty 4.2 clients default to {@code HTTPS}, and Connect leaves carry no DNS
 * name); the trust manager's SPIFFE ID check replaces it.
 *
 * <p><b>Providers.</b> {@link SslProvider#JDK} (the default) runs JSSE inside Netty; {@link
 * SslProvider#OPENSSL} runs BoringSSL from {@code netty-tcnative-boringssl-static}, and
 * {@link Builder#build()} fails if it cannot be loaded rather than falling back. With OpenSSL:
 * <ul>
 *   <li>Key material is cached per alias, which changes with every leaf generation ({@code
 *       leaf-<serial>}), so a renewed leaf is presented on the next handshake; at most two
 *       generations are kept, the current and the previous one.
 *   <li>A server sends no CA names in its certificate request: Netty reads {@code
 *       getAcceptedIssuers()} once when the context is built, and a list read then would go
 *       stale at the next root rotation. Connect clients ignore the names anyway.
 *   <li>A server context has no session cache and neither issues nor accepts session tickets,
 *       so every connection is a full handshake that reaches the trust manager. Invalidating
 *       the session in the trust manager, which is enough for JSSE, does not stop BoringSSL: it
 *       would resume TLS 1.3 sessions from tickets and TLS 1.2 ones from Netty's cache. The
 *       server context is therefore a {@link DelegatingSslContext} around the {@link
 *       OpenSslContext}, setting {@code SSL_OP_NO_TICKET} on each engine it makes.
 * </ul>
 * With the JDK provider a server invalidates each session in its trust manager, as the JSSE
 * contexts do, and its SunJSSE context is made with TLS 1.2 session tickets off, so that it never
 * promises a ticket it would not send.
 */
// Netty is an optional dependency: an application that uses this class requires its module itself.
@SuppressWarnings("exports")
public final class ConnectNettyTls {
  // Current and previous leaf generation: the key manager resolves no older alias.
  private static final int CACHED_KEY_GENERATIONS = 2;

  private ConnectNettyTls() {}

  /**
   * Starts a Netty server context with the managers and parameters of {@code server}.
   *
   * @param server the JSSE server builder; read when {@link Builder#build()} runs
   * @return the builder
   */
  public static Builder forServer(ConnectTls.ServerBuilder server) {
    requireNonNull(server, "server");
    return new Builder(true, server::sslParameters, server::keyManager, server::trustManager,
        server::sslContext);
  }

  /**
   * Starts a Netty client context with the managers and parameters of {@code client}.
   *
   * @param client the JSSE client builder; read when {@link Builder#build()} runs
   * @return the builder
   */
  public static Builder forClient(ConnectTls.ClientBuilder client) {
    requireNonNull(client, "client");
    return new Builder(false, client::sslParameters, client::keyManager, client::trustManager,
        client::sslContext);
  }

  /** Builds Netty contexts: mutable; each {@link #build()} makes a new, independent context. */
  public static final class Builder {
    private final boolean server;
    private final Supplier<SSLParameters> parameters;
    private final Supplier<X509ExtendedKeyManager> keyManager;
    private final Supplier<X509ExtendedTrustManager> trustManager;
    private final Runnable warm;
    private SslProvider provider = SslProvider.JDK;
    private boolean providerSet;

    private Builder(boolean server, Supplier<SSLParameters> parameters,
        Supplier<X509ExtendedKeyManager> keyManager,
        Supplier<X509ExtendedTrustManager> trustManager, Runnable warm) {
      this.server = server;
      this.parameters = parameters;
      this.keyManager = keyManager;
      this.trustManager = trustManager;
      this.warm = warm;
    }

    /**
     * Sets the TLS implementation. Default: {@link SslProvider#JDK}.
     *
     * @param provider {@link SslProvider#JDK} or {@link SslProvider#OPENSSL}
     * @return this builder
     * @throws IllegalArgumentException for any other provider ({@code OPENSSL_REFCNT} contexts
     *     must be released by hand; use {@code OPENSSL})
     * @throws IllegalStateException if a provider was already set
     */
    public Builder provider(SslProvider provider) {
      requireNonNull(provider, "provider");
      if (provider != SslProvider.JDK && provider != SslProvider.OPENSSL) {
        throw new IllegalArgumentException("provider must be JDK or OPENSSL: " + provider);
      }
      if (providerSet) {
        throw new IllegalStateException("provider was already set to " + this.provider);
      }
      providerSet = true;
      this.provider = provider;
      return this;
    }

    /**
     * Returns a new live Netty context. Like the JSSE builders' {@code sslContext()}, it reads
     * the roots, the leaf and (on a server) the intention match once now, to fail fast and warm
     * the cache.
     *
     * @return the context; not reference counted
     * @throws IllegalStateException if the provider is {@code OPENSSL} and BoringSSL cannot be
     *     loaded or does not support key manager factories, or if Netty refuses the settings
     * @throws dev.connect.core.ConnectException (or a subtype) if the cache cannot supply them
     */
    public SslContext build() {
      if (provider == SslProvider.OPENSSL) {
        if (!OpenSsl.isAvailable()) {
          throw new IllegalStateException("provider OPENSSL is unavailable: "
              + OpenSsl.unavailabilityCause(), OpenSsl.unavailabilityCause());
        }
        if (!OpenSsl.supportsKeyManagerFactory()) {
          throw new IllegalStateException("provider OPENSSL (" + OpenSsl.versionString()
              + ") does not support key manager factories, which live leaves need");
        }
      }
      warm.run();
      SSLParameters p = parameters.get();
      KeyManagerFactory keys = new KeyManagerFactoryWrapper(keyManager.get());
      if (provider == SslProvider.OPENSSL) {
        keys = new OpenSslCachingX509KeyManagerFactory(keys, CACHED_KEY_GENERATIONS);
      }
      SslContextBuilder b = server
          ? SslContextBuilder.forServer(keys).clientAuth(ClientAuth.REQUIRE)
          : SslContextBuilder.forClient().keyManager(keys);
      b.sslProvider(provider)
          .trustManager(trustManager.get())
          .protocols(p.getProtocols())
          .ciphers(List.of(p.getCipherSuites()), IdentityCipherSuiteFilter.INSTANCE)
          .endpointIdentificationAlgorithm(null);
      SslContext context;
      try {
        context = server && provider == SslProvider.JDK ? buildWithoutJdkTickets(b) : b.build();
      } catch (SSLException e) {
        throw new IllegalStateException("Netty refused a " + provider + " "
            + (server ? "server" : "client") + " context: " + e.getMessage(), e);
      }
      return server && provider == SslProvider.OPENSSL
          ? noResumption((OpenSslContext) context) : context;
    }

    /**
     * Builds a JDK-provider server context whose SunJSSE context never agrees to a TLS 1.2
     * session ticket that its trust manager would then keep it from sending (see {@link
     * TlsStacks#newServerContext}).
     */
    private static SslContext buildWithoutJdkTickets(SslContextBuilder b) throws SSLException {
      SSLException[] failure = new SSLException[1];
      SslContext context = TlsStacks.withoutJdkServerTickets(() -> {
        try {
          return b.build();
        } catch (SSLException e) {
          failure[0] = e;
          return null;
        }
      });
      if (failure[0] != null) {
        throw failure[0];
      }
      return context;
    }

    /**
     * Turns off both ways BoringSSL resumes: the stateful session cache (TLS 1.2), and session
     * tickets, which Netty turns on for every TLS 1.3 engine it makes, so they are turned off
     * again on each engine before its handshake starts.
     */
    private static SslContext noResumption(OpenSslContext context) {
      context.sessionContext().setSessionCacheEnabled(false);
      return new NoTickets(context);
    }

    @Override
    public String toString() {
      return "ConnectNettyTls.Builder[" + (server ? "server" : "client") + ", provider="
          + provider + "]";
    }
  }

  /** An OpenSSL server context whose engines neither issue nor accept session tickets. */
  private static final class NoTickets extends DelegatingSslContext {
    NoTickets(SslContext context) {
      super(context);
    }

    @Override
    protected void initEngine(SSLEngine engine) {
      ReferenceCountedOpenSslEngine e = (ReferenceCountedOpenSslEngine) engine;
      synchronized (e) {
        SSL.setOptions(e.sslPointer(), SSL.SSL_OP_NO_TICKET);
      }
    }

    @Override
    public String toString() {
      return "ConnectNettyTls.NoTickets[" + (isServer() ? "server" : "client") + "]";
    }
  }
}
