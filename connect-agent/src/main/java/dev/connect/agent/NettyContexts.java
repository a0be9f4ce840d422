package dev.connect.agent;

import static java.util.Objects.requireNonNull;

import dev.connect.core.ServiceNames;
import dev.connect.tls.netty.ConnectNettyTls;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;

/**
 * Netty {@link SslContext}s of a {@link ConnectService}, built once per provider (and upstream)
 * and shared, like the handle's JSSE contexts.
 *
 * <pre>{@code
 * SslContext server = NettyContexts.server(agent.service("db"), SslProvider.OPENSSL);
 * SslContext client = NettyContexts.client(agent.service("web"), "db", SslProvider.OPENSSL);
 * }</pre>
 *
 * <p>Netty is an optional dependency: add {@code netty-handler} (and {@code
 * netty-tcnative-boringssl-static} for {@code OPENSSL}). This class is apart from {@link
 * ConnectService} so that the handle names no Netty type: frameworks that list a bean's methods
 * by reflection work without Netty on the class path. See {@link ConnectNettyTls} for what each
 * provider does.
 */
// Netty is an optional dependency: an application that uses this class requires its module itself.
@SuppressWarnings("exports")
public final class NettyContexts {
  private NettyContexts() {}

  /**
   * Returns the service's Netty server context: client authentication required, every client
   * authorized against the service's intentions in the handshake.
   *
   * @param service the handle
   * @param provider {@code JDK} or {@code OPENSSL}
   * @return the context, the same for the same handle and provider
   * @throws IllegalArgumentException if the provider is neither
   * @throws IllegalStateException if the agent is closed, or OpenSSL is unavailable
   */
  public static SslContext server(ConnectService service, SslProvider provider) {
    requireNonNull(service, "service");
    requireNonNull(provider, "provider");
    service.checkOpen();
    return get(service, "server/" + provider,
        () -> ConnectNettyTls.forServer(service.serverTls()).provider(provider).build());
  }

  /**
   * Returns the service's Netty client context for calling {@code upstream}.
   *
   * @param service the handle
   * @param upstream the service the server must be, such as {@code db}
   * @param provider {@code JDK} or {@code OPENSSL}
   * @return the context, the same for the same handle, upstream and provider
   * @throws IllegalArgumentException if the upstream is not a valid name or the provider is
   *     neither
   * @throws IllegalStateException if the agent is closed, or OpenSSL is unavailable
   */
  public static SslContext client(ConnectService service, String upstream,
      SslProvider provider) {
    requireNonNull(service, "service");
    requireNonNull(upstream, "upstream");
    requireNonNull(provider, "provider");
    ServiceNames.check(upstream);
    service.checkOpen();
    return get(service, "client/" + upstream + "/" + provider,
        () -> ConnectNettyTls.forClient(service.clientTls(upstream)).provider(provider).build());
  }

  /** Builds outside the map's lock; the first context stored wins, so all callers share it. */
  private static SslContext get(ConnectService service, String key,
      java.util.function.Supplier<SslContext> build) {
    Object known = service.nettyContexts().get(key);
    if (known != null) {
      return (SslContext) known;
    }
    SslContext built = build.get();
    Object earlier = service.nettyContexts().putIfAbsent(key, built);
    return earlier == null ? built : (SslContext) earlier;
  }
}
