package dev.connect.tls;

import static java.util.Objects.requireNonNull;

import dev.connect.cache.CacheRequest;
import dev.connect.cache.ConnectCache;
import dev.connect.cache.Leaf;
import dev.connect.core.CaRoots;
import dev.connect.core.Intentions;
import dev.connect.core.ServiceId;

/**
 * The identity of one service in an agent cache, read with one request: see {@link
 * ConnectIdentity#of(ConnectCache, String, CacheRequest)}.
 */
final class CacheIdentity implements ConnectIdentity {
  /** The cache's leaf and the {@link X509Leaf} made of it, published together. */
  private record Converted(Leaf cached, X509Leaf leaf) {}

  private final ConnectCache cache;
  private final String service;
  private final CacheRequest request;
  private volatile Converted last;
  private volatile ServiceId serviceId;

  private CacheIdentity(ConnectCache cache, String service, CacheRequest request) {
    this.cache = cache;
    this.service = service;
    this.request = request;
  }

  static CacheIdentity of(ConnectCache cache, String service, CacheRequest request) {
    requireNonNull(cache, "cache");
    requireNonNull(service, "service");
    requireNonNull(request, "request");
    if (service.isEmpty()) {
      throw new IllegalArgumentException("service must not be empty");
    }
    return new CacheIdentity(cache, service, request);
  }

  @Override
  public ServiceId serviceId() {
    ServiceId id = serviceId;
    if (id == null) {
      id = cache.leaf(service, request).certificate().service();
      serviceId = id;
    }
    return id;
  }

  @Override
  public X509Leaf leaf() {
    Leaf cached = cache.leaf(service, request);
    Converted c = last;
    if (c != null && c.cached == cached) {
      return c.leaf;
    }
    // Two threads racing a renewal may each convert it; the key manager matches equal leaves.
    X509Leaf leaf = X509Leaf.of(cached.chain(), cached.privateKey());
    last = new Converted(cached, leaf);
    if (serviceId == null) {
      serviceId = cached.certificate().service();
    }
    return leaf;
  }

  @Override
  public CaRoots roots() {
    return cache.roots(request);
  }

  @Override
  public Intentions intentions() {
    return cache.intentionMatch(service, request);
  }

  /** Returns the service and the request (which never shows the token). */
  @Override
  public String toString() {
    return "ConnectIdentity[service=" + service + ", " + request + "]";
  }
}
