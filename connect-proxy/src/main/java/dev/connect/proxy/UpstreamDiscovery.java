package dev.connect.proxy;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where a proxy learns the instances of its discovered upstreams: a source of the passing
 * instances of a service, kept fresh in the background.
 *
 * <p>The proxy calls {@link #watch(String)} once per destination when it starts and waits for
 * the first answer, then reads {@link #instances(String)} on its event loop for every connection,
 * so {@code instances} must answer from memory without blocking. {@link ConsulDiscovery} is the
 * implementation over Consul's {@code /v1/health/connect/<service>?passing=1}.
 */
public interface UpstreamDiscovery extends AutoCloseable {
  /**
   * Starts keeping the instances of {@code service} fresh, if not already.
   *
   * @param service the destination service
   * @return completes once the first answer is known, or exceptionally if it cannot be had
   */
  CompletableFuture<Void> watch(String service);

  /**
   * Returns the passing instances of {@code service} known now, without blocking.
   *
   * @param service a watched destination
   * @return the addresses to dial, possibly empty
   * @throws IllegalStateException if the service is not watched
   */
  List<InetSocketAddress> instances(String service);

  /** Stops every watch. Idempotent. */
  @Override
  void close();
}
