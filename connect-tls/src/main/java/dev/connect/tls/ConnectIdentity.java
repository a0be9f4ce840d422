package dev.connect.tls;

import dev.connect.cache.CacheRequest;
import dev.connect.cache.ConnectCache;
import dev.connect.core.CaRoots;
import dev.connect.core.Intentions;
import dev.connect.core.ServiceId;

/**
 * What a Connect TLS context reads on every handshake: who it is, the leaf it presents, the roots
 * it trusts, and on a server the intentions that decide who may connect. Like java-spiffe's
 * {@code X509Source}, it is a small interface so that a second source (a remote agent, a fake in
 * a test) plugs into {@link ConnectTls} unchanged.
 *
 * <p>The usual identity is the agent cache's: {@link #of(ConnectCache, String, CacheRequest)}
 * reads the cache's current leaf, roots and intention match for one service with one ACL token
 * (what {@code ConnectService.identity()} returns). A context never copies what it reads, so
 * renewals, root rotations and intention changes reach the next handshake without a rebuild.
 *
 * <p><b>For implementers.</b> Every method is called from handshake threads, concurrently, on
 * every handshake: it must be thread-safe and answer from memory. Each returns the current value;
 * {@link #leaf()} should return the same instance while the leaf is unchanged (see {@link
 * X509Leaf}). A method that cannot answer throws an unchecked exception naming what is missing;
 * the handshake is then refused with {@code connect: <leaf|roots|intentions> of <service>
 * unavailable: <message>}, and nothing is presented or allowed by default.
 *
 * <p><b>What the TLS layer decides, not the identity.</b> The identity supplies facts; the checks
 * are {@link ConnectTls}'s, the same for every implementation: PKIX against {@link #roots()}, a
 * single Connect service URI of the roots' trust domain in the default namespace and partition,
 * then {@link ConnectTls#authorize} with {@link #intentions()} on a server or the expected
 * service on a client.
 */
public interface ConnectIdentity {

  /**
   * Returns the identity of this service, such as {@code
   * spiffe://<trust domain>/ns/default/dc/dc1/svc/db}: fixed for the identity's lifetime. The
   * leaf presented should carry it as its URI SAN; a server authorizes clients for it.
   *
   * @return the service ID
   */
  ServiceId serviceId();

  /**
   * Returns the current leaf: the certificate, its intermediates and its private key.
   *
   * @return the leaf to present now
   */
  X509Leaf leaf();

  /**
   * Returns the roots to trust now; their trust domain is the only one whose peers are accepted.
   *
   * @return the roots
   */
  CaRoots roots();

  /**
   * Returns the intentions that decide who may connect to {@link #serviceId()}: at least those
   * whose destination covers it (Consul's {@code /match?by=destination}). Read by server
   * contexts only; an identity used only for clients may throw.
   *
   * @return the intentions
   */
  Intentions intentions();

  /**
   * Returns the identity of {@code service} in {@code cache}, read with {@code request}: its
   * {@link #leaf()} is the cache's leaf for {@code service}, its {@link #roots()} and {@link
   * #intentions()} the cache's roots and intention match, and its {@link #serviceId()} the URI of
   * the first leaf it read.
   *
   * <p>The token in the request needs {@code service:write} on the service (to have its leaf
   * signed) and, for a server, {@code intention:read} on it. Build one request per token and
   * reuse it: the cache partitions entries by token.
   *
   * @param cache the agent cache that holds and renews the leaf
   * @param service the service name, such as {@code db}
   * @param request the token and datacenter every read uses
   * @return the identity; nothing is fetched until a context is built
   * @throws IllegalArgumentException if {@code service} is empty
   */
  static ConnectIdentity of(ConnectCache cache, String service, CacheRequest request) {
    return CacheIdentity.of(cache, service, request);
  }
}
