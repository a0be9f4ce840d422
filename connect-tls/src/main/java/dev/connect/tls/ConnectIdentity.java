package dev.connect.tls;

import static java.util.Objects.requireNonNull;

import dev.connect.cache.CacheRequest;
import dev.connect.cache.ConnectCache;

/**
 * Where a TLS context reads its identity from: a service name in a {@link ConnectCache}, read
 * with one {@link CacheRequest} (its ACL token and datacenter).
 *
 * <p>A context built on an identity never copies the leaf or the roots: every handshake reads the
 * cache's current leaf for {@link #service()} (its key, certificate and chain), the current
 * roots, and on a server the current intention match for the service. Renewals and root
 * rotations therefore reach the next handshake without rebuilding anything.
 *
 * <p>The token in the request needs {@code service:write} on the service (to have its leaf
 * signed) and, for a server, {@code intention:read} on it. Build one request per token and reuse
 * it: the cache partitions entries by token.
 */
public final class ConnectIdentity {
  private final ConnectCache cache;
  private final String service;
  private final CacheRequest request;

  private ConnectIdentity(ConnectCache cache, String service, CacheRequest request) {
    this.cache = cache;
    this.service = service;
    this.request = request;
  }

  /**
   * Returns the identity of {@code service} in {@code cache}, read with {@code request}.
   *
   * @param cache the agent cache that holds and renews the leaf
   * @param service the service name, such as {@code db}
   * @param request the token and datacenter every read uses
   * @return the identity; nothing is fetched until a context is built
   * @throws IllegalArgumentException if {@code service} is empty
   */
  public static ConnectIdentity of(ConnectCache cache, String service, CacheRequest request) {
    requireNonNull(cache, "cache");
    requireNonNull(service, "service");
    requireNonNull(request, "request");
    if (service.isEmpty()) {
      throw new IllegalArgumentException("service must not be empty");
    }
    return new ConnectIdentity(cache, service, request);
  }

  /** Returns the cache the leaf, roots and intentions are read from. */
  public ConnectCache cache() {
    return cache;
  }

  /** Returns the service name, such as {@code db}. */
  public String service() {
    return service;
  }

  /** Returns the request every read uses. */
  public CacheRequest request() {
    return request;
  }

  /** Returns the service and the request (which never shows the token). */
  @Override
  public String toString() {
    return "ConnectIdentity[service=" + service + ", " + request + "]";
  }
}
